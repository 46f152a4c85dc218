// Django's search boxes (select2) leave their combobox without a name: give each the text of
// its field's label, so screen readers say what the box is for. Nothing else changes.
"use strict";

function nameAutocompleteBoxes() {
  for (const select of document.querySelectorAll("select.admin-autocomplete")) {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const shown = document.getElementById(`select2-${select.id}-container`);
    if (label && shown) {
      shown.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
    }
  }
}

// Django starts select2 from a jQuery ready handler, which may run after the page's load event:
// name the boxes whenever the page changes, so a box is named as soon as it is drawn.
new MutationObserver(nameAutocompleteBoxes).observe(document.documentElement, {
  childList: true,
  subtree: true,
});
