// Words and the note beside a form's buttons, shared by the guards below. English only, as the
// site (settings.LANGUAGES).
var PlenaryForms = {
  text: {
    offline: "You are offline: nothing was sent. Your answers are kept here; send again when the network is back.",
    online: "Back online: you can send now.",
    restored: "Restored what you typed before: check it and send again.",
  },
  // One live region a form, after its last button: created empty, then filled, so that it is read.
  note: function (form, text) {
    var note = form.querySelector(".form-note");
    if (!note) {
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])");
      var last = buttons[buttons.length - 1];
      note = document.createElement("p");
      note.className = "form-note";
      note.setAttribute("role", "status");
      note.setAttribute("tabindex", "-1");
      var after = last && last.parentElement !== form ? last.parentElement : last;
      if (after) after.insertAdjacentElement("afterend", note);
      else form.appendChild(note);
    }
    note.textContent = "";
    window.setTimeout(function () { note.textContent = text; }, 50);
    return note;
  },
};

// While a form is sending, its submit buttons are disabled: on a slow network a double tap sent
// it twice. They come back when the page is shown again (back button) or the send fails.
(function () {
  var SENDING = "data-sending";
  var OFFLINE = "data-offline-held";
  var GIVE_UP_MS = 45000;
  var TEXT = PlenaryForms.text;

  function buttons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit";
    });
  }

  function release(form) {
    form.removeAttribute(SENDING);
    form.removeAttribute("aria-busy");
    buttons(form).forEach(function (button) {
      if (button.hasAttribute("data-sending-disabled")) {
        button.disabled = false;
        button.removeAttribute("data-sending-disabled");
      }
    });
  }

  // Marked as ours: a page script that takes a button for good (a closed poll) drops the mark.
  function disable(form) {
    buttons(form).forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute("data-sending-disabled", "");
      }
    });
  }

  function hold(form) {
    form.setAttribute(SENDING, "");
    form.setAttribute("aria-busy", "true");
    disable(form);
    window.setTimeout(function () { release(form); }, GIVE_UP_MS);
  }

  // Offline, a sent form became the browser's "No internet" page, and Back skipped the form:
  // all that was typed (and the chosen photo) was gone. The form stays as it is instead, its
  // buttons held until the browser says it is online again.
  function holdOffline(form) {
    disable(form);
    form.setAttribute(OFFLINE, "");
    var focused = form.contains(document.activeElement);
    var note = PlenaryForms.note(form, TEXT.offline);
    if (focused) note.focus(); // its button is disabled: the focus would fall to the page's start
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-no-guard")) return;
    if ((form.method || "get").toLowerCase() !== "post") return;
    if (form.hasAttribute(SENDING)) { event.preventDefault(); return; }
    if (navigator.onLine === false && !event.defaultPrevented) {
      event.preventDefault();
      holdOffline(form);
      return;
    }
    // After this turn: the pressed button's name still goes with the form, and a script that
    // sends the form itself (preventDefault) keeps control of its buttons.
    window.setTimeout(function () {
      if (event.defaultPrevented) form.removeAttribute(SENDING);
      else hold(form);
    }, 0);
    form.setAttribute(SENDING, "");
  });

  function releaseAll() {
    Array.prototype.forEach.call(document.querySelectorAll("form[" + SENDING + "]"), release);
  }
  window.addEventListener("pageshow", releaseAll);
  window.addEventListener("offline", releaseAll);
  window.addEventListener("online", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[" + OFFLINE + "]"), function (form) {
      form.removeAttribute(OFFLINE);
      release(form);
      PlenaryForms.note(form, TEXT.online);
    });
  });
})();

// After a redirect, the message is read out and seen: a role=status present at load is never
// announced, and an anchor (#tour-…) scrolled it far off screen. The message moves into the item
// the anchor names and takes the focus; with no message the item itself takes it.
(function () {
  var region = document.getElementById("messages");
  var target = null;
  try {
    target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  } catch (error) { target = null; }
  var summary = document.getElementById("error-summary");
  var focus = summary || region;
  if (!summary && target && target.closest("main")) {
    if (region) target.appendChild(region);
    else {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      focus = target;
    }
  }
  if (!focus) return;
  // After the load: the browser's own scroll to the #fragment would otherwise take it away.
  function take() {
    if (!document.activeElement || document.activeElement === document.body) focus.focus();
  }
  if (document.readyState === "complete") take();
  else window.addEventListener("load", function () { window.setTimeout(take, 0); });
})();

