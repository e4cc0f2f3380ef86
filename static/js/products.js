/* Producer workspace: save a product row's price and stock without reloading the list,
   and ask before deleting a photo. Every form works without this file. */
(function () {
  "use strict";

  function show(form, text, ok) {
    var output = form.querySelector(".quick-result");
    if (output) {
      output.textContent = text;
      output.className = "quick-result " + (ok ? "quick-ok" : "quick-error");
    }
  }

  function firstError(errors) {
    for (var name in errors) {
      if (Object.prototype.hasOwnProperty.call(errors, name) && errors[name].length) {
        return errors[name][0];
      }
    }
    return "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("quick-form") || !window.fetch || !window.FormData) {
      return;
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      var data = result.data || {};
      var seen = form.querySelector("input[name$='stock_seen']");
      if (seen && typeof data.stock === "number") { seen.value = String(data.stock); }
      if (result.ok && data.ok) {
        show(form, data.message || "", true);
      } else {
        var stock = form.querySelector("input[name$='-stock']");
        if (stock && data.errors && data.errors.stock && typeof data.stock === "number") {
          stock.value = String(data.stock);
        }
        show(form, firstError(data.errors || {}) || data.message || "", false);
      }
    }).catch(function () {
      form.submit();  // no JSON (offline page, expired session): let the browser do it the plain way
    }).then(function () {
      if (button) { button.disabled = false; }
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
