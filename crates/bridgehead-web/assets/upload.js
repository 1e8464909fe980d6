// Upload forms (file imports) show their progress: the bytes sent while the file
// travels, then a running bar while the server checks and stores every row. Without
// JavaScript the form posts as usual.
(function () {
  "use strict";
  function watch(form) {
    var bar = form.querySelector("progress.upload");
    var status = form.querySelector(".upload-status");
    if (!bar || !window.XMLHttpRequest || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      bar.hidden = false;
      bar.value = 0;
      status.textContent = form.dataset.sending;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = e.loaded / e.total;
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        status.textContent = form.dataset.processing;
      });
      var buttons = form.querySelectorAll("button");
      function enable(on) {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = !on; });
      }
      request.addEventListener("load", function () {
        // The answer is the result page. Only a redirect gives it an address of its
        // own; otherwise the address stays the form's page, which reloads cleanly.
        var target = request.responseURL;
        if (target && target.split("?")[0] !== form.action.split("?")[0]) {
          history.replaceState(null, "", target);
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      function failed() {
        bar.hidden = true;
        status.textContent = form.dataset.failed;
        enable(true);
      }
      request.addEventListener("error", failed);
      request.addEventListener("abort", failed);
      request.addEventListener("timeout", failed);
      request.send(new FormData(form));
      enable(false);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), watch);
  });
})();