// Drafts: what is typed into a form marked data-keep-draft is kept in this tab (sessionStorage:
// gone with the tab, and with logout's Clear-Site-Data) until the server has taken it. A save sent
// after the session ended (login page, or the "page expired" page) lost it all; now the form,
// shown again empty of what was typed (after logging in, Back, a reload), gets it back and says
// so. Never passwords, hidden fields (the CSRF token), files or disabled fields.
(function () {
  var PREFIX = "plenary-draft:";
  var SENT = "plenary-draft-sent";
  var SKIPPED = ["password", "hidden", "file", "submit", "button", "reset", "image"];
  var storage;
  try {
    storage = window.sessionStorage;
    storage.getItem(SENT);
  } catch (error) { return; }
  var forms = document.querySelectorAll("form[data-keep-draft]");

  function read(key) {
    try { return JSON.parse(storage.getItem(key)); } catch (error) { return null; }
  }
  function write(key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (error) { /* full: typing goes on */ }
  }
  function keyOf(form) {
    return PREFIX + location.pathname + "#" + Array.prototype.indexOf.call(forms, form);
  }
  function pageUrl() { return location.href.split("#")[0]; }

  function kept(element) {
    return Boolean(element.name) && !element.disabled && SKIPPED.indexOf(element.type) < 0 &&
      element.name !== "csrfmiddlewaretoken" && !element.hasAttribute("data-no-draft");
  }
  function fields(form, name) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name === name && kept(element);
    });
  }
  function choice(element) { return element.type === "checkbox" || element.type === "radio"; }
  function valuesOf(form, name) {
    var values = [];
    fields(form, name).forEach(function (element) {
      if (choice(element)) { if (element.checked) values.push(element.value); }
      else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.selectedOptions, function (option) { values.push(option.value); });
      } else values.push(element.value);
    });
    return values;
  }
  function apply(form, name, values) {
    var position = 0;
    fields(form, name).forEach(function (element) {
      if (choice(element)) element.checked = values.indexOf(element.value) >= 0;
      else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else if (position < values.length) element.value = values[position++];
      // The page's own scripts follow (the passport fields shown with the visa box).
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  function same(a, b) { return a.length === b.length && a.every(function (v, i) { return v === b[i]; }); }
  // Only the fields the person touched: the others keep what the server shows now.
  function differing(form, draft) {
    return Object.keys(draft).filter(function (name) {
      return fields(form, name).length && !same(valuesOf(form, name), draft[name]);
    });
  }

  // Whether the server took the form: the rule that drops a draft. After a send, the first page
  // this tab loads coming from the form's page (document.referrer survives the POST's redirect)
  // is the server's answer. Only an answer saying "done" drops the draft: a success message (the
  // form's redirect back to itself) or a page marked data-draft-done ("Registration received").
  // The form again with its errors, the login page ("not saved"), the "page expired" page or an
  // error page keep it. The answer page itself is never restored over: the server shows there
  // what it got, or what it saved.
  var answered = null;
  var sent = read(SENT);
  if (sent && document.referrer === sent.page) {
    storage.removeItem(SENT);
    answered = sent.key;
    var done = document.querySelector("#messages .message.success, [data-draft-done]");
    if (done && !document.getElementById("error-summary")) storage.removeItem(sent.key);
  }

  function restore(form) {
    var key = keyOf(form);
    var draft = read(key);
    if (!draft || key === answered) return;
    var names = differing(form, draft);
    if (!names.length) return;
    names.forEach(function (name) { apply(form, name, draft[name]); });
    var note = document.createElement("p");
    note.className = "alert warn form-draft-note";
    note.setAttribute("role", "status");
    note.setAttribute("tabindex", "-1");
    note.textContent = PlenaryForms.text.restored;
    form.insertBefore(note, form.firstChild);
    // Nothing else to read first (a message, errors): the note and the form come into view.
    if (!document.getElementById("messages") && !document.getElementById("error-summary")) note.focus();
  }

  function save(event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-keep-draft") || !kept(event.target)) return;
    var key = keyOf(form);
    var draft = read(key) || {};
    draft[event.target.name] = valuesOf(form, event.target.name);
    write(key, draft);
  }

  Array.prototype.forEach.call(forms, restore);
  document.addEventListener("input", save);
  document.addEventListener("change", save);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Not sent (offline, a second tap): no answer is coming.
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if (!form.hasAttribute("data-keep-draft")) return;
    write(SENT, { key: keyOf(form), page: pageUrl() });
  });
})();
