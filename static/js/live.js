// Live updates (vocportal.live): vote counts, an open idea's status and the bell follow the
// server without a reload. With data-mode="sse", a Server-Sent Events stream; the page polls
// the JSON snapshot instead with data-mode="poll", when the server refuses a stream (204),
// and while a dropped stream reconnects. Loaded with a CSP nonce; no inline script.
(() => {
  const script = document.currentScript;
  if (!script || !window.fetch) return;
  const { mode, stream: streamUrl, state: stateUrl } = script.dataset;
  const pollMs = Math.max(1, parseFloat(script.dataset.pollSeconds) || 15) * 1000;
  // Seconds before a refused or failed stream is tried again (polling meanwhile).
  const retryStreamMs = Math.max(pollMs * 4, 60000);
  const root = document.documentElement;

  const watched = () => {
    const ids = new Set();
    document.querySelectorAll('.vote[id^="vote-"]').forEach((el) => {
      const id = el.id.slice(5);
      if (/^\d+$/.test(id)) ids.add(id);
    });
    document.querySelectorAll("[data-live-status]").forEach((el) => ids.add(el.dataset.liveStatus));
    return [...ids].slice(0, 100).join(",");
  };
  const query = () => `?ideas=${encodeURIComponent(watched())}`;

  // Short-lived notes for screen readers and eyes ("New: <title>"), newest last, each gone
  // after ten seconds.
  let toasts = null;
  const announce = (text, href) => {
    if (!toasts) {
      toasts = document.createElement("div");
      toasts.className = "live-toasts";
      toasts.setAttribute("role", "status");
      document.body.appendChild(toasts);
    }
    const note = document.createElement("p");
    note.className = "live-toast";
    note.dataset.testid = "live-toast";
    const content = href ? document.createElement("a") : document.createElement("span");
    if (href) content.href = href;
    content.textContent = text;
    note.appendChild(content);
    toasts.appendChild(note);
    while (toasts.children.length > 3) toasts.firstElementChild.remove();
    setTimeout(() => note.remove(), 10000);
  };

  const flash = (el) => {
    el.classList.remove("live-changed");
    void el.offsetWidth; // restart the animation
    el.classList.add("live-changed");
  };

  const setVotes = (id, votes) => {
    const box = document.getElementById(`vote-${id}`);
    const count = box && box.querySelector(".vote-count");
    if (!count || count.textContent.trim() === String(votes)) return;
    count.textContent = String(votes);
    const spoken = count.nextElementSibling;
    if (spoken && spoken.classList.contains("visually-hidden")) {
      spoken.textContent = spoken.textContent.replace(/^\s*votes?\./, votes === 1 ? " vote." : " votes.");
    }
    flash(count);
  };

  // A new status update: read the page again and swap in its status and timeline.
  const refreshStatus = async (id, update) => {
    const el = document.querySelector(`[data-live-status="${id}"]`);
    if (!el || el.dataset.update === String(update)) return;
    el.dataset.update = String(update);
    let doc;
    try {
      const response = await fetch(window.location.pathname + window.location.search, {
        credentials: "same-origin",
      });
      if (!response.ok) return;
      doc = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (_error) {
      return;
    }
    const fresh = doc.querySelector(`[data-live-status="${id}"]`);
    if (!fresh) return;
    const current = document.querySelector(`[data-live-status="${id}"]`);
    current.replaceWith(document.importNode(fresh, true));
    const timeline = doc.querySelector("section.timeline");
    const oldTimeline = document.querySelector("section.timeline");
    if (timeline && oldTimeline) oldTimeline.replaceWith(document.importNode(timeline, true));
    else if (timeline) document.querySelector("article.idea")?.after(document.importNode(timeline, true));
    flash(document.querySelector(`[data-live-status="${id}"]`));
    announce(`Status updated: ${fresh.textContent.trim()}`);
  };

  const applyIdea = (id, idea) => {
    setVotes(id, idea.votes);
    refreshStatus(id, idea.update);
  };

  const bellLink = document.querySelector('[data-testid="bell"]');
  let unread = bellLink ? parseInt(bellLink.querySelector(".badge")?.textContent || "0", 10) : 0;
  const setBell = (bell) => {
    if (!bellLink || !bell) return;
    let badge = bellLink.querySelector(".badge");
    if (bell.unread > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        badge.dataset.testid = "unread-count";
        bellLink.appendChild(badge);
      }
      badge.textContent = String(bell.unread);
    } else if (badge) {
      badge.remove();
    }
    bellLink.setAttribute("aria-label", `Notifications, ${bell.unread} unread`);
    if (bell.unread > unread) {
      flash(bellLink);
      if (bell.latest) announce(`New: ${bell.latest}`, bellLink.href);
    }
    unread = bell.unread;
  };

  const apply = (snapshot) => {
    Object.entries(snapshot.ideas || {}).forEach(([id, idea]) => applyIdea(id, idea));
    if (snapshot.bell) setBell(snapshot.bell);
  };

  // Polling: the snapshot every pollMs while the page is visible.
  let pollTimer = null;
  const poll = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(stateUrl + query(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) apply(await response.json());
    } catch (_error) {
      // offline for now: the next poll tries again
    }
  };
  const startPolling = () => {
    if (pollTimer) return;
    root.dataset.live = "poll";
    pollTimer = setInterval(poll, pollMs);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = null;
  };
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && pollTimer) poll();
  });

  const connect = () => {
    const source = new EventSource(streamUrl + query());
    source.addEventListener("state", (event) => {
      stopPolling();
      root.dataset.live = "stream";
      apply(JSON.parse(event.data));
    });
    source.addEventListener("idea", (event) => {
      const idea = JSON.parse(event.data);
      applyIdea(String(idea.id), idea);
    });
    source.addEventListener("bell", (event) => setBell(JSON.parse(event.data)));
    source.addEventListener("error", () => {
      startPolling(); // until the stream is back (its "state" stops the polling)
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, retryStreamMs); // refused (204) or failed for good
      }
    });
  };

  if (mode === "sse" && window.EventSource) connect();
  else if (mode !== "off") startPolling();
})();
