// Show the passport fields only when a visa letter is asked for (they stay in the page without JS).
(function () {
  var box = document.getElementById("id_needs_visa_letter");
  var fields = document.querySelector(".passport");
  if (!box || !fields) return;
  function sync() { fields.hidden = !box.checked; }
  box.addEventListener("change", sync);
  sync();
})();
