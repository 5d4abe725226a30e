/* Submit Event confirmation: the report is saved, so the draft kept in this browser for it can go.
   Only the draft of this very report (same idempotency key): a reload, or a later visit while another report is
   being written in another tab, leaves that other draft alone. An anonymous report's follow-up link is kept in
   this browser (it is shown only once on the page). */
(function () {
  "use strict";
  var configEl = document.getElementById("event-done-config");
  if (!configEl) {
    return;
  }
  var config = JSON.parse(configEl.textContent);
  if (!config.storageKey || !config.submittedKey) {
    return;
  }
  try {
    var draft = JSON.parse(window.localStorage.getItem(config.storageKey) || "null");
    if (draft && draft.fields && draft.fields.idempotency_key === config.submittedKey) {
      window.localStorage.removeItem(config.storageKey);
    }
    if (config.followUp) {
      var key = "roils.followUpLinks";
      var links = JSON.parse(window.localStorage.getItem(key) || "[]");
      links = links.filter(function (l) { return l && l.url !== config.followUp.url; });
      links.unshift({url: config.followUp.url, reference: config.followUp.reference, saved: Date.now()});
      window.localStorage.setItem(key, JSON.stringify(links.slice(0, 50)));
    }
  } catch (e) {
    /* storage disabled or unreadable: nothing to clear */
  }
})();
