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
