// Similar ideas while typing a new idea (templates/ideas/form.html). Until the embedding model
// is loaded in the web process, the server answers with keyword matches marked
// data-similar-pending; ask again shortly (the title's "similar-retry" trigger) so the
// model's suggestions replace them as soon as they are ready.
(() => {
  const RETRY_MS = 800;
  const MAX_RETRIES = 40;
  const box = document.getElementById("similar");
  const title = document.getElementById("title");
  if (!box || !title || !window.htmx) return;
  let timer = null;
  let retries = 0;
  title.addEventListener("input", () => {
    clearTimeout(timer);
    retries = 0;
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target !== box) return;
    clearTimeout(timer);
    if (box.querySelector("[data-similar-pending]") && retries < MAX_RETRIES) {
      retries += 1;
      timer = setTimeout(() => window.htmx.trigger(title, "similar-retry"), RETRY_MS);
    }
  });
})();
