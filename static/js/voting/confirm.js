/* The confirm page, live: when the poll closes (the chair closes it, or its countdown ends) the
   Confirm button is disabled with a message, before a tap could send a ballot that is refused.
   While the ballot is on its way (Confirm held by forms.js: on a slow network a double tap had
   sent two ballots and lost the answer holding the receipt code) a status line says so. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var card = document.querySelector(".confirm-card");
  if (!card) return;
  var pollId = Number(card.dataset.pollId);
  var form = card.querySelector(".confirm-form");
  var button = form && form.querySelector('button[type="submit"]');
  var sendingNote = form && form.querySelector(".sending-note");

  function close() {
    if (card.dataset.closed) return;
    card.dataset.closed = "1";
    var hadFocus = card.contains(document.activeElement) || document.activeElement === document.body;
    card.querySelectorAll("form button").forEach(function (b) {
      b.disabled = true;
      b.removeAttribute("data-sending-disabled"); // forms.js must not give it back
    });
    card.querySelectorAll("[data-closes-at]").forEach(function (timer) { timer.remove(); });
    if (sendingNote) sendingNote.textContent = "";
    var note = card.querySelector(".ballot-closed");
    if (!note) {
      note = R.el("p", { "class": "alert warn ballot-closed", role: "alert", tabindex: "-1", text: L.closed_ballot });
      card.insertBefore(note, card.children[1] || null);
    }
    // The focused Confirm is disabled: without this the focus would fall to the page's start.
    if (hadFocus) note.focus();
  }

  // forms.js (every page) holds a sending form's buttons and gives them back when the page is
  // shown again or the network goes; this page says so in words meanwhile.
  if (form && sendingNote) {
    form.addEventListener("submit", function () {
      if (!card.dataset.closed) sendingNote.textContent = form.dataset.sendingWords;
    });
    var quiet = function () { sendingNote.textContent = ""; };
    window.addEventListener("pageshow", function (event) { if (event.persisted) quiet(); });
    window.addEventListener("offline", quiet);
  }

  card.addEventListener("plenary:time-over", close);
  if (card.querySelector("[data-closes-at][data-ended]")) close(); // ended before this ran
  if (card.querySelector(".ballot-closed") && button && button.disabled) card.dataset.closed = "1";

  R.start({
    onSnapshot: function (payload) {
      var open = payload.polls.some(function (p) { return p.id === pollId && p.state === "open"; });
      if (!open) close();
    },
    onEvent: function (type, payload) {
      if (type === "poll.state" && payload.id === pollId && payload.state !== "open") close();
    }
  });
})();
