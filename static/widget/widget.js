/* vocportal feedback widget. Embed on any page:
 *   <script src="https://feedback.example.com/widget.js" async></script>
 * Optional attributes: data-label="Feedback", data-email="known@customer.com".
 * It adds a button; the form posts JSON to the portal (CORS), never reading its cookies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var portal = new URL(script.src, window.location.href).origin;
  var label = script.getAttribute("data-label") || "Feedback";
  var knownEmail = script.getAttribute("data-email") || "";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }
  function style(node, css) { Object.keys(css).forEach(function (k) { node.style[k] = css[k]; }); }

  var button = el("button", { type: "button", "data-vocportal": "open" }, label);
  style(button, { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000",
    padding: "10px 16px", borderRadius: "20px", border: "0", background: "#1d4ed8",
    color: "#fff", font: "14px system-ui, sans-serif", cursor: "pointer" });

  var panel = el("form", { "data-vocportal": "form", novalidate: "" });
  style(panel, { position: "fixed", right: "16px", bottom: "64px", zIndex: "2147483000",
    width: "300px", padding: "12px", background: "#fff", border: "1px solid #ccc",
    borderRadius: "8px", boxShadow: "0 4px 16px rgba(0,0,0,.15)", display: "none",
    font: "14px system-ui, sans-serif", color: "#111" });
  var text = el("textarea", { name: "text", rows: "4", "aria-label": "Your feedback",
    placeholder: "What would make this better?", required: "" });
  var email = el("input", { name: "email", type: "email", "aria-label": "Your email",
    placeholder: "you@company.com", required: "" });
  email.value = knownEmail;
  var name = el("input", { name: "name", type: "text", "aria-label": "Your name (optional)",
    placeholder: "Your name (optional)" });
  [text, email, name].forEach(function (f) {
    style(f, { display: "block", width: "100%", boxSizing: "border-box", margin: "0 0 8px",
      padding: "6px", font: "inherit" });
  });
  var send = el("button", { type: "submit" }, "Send");
  style(send, { padding: "6px 14px", font: "inherit", cursor: "pointer" });
  var status = el("p", { role: "status", "data-vocportal": "status" });
  style(status, { margin: "8px 0 0", minHeight: "1em" });
  [text, email, name, send, status].forEach(function (n) { panel.appendChild(n); });

  button.addEventListener("click", function () {
    panel.style.display = panel.style.display === "none" ? "block" : "none";
    if (panel.style.display === "block") { text.focus(); }
  });
  panel.addEventListener("submit", function (event) {
    event.preventDefault();
    send.disabled = true;
    status.textContent = "Sending…";
    fetch(portal + "/widget/feedback", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text.value, email: email.value, name: name.value,
        page: window.location.href })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        status.textContent = "Thank you! We read every message and will tell you what becomes of it.";
        text.value = "";
      } else {
        status.textContent = result.body.error || "That did not work; please try again.";
      }
    }).catch(function () {
      status.textContent = "Could not reach the feedback portal; please try again.";
    }).then(function () { send.disabled = false; });
  });

  function mount() { document.body.appendChild(button); document.body.appendChild(panel); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
