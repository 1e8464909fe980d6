// A button whose form carries data-confirm asks before it posts (e.g. reversing a ledger
// entry, which cannot itself be reversed). Without JavaScript the form posts as usual.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (text && !window.confirm(text)) event.preventDefault();
  }, true);
})();
