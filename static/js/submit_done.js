/* Submit Event confirmation: the report is saved, so the draft kept in this browser can go; an anonymous report's
   follow-up link is kept in this browser (it is shown only once on the page). */
(function () {
  "use strict";
  var configEl = document.getElementById("event-done-config");
  if (!configEl) {
    return;
  }
  var config = JSON.parse(configEl.textContent);
  try {
    window.localStorage.removeItem(config.storageKey);
    if (config.followUp) {
      var key = "roils.followUpLinks";
      var links = JSON.parse(window.localStorage.getItem(key) || "[]");
      links = links.filter(function (l) { return l && l.url !== config.followUp.url; });
      links.unshift({url: config.followUp.url, reference: config.followUp.reference, saved: Date.now()});
      window.localStorage.setItem(key, JSON.stringify(links.slice(0, 50)));
    }
  } catch (e) {
    /* storage disabled: nothing was kept */
  }
})();
