// Kamrad's small page helpers. The CSP forbids inline scripts and eval, so all of it lives here.
(function () {
  "use strict";

  // After htmx swaps in a form that came back with errors, put the cursor on the first one,
  // so typing continues where the problem is.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) return;
    // An outerHTML swap replaced the target: look at what now stands in its place.
    if (target.id && !target.isConnected) target = document.getElementById(target.id) || target;
    var invalid = target.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (invalid) invalid.focus();
  });

  // A plain form that destroys something asks first (htmx forms use hx-confirm instead);
  // the CSP forbids an inline onsubmit, so the question sits in data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // The list's filters send only what is set, so the address in the bar (and a bookmark of
  // it) reads ?q=…&region=… rather than a row of empty parameters.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb !== "get" || !detail.elt.closest || !detail.elt.closest("form.filters")) return;
    var data = detail.formData || detail.parameters;
    var empty = [];
    data.forEach(function (value, key) { if (value === "") empty.push(key); });
    empty.forEach(function (key) { data.delete(key); });
  });

  // A stale edit answers 409 with the form to show; let htmx swap it like a 200.
  if (window.htmx) {
    // Settling copies "style" between old and new elements; the CSP forbids style attributes.
    htmx.config.attributesToSettle = ["class", "width", "height"];
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }
})();
