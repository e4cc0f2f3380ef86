/* Shop registration: small improvements; every page works without this script.
   - Programme step: hide the list of trainings while "not in the programme" is chosen.
   - Programme step: ticking a training moves the cursor to its completion date. */
(function () {
  "use strict";
  var form = document.querySelector("[data-programme-form]");
  if (!form) { return; }
  var cohortBox = form.querySelector("[data-cohorts]");
  var radios = form.querySelectorAll("input[name='in_programme']");

  function update() {
    var no = form.querySelector("input[name='in_programme'][value='no']");
    if (cohortBox && no) { cohortBox.hidden = no.checked; }
  }
  Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
  update();

  form.addEventListener("change", function (event) {
    var box = event.target;
    if (box.name !== "cohorts" || !box.checked) { return; }
    var date = document.getElementById("completed_" + box.value);
    if (date && !date.value) { date.focus(); }
  });
}());
