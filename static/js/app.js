// Registers the service worker, sends the CSRF token with htmx requests,
// shows a banner with a retry when a request fails for lack of network, adds
// a show/hide button to password fields and suggests fixes for mistyped
// email domains ("Maksud Anda ...?"), never blocking what was typed.
(function () {
  "use strict";

  var DOMAIN_FIXES = {
    "gmial.com": "gmail.com", "gmai.com": "gmail.com", "gamil.com": "gmail.com",
    "gmil.com": "gmail.com", "gmaill.com": "gmail.com", "gmail.co": "gmail.com",
    "gmail.cm": "gmail.com", "gnail.com": "gmail.com", "gmail.co.id": "gmail.com",
    "yaho.com": "yahoo.com", "yahooo.com": "yahoo.com", "yahoo.co": "yahoo.com",
    "yaho.co.id": "yahoo.co.id", "yahooo.co.id": "yahoo.co.id",
    "yahoo.co.od": "yahoo.co.id", "yahoo.co.di": "yahoo.co.id",
    "yahoo.coid": "yahoo.co.id", "yahoo.id": "yahoo.co.id",
    "hotmial.com": "hotmail.com", "hotmai.com": "hotmail.com",
    "outlok.com": "outlook.com", "outloo.com": "outlook.com"
  };

  function suggestEmail(value) {
    var at = value.lastIndexOf("@");
    if (at < 1) {
      return null;
    }
    var domain = value.slice(at + 1).toLowerCase();
    var fixed = DOMAIN_FIXES[domain] || domain.replace(/\.(con|cmo|ocm|comm)$/, ".com");
    return fixed === domain ? null : value.slice(0, at + 1) + fixed;
  }

  // Adds or removes one id in a field's aria-describedby, keeping the others.
  function describe(input, id, shown) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/)
      .filter(function (each) {
        return each && each !== id;
      });
    if (shown) {
      ids.push(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  // The hint is part of the field's description only while it says something.
  function addEmailHint(input) {
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.id = input.id + "-hint";
    hint.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(hint);

    function clear() {
      hint.textContent = "";
      describe(input, hint.id, false);
    }

    input.addEventListener("blur", function () {
      var suggestion = suggestEmail(input.value.trim());
      clear();
      if (!suggestion) {
        return;
      }
      var fix = document.createElement("button");
      fix.type = "button";
      fix.className = "link";
      fix.textContent = suggestion;
      fix.addEventListener("click", function () {
        input.value = suggestion;
        clear();
        input.focus();
      });
      hint.appendChild(document.createTextNode("Maksud Anda "));
      hint.appendChild(fix);
      hint.appendChild(document.createTextNode("?"));
      describe(input, hint.id, true);
    });
  }

  function addPasswordToggle(input) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link reveal";
    toggle.textContent = "Tampilkan kata sandi";
    toggle.setAttribute("aria-controls", input.id);
    toggle.setAttribute("aria-pressed", "false");
    toggle.addEventListener("click", function () {
      var hidden = input.type === "password";
      input.type = hidden ? "text" : "password";
      toggle.textContent = hidden ? "Sembunyikan kata sandi" : "Tampilkan kata sandi";
      toggle.setAttribute("aria-pressed", hidden ? "true" : "false");
    });
    input.parentNode.appendChild(toggle);
  }

  // On pages without offline.js (which asks first when a step waits to be
  // sent), Keluar forgets everything kept on this phone for the user.
  function forgetKeptSteps() {
    var user = document.body.getAttribute("data-user");
    var prefix = "pamong-langkah:" + user + ":";
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf(prefix) === 0) {
          window.localStorage.removeItem(key);
        }
      });
    } catch (error) {
      // Storage may be unavailable (private mode); there is nothing to forget.
    }
  }

  // Messages offline.js carried over from a page it fetched before loading
  // it for real, shown once where the server would have put them.
  function showCarriedMessages() {
    var messages = [];
    try {
      messages = JSON.parse(window.sessionStorage.getItem("pamong-pesan")) || [];
      window.sessionStorage.removeItem("pamong-pesan");
    } catch (error) {
      return;
    }
    var main = document.getElementById("main");
    if (!main || main.querySelector(":scope > p.flash")) {
      return;
    }
    messages.reverse().forEach(function (message) {
      var flash = document.createElement("p");
      flash.className = message.kind;
      flash.setAttribute("role", "status");
      flash.textContent = message.text;
      main.insertBefore(flash, main.firstChild);
    });
  }
  showCarriedMessages();

  var logout = document.querySelector("form[action='/keluar']");
  if (logout && !document.querySelector("script[src*='offline.js']")) {
    logout.addEventListener("submit", forgetKeptSteps);
  }

  Array.prototype.forEach.call(
    document.querySelectorAll("input[type=email]"), addEmailHint
  );
  Array.prototype.forEach.call(
    document.querySelectorAll("input[type=password]"), addPasswordToggle
  );

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

  // A list chosen before htmx was ready left the next one waiting, and on a
  // slow line that happens: once htmx has set up the page, ask for it.
  function fetchMissedLists() {
    if (!window.htmx) {
      return;
    }
    var lists = document.querySelectorAll("select[hx-get][hx-target]");
    Array.prototype.forEach.call(lists, function (list) {
      var next = document.querySelector(list.getAttribute("hx-target"));
      if (list.value && next && !next.querySelector("option:not([value=''])")) {
        window.htmx.trigger(list, "change");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", fetchMissedLists);

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
