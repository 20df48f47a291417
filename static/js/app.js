// Registers the service worker, sends the CSRF token with htmx requests and
// shows a banner with a retry when a request fails for lack of network.
(function () {
  "use strict";

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/service-worker.js", { scope: "/" });
    });
  }

  var banner = document.getElementById("offline-banner");
  var lastFailed = null;

  document.addEventListener("htmx:configRequest", function (event) {
    var field = document.querySelector("input[name=csrf_token]");
    if (field) {
      event.detail.headers["X-CSRFToken"] = field.value;
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    lastFailed = event.detail.elt;
    if (banner) {
      banner.hidden = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && banner) {
      banner.hidden = true;
    }
  });

  var retry = document.getElementById("retry");
  if (retry) {
    retry.addEventListener("click", function () {
      banner.hidden = true;
      if (lastFailed && window.htmx) {
        window.htmx.trigger(lastFailed, "change");
      } else {
        window.location.reload();
      }
    });
  }
})();
