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

window.addEventListener("load", nameAutocompleteBoxes);
