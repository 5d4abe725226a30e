/* My submissions: the follow-up links of anonymous reports made in this browser (kept only in its localStorage). */
(function () {
  "use strict";
  var list = document.getElementById("follow-up-links");
  if (!list) {
    return;
  }
  var links = [];
  try {
    links = JSON.parse(window.localStorage.getItem("roils.followUpLinks") || "[]");
  } catch (e) {
    links = [];
  }
  links.forEach(function (link) {
    if (!link || typeof link.url !== "string" || link.url.indexOf(window.location.origin + "/") !== 0) {
      return;
    }
    var item = document.createElement("li");
    var anchor = document.createElement("a");
    anchor.href = link.url;
    anchor.textContent = "Anonymous report " + String(link.reference || "");
    item.appendChild(anchor);
    list.appendChild(item);
  });
  if (list.children.length) {
    document.getElementById("follow-up-links-section").hidden = false;
  }
})();
