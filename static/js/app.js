// Small behaviours that need no framework. Loaded with a CSP nonce; no inline handlers.
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});

// The header: on narrow screens the menu folds behind a "Menu" button (CSS decides when; the
// button only exists for people with JavaScript, everyone else gets a menu that wraps).
(() => {
  const header = document.querySelector("[data-nav]");
  const toggle = header && header.querySelector(".nav-toggle");
  if (!toggle) return;
  header.classList.add("js-nav");
  toggle.hidden = false;
  const setOpen = (open) => {
    header.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  };
  toggle.addEventListener("click", () => setOpen(!header.classList.contains("nav-open")));
  const groups = header.querySelectorAll("details.dropdown");
  // One menu group open at a time.
  groups.forEach((details) => {
    details.addEventListener("toggle", () => {
      if (!details.open) return;
      groups.forEach((other) => {
        if (other !== details) other.open = false;
      });
    });
  });
  document.addEventListener("click", (event) => {
    groups.forEach((details) => {
      if (details.open && !details.contains(event.target)) details.open = false;
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = header.querySelector("details.dropdown[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    } else if (header.classList.contains("nav-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
})();

// Tables wider than a phone scroll inside themselves; a keyboard must be able to reach that
// scroll area too, so a table that overflows becomes focusable.
const markScrollableTables = () => {
  document.querySelectorAll("main table").forEach((table) => {
    if (table.scrollWidth > table.clientWidth + 1) {
      if (!table.hasAttribute("tabindex")) table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  });
};
markScrollableTables();
window.addEventListener("resize", markScrollableTables);

// Staff lists: "Select all on this page" ticks every row box of its form (the rows' boxes
// carry form="<id>"); it shows a mixed state when only some are ticked, and a line next to it
// says how many are ticked. Hidden without JavaScript, where it could do nothing. Boxes of the
// form that are not rows (the tags to add) carry data-not-a-row.
document.querySelectorAll("[data-select-all]").forEach((all) => {
  const formId = all.dataset.selectAll;
  const boxes = () =>
    Array.from(
      document.querySelectorAll(`input[type="checkbox"][form="${formId}"]:not([data-not-a-row])`),
    );
  const counter = document.querySelector(`[data-ticked-for="${formId}"]`);
  const label = all.closest("label");
  if (label) label.hidden = false;
  const sync = () => {
    const list = boxes();
    const ticked = list.filter((box) => box.checked).length;
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
    if (counter) counter.textContent = ticked ? `${ticked} ticked` : "";
  };
  all.addEventListener("change", () => {
    boxes().forEach((box) => {
      box.checked = all.checked;
    });
    sync();
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches(`input[type="checkbox"][form="${formId}"]`)) sync();
  });
  sync();
});

// Tag colours (templates/tags/_tags.html): data-colour="#rrggbb" on the dot; the CSP allows
// no inline style attributes, so script sets them.
const colourTags = (root) => {
  root.querySelectorAll("[data-colour]").forEach((dot) => {
    if (/^#[0-9a-fA-F]{6}$/.test(dot.dataset.colour)) dot.style.backgroundColor = dot.dataset.colour;
  });
};
colourTags(document);
document.addEventListener("htmx:afterSettle", (event) => colourTags(event.detail.target));
