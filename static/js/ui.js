/* Small behaviours every page may use (no inline script under the strict CSP).
 * [data-copy="#input"]: copy that field's text to the clipboard and say so in the nearest [data-copy-status]. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.querySelector(button.getAttribute("data-copy"));
    var status = button.closest("div.alert, form, section") &&
      button.closest("div.alert, form, section").querySelector("[data-copy-status]");
    if (!field) {
      return;
    }
    var say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say("Link copied.");
      }, function () {
        say("Select the link and copy it (Ctrl+C).");
      });
    } else {
      say(document.execCommand && document.execCommand("copy") ? "Link copied." : "Select the link and copy it (Ctrl+C).");
    }
  });
})();
