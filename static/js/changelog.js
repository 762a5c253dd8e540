// A filter box for a long list of checkboxes (the changelog's idea picker): typing hides the
// rows whose data-filter-text lacks any of the typed words; ticked rows stay ticked (and are
// sent) while hidden, and a line says how many are shown and ticked. Without JavaScript the
// filter stays hidden and the whole list shows.
document.querySelectorAll("input[data-filter-list]").forEach((input) => {
  const list = document.getElementById(input.dataset.filterList);
  if (!list) return;
  const wrapper = document.querySelector(`[data-filter-for="${list.id}"]`);
  const counter = document.querySelector(`[data-filter-count="${list.id}"]`);
  const empty = document.querySelector(`[data-filter-empty="${list.id}"]`);
  const rows = Array.from(list.querySelectorAll("[data-filter-text]"));
  const boxes = Array.from(list.querySelectorAll('input[type="checkbox"]'));
  if (wrapper) wrapper.hidden = false;

  const apply = () => {
    const words = input.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    let shown = 0;
    rows.forEach((row) => {
      const text = row.dataset.filterText;
      const match = words.every((word) => text.includes(word));
      row.hidden = !match;
      if (match) shown += 1;
    });
    const ticked = boxes.filter((box) => box.checked).length;
    if (counter) {
      const parts = [];
      if (words.length) parts.push(`${shown} of ${rows.length} shown`);
      if (ticked) parts.push(`${ticked} ticked`);
      counter.textContent = parts.join(" · ");
    }
    if (empty) empty.hidden = shown > 0;
    list.hidden = shown === 0;
  };

  input.addEventListener("input", apply);
  // Enter in the filter would submit the entry half-written; it moves to the first match.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const first = rows.find((row) => !row.hidden);
    if (first) first.querySelector('input[type="checkbox"]').focus();
  });
  list.addEventListener("change", apply);
  apply();
});
