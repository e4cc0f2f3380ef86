/* Search suggestions while typing. Without this file the search form still works:
   it is a plain GET form. Fills the <datalist> named by the input's `list` attribute. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest-url]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = input.list || document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) { return; }
    var timer = null;
    var lastAsked = "";
    var controller = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === lastAsked) { return; }
        lastAsked = text;
        if (controller && controller.abort) { controller.abort(); }
        controller = window.AbortController ? new AbortController() : null;
        var url = input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(text);
        fetch(url, { headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) {
            while (list.firstChild) { list.removeChild(list.firstChild); }
            (data.suggestions || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.name;
              list.appendChild(option);
            });
          })
          .catch(function () { /* offline or aborted: the plain form still works */ });
      }, 200);
    });
  });
})();
