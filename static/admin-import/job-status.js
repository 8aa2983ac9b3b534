/*
 * An import job's page while the task worker has work to do on it: ask the job's status every
 * two seconds, show the "worker may not be running" line when the job has waited too long (in
 * place of the line saying the work goes on without the editor), and load the page again when the status changes (then the previews or the results are shown).
 * Without the script, reloading the page by hand shows the same.
 */
(function () {
  "use strict";

  var EVERY_MS = 2000;
  var box = document.getElementById("import-status");
  if (!box || !box.dataset.statusUrl) {
    return;
  }
  var url = box.dataset.statusUrl;
  var shown = box.dataset.status;
  var stalled = box.querySelector(".import-stalled");
  var goingOn = box.querySelector(".import-going-on");

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        if (job.status !== shown) {
          window.location.reload();
          return;
        }
        if (stalled) {
          stalled.hidden = !job.stalled;
        }
        if (goingOn) {
          goingOn.hidden = job.stalled;
        }
        window.setTimeout(check, EVERY_MS);
      })
      .catch(function () {
        // The server may be restarting: keep asking, more slowly.
        window.setTimeout(check, EVERY_MS * 5);
      });
  }

  window.setTimeout(check, EVERY_MS);
})();
