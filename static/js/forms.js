// While a form is sending, its submit buttons are disabled: on a slow network a double tap sent
// it twice. They come back when the page is shown again (back button) or the send fails.
(function () {
  var SENDING = "data-sending";
  var GIVE_UP_MS = 45000;

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

  function hold(form) {
    form.setAttribute(SENDING, "");
    form.setAttribute("aria-busy", "true");
    buttons(form).forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute("data-sending-disabled", "");
      }
    });
    window.setTimeout(function () { release(form); }, GIVE_UP_MS);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-no-guard")) return;
    if ((form.method || "get").toLowerCase() !== "post") return;
    if (form.hasAttribute(SENDING)) { event.preventDefault(); return; }
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
