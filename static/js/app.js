/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  // Submit the language form as soon as a language is picked.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select && select.id === "lang-select" && select.form) {
      select.form.submit();
    }
  });
})();
