// Searchable checkbox pickers ([data-picker]): type to filter a long grouped list, ticked items shown as chips.
// Used by the review form's taxonomies and the theme form's categories; without script, the plain checkboxes work.
(function () {
  "use strict";

  function normalise(text) {
    return text.toLowerCase().replace(/\s+/g, " ").trim();
  }

  function setupPicker(picker) {
    var filter = picker.querySelector("[data-picker-filter]");
    var chips = picker.querySelector("[data-picker-chips]");
    var count = picker.querySelector("[data-picker-count]");
    var noMatch = picker.querySelector("[data-picker-nomatch]");
    var browse = picker.querySelector("[data-picker-browse]");
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-option]"));
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-group]"));
    options.forEach(function (option) {
      var label = option.querySelector("label");
      var group = option.closest("[data-picker-group]");
      var heading = group && group.firstElementChild && !group.firstElementChild.classList.contains("row")
        ? group.firstElementChild.textContent : "";
      option.searchText = normalise(label.textContent + " " + heading);
    });

    function renderChips() {
      chips.textContent = "";
      var ticked = options.filter(function (o) { return o.querySelector("input").checked; });
      if (!ticked.length) {
        var none = document.createElement("span");
        none.className = "small text-body-secondary";
        none.textContent = "None selected";
        chips.appendChild(none);
        return;
      }
      ticked.forEach(function (option) {
        var input = option.querySelector("input");
        var text = option.querySelector("label").textContent.trim();
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "btn btn-sm btn-primary rounded-pill";
        chip.setAttribute("aria-label", "Remove " + text);
        chip.appendChild(document.createTextNode(text + " "));
        var icon = document.createElement("i");
        icon.className = "bi bi-x-lg";
        icon.setAttribute("aria-hidden", "true");
        chip.appendChild(icon);
        chip.addEventListener("click", function () {
          input.checked = false;
          renderChips();
          input.focus();
        });
        chips.appendChild(chip);
      });
    }

    function applyFilter() {
      var words = normalise(filter.value).split(" ").filter(Boolean);
      if (words.length && browse) browse.open = true;
      var shown = 0;
      options.forEach(function (option) {
        var match = words.every(function (w) { return option.searchText.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-picker-option]:not([hidden])");
      });
      noMatch.hidden = shown !== 0;
      count.textContent = words.length ? shown + " matching" : "";
    }

    filter.addEventListener("input", applyFilter);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter never submits the review from a filter box; with one match left it ticks that item.
        event.preventDefault();
        var visible = options.filter(function (o) { return !o.hidden; });
        if (visible.length === 1) {
          var input = visible[0].querySelector("input");
          input.checked = !input.checked;
          renderChips();
        }
      } else if (event.key === "Escape") {
        filter.value = "";
        applyFilter();
      }
    });
    picker.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox]")) renderChips();
    });
    renderChips();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker]").forEach(setupPicker);
  });
})();
