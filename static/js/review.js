// My Review event page: conditional questions (the searchable checkbox pickers are static/js/picker.js).
// The server enforces the same rules (review/rules.py); this only keeps the form short.
(function () {
  "use strict";

  function appliesData() {
    var node = document.getElementById("review-applies");
    return node ? JSON.parse(node.textContent) : { reached: [], dose: [], near_miss: [] };
  }

  function setupConditions(form) {
    var groups = appliesData();
    var classification = form.querySelector("[name=classification]");
    var equipment = form.querySelector("[name=equipment_related]");
    function update() {
      var value = classification ? classification.value : "";
      var on = {
        reached: groups.reached.indexOf(value) !== -1,
        dose: groups.dose.indexOf(value) !== -1,
        near_miss: groups.near_miss.indexOf(value) !== -1,
        caught: (groups.caught || []).indexOf(value) !== -1,
        risk: (groups.risk || []).indexOf(value) !== -1,
        source: !!groups.source,
        equipment: !!(equipment && equipment.checked)
      };
      form.querySelectorAll("[data-applies]").forEach(function (el) {
        el.hidden = !on[el.getAttribute("data-applies")];
      });
    }
    if (classification) classification.addEventListener("change", update);
    if (equipment) equipment.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-review-form]");
    if (form) setupConditions(form);
  });
})();
