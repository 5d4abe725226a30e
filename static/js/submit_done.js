/* Submit Event confirmation: the report is saved, so the draft kept in this browser can go. */
(function () {
  "use strict";
  var configEl = document.getElementById("event-done-config");
  if (!configEl) {
    return;
  }
  var config = JSON.parse(configEl.textContent);
  try {
    window.localStorage.removeItem(config.storageKey);
  } catch (e) {
    /* storage disabled: nothing was kept */
  }
})();
