// The new-idea form asks only the chosen board's custom fields (templates/tags/_questions.html).
(() => {
  const board = document.getElementById("board");
  const sets = document.querySelectorAll("[data-board-fields]");
  if (!board || !sets.length) return;
  const show = () => {
    sets.forEach((set) => {
      set.hidden = set.dataset.boardFields !== board.value;
    });
  };
  board.addEventListener("change", show);
  show();
})();
