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
      request.addEventListener("load", function () {
        if (request.responseURL) history.replaceState(null, "", request.responseURL);
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        bar.hidden = true;
        status.textContent = form.dataset.failed;
      });
      request.send(new FormData(form));
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), watch);
  });
})();
