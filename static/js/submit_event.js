/* Submit Event: never lose a half-written report, warn about patient identifiers as the reporter types.
 *
 * Every change is saved at once to localStorage (per login); named logins also save to the server every
 * few seconds, so a draft survives a reload, a validation error and a session timeout. Shared general
 * logins keep their draft in this browser only: many people use the same login.
 */
(function () {
  "use strict";

  var configEl = document.getElementById("event-form-config");
  var form = document.getElementById("event-form");
  if (!configEl || !form) {
    return;
  }
  var config = JSON.parse(configEl.textContent);
  var SKIP = { csrfmiddlewaretoken: true, confirm_no_identifiers: true };
  var SERVER_SAVE_MS = 3000;
  var CHECK_DELAY_MS = 700;
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var statusEl = document.getElementById("draft-status");
  var discardBtn = document.getElementById("draft-discard");
  var narrative = document.getElementById("id_narrative");
  var counter = document.getElementById("narrative-count");
  var live = document.getElementById("identifier-live");
  var submitBtn = document.getElementById("submit-event");
  var dirty = false;
  var saving = false;
  var sessionEnded = false;
  var submitting = false; // once the form is posted, a late autosave must not bring the report back
  var discarding = false; // nor, once the reporter discards, a save while the page unloads

  function clock(ms) {
    var d = new Date(ms);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function setStatus(text) {
    if (statusEl && statusEl.textContent !== text) {
      statusEl.textContent = text;
    }
  }

  function showDiscard() {
    if (discardBtn) {
      discardBtn.classList.remove("d-none");
    }
  }

  // --- Reading and writing the form ---------------------------------------------------------
  function readForm() {
    var fields = { techniques: [] };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit" || el.type === "button") {
        return;
      }
      if (el.name === "techniques") {
        if (el.checked) {
          fields.techniques.push(el.value);
        }
      } else if (el.type === "checkbox") {
        fields[el.name] = el.checked;
      } else if (el.type === "radio") {
        if (el.checked) {
          fields[el.name] = el.value;
        } else if (!(el.name in fields)) {
          fields[el.name] = "";
        }
      } else {
        fields[el.name] = el.value;
      }
    });
    return fields;
  }

  function writeForm(fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || !(el.name in fields)) {
        return;
      }
      var value = fields[el.name];
      if (el.type === "checkbox") {
        el.checked = Array.isArray(value) ? value.indexOf(el.value) !== -1 : value === true;
      } else if (el.type === "radio") {
        el.checked = el.value === value;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
  }

  // --- Local and server drafts --------------------------------------------------------------
  function loadLocal() {
    try {
      return JSON.parse(window.localStorage.getItem(config.storageKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function saveLocal() {
    if (discarding) {
      return null;
    }
    var draft = { fields: readForm(), saved_at: Date.now() };
    try {
      window.localStorage.setItem(config.storageKey, JSON.stringify(draft));
    } catch (e) {
      /* storage full or disabled: the server copy still works for named logins */
    }
    return draft;
  }

  function postDraft(draft, keepalive) {
    return fetch(config.draftUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(draft)
    });
  }

  function saveServer() {
    if (config.shared || !dirty || saving || submitting || discarding) {
      return;
    }
    var draft = loadLocal() || saveLocal();
    saving = true;
    dirty = false;
    postDraft(draft, false)
      .then(function (response) {
        if (response.ok) {
          sessionEnded = false;
          setStatus("Draft saved at " + clock(draft.saved_at) + ", in this browser and on the server.");
        } else if (response.type === "opaqueredirect" || response.status === 403) {
          sessionEnded = true;
          setStatus("Your session has ended. Your draft is kept in this browser: sign in again and it will be restored.");
        } else {
          dirty = true;
          setStatus("Draft saved in this browser at " + clock(draft.saved_at) + ".");
        }
      })
      .catch(function () {
        dirty = true;
        setStatus("Draft saved in this browser at " + clock(draft.saved_at) + " (offline: the server copy will follow).");
      })
      .then(function () {
        saving = false;
      });
  }

  function onChange() {
    if (discarding) {
      return;
    }
    var draft = saveLocal();
    dirty = true;
    if (config.shared) {
      setStatus("Draft saved in this browser at " + clock(draft.saved_at) + ".");
    } else if (!sessionEnded && statusEl && !statusEl.textContent.trim()) {
      setStatus("Draft saved in this browser at " + clock(draft.saved_at) + ".");
    }
    showDiscard();
  }

  function restore() {
    if (config.bound) {
      // The page came back with errors: the answers on screen are the latest, keep them.
      saveLocal();
      return;
    }
    var local = loadLocal();
    if (local && config.draftMaxAgeMs && Date.now() - (local.saved_at || 0) > config.draftMaxAgeMs) {
      // Expired, as the server copy would be: an old narrative must not linger on a shared console.
      try {
        window.localStorage.removeItem(config.storageKey);
      } catch (e) {
        /* nothing stored */
      }
      local = null;
    }
    if (local && local.fields && (!config.serverSavedAt || (local.saved_at || 0) > config.serverSavedAt)) {
      writeForm(local.fields);
      dirty = true;
      setStatus("We restored the report you had started (saved in this browser at " + clock(local.saved_at) + ").");
      showDiscard();
    }
  }

  function discard() {
    if (!window.confirm("Discard this unfinished report and start over?")) {
      return;
    }
    discarding = true;
    dirty = false;
    try {
      window.localStorage.removeItem(config.storageKey);
    } catch (e) {
      /* nothing stored */
    }
    var reload = function () {
      window.location.assign(form.getAttribute("action"));
    };
    if (config.shared) {
      reload();
      return;
    }
    fetch(config.draftUrl, { method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(reload, reload);
  }

  // --- Narrative: character count and live identifier check ----------------------------------
  function updateCount() {
    if (!narrative || !counter) {
      return;
    }
    var used = narrative.value.length;
    counter.textContent = used.toLocaleString() + " of " + config.maxLength.toLocaleString() + " characters";
    counter.classList.toggle("text-danger", used > config.maxLength * 0.95);
  }

  var checkTimer = null;
  function checkIdentifiers() {
    var body = new URLSearchParams();
    body.set("narrative", narrative.value);
    fetch(config.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrf },
      body: body
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var serverWarning = document.getElementById("identifier-warning");
        var found = html.trim() !== "";
        if (serverWarning) {
          // The warning from the last submit already lists them and holds the confirmation box.
          serverWarning.classList.toggle("d-none", !found);
          live.innerHTML = "";
        } else {
          live.innerHTML = html;
        }
      })
      .catch(function () {
        /* offline: the check runs again on submit */
      });
  }

  // --- Small helpers of the questions ---------------------------------------------------------
  function techniquesExclusive(event) {
    var target = event.target;
    if (target.name !== "techniques" || !target.checked) {
      return;
    }
    form.querySelectorAll("input[name=techniques]").forEach(function (el) {
      if (el !== target && (target.value === "not_applicable" || el.value === "not_applicable")) {
        el.checked = false;
      }
    });
  }

  var anonymous = document.getElementById("id_stay_anonymous");
  var nameWrap = document.getElementById("reporter-name-wrap");
  function toggleName() {
    if (anonymous && nameWrap) {
      nameWrap.classList.toggle("d-none", anonymous.checked);
    }
  }

  var dateInput = document.getElementById("id_event_date");
  var oldWrap = document.getElementById("old-date-confirm");
  var oldBox = document.getElementById("id_confirm_old_date");
  function toggleOldDate() {
    if (!dateInput || !oldWrap) {
      return;
    }
    var isOld = dateInput.value !== "" && dateInput.value < config.oldDateLimit;
    if (isOld) {
      oldWrap.classList.remove("d-none");
    } else if (!(oldBox && oldBox.checked)) {
      oldWrap.classList.add("d-none");
    }
  }

  // --- Wiring --------------------------------------------------------------------------------
  form.addEventListener("change", techniquesExclusive);
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  if (anonymous) {
    anonymous.addEventListener("change", toggleName);
  }
  if (dateInput) {
    dateInput.addEventListener("change", toggleOldDate);
    dateInput.addEventListener("input", toggleOldDate);
  }
  if (discardBtn) {
    discardBtn.addEventListener("click", discard);
  }
  if (narrative) {
    narrative.addEventListener("input", function () {
      updateCount();
      window.clearTimeout(checkTimer);
      checkTimer = window.setTimeout(checkIdentifiers, CHECK_DELAY_MS);
    });
  }
  form.addEventListener("submit", function () {
    saveLocal();
    submitting = true;
    if (submitBtn) {
      // A second click must not post twice (the server also refuses a replayed form key).
      window.setTimeout(function () {
        submitBtn.disabled = true;
      }, 0);
    }
  });
  window.addEventListener("pageshow", function () {
    submitting = false;
    if (submitBtn) {
      submitBtn.disabled = false;
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !config.shared && !submitting && !discarding) {
      dirty = false;
      postDraft(loadLocal() || saveLocal(), true).catch(function () {
        dirty = true;
      });
    }
  });
  window.setInterval(saveServer, SERVER_SAVE_MS);

  restore();
  toggleName();
  toggleOldDate();
  updateCount();
  if (narrative && narrative.value && !document.getElementById("identifier-warning")) {
    checkIdentifiers();
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
