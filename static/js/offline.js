// Nothing typed on a registration step is lost to a bad signal. Drafts
// (never passwords or files) are kept in localStorage per account and form.
// The form goes by fetch(); without signal the sending is kept ("antre") and
// sent when the signal returns or a step page opens, with a fresh CSRF token
// and the same submission_key, so the server saves it once. Refusals stay
// kept and are shown. Keluar deletes it all. Without JS: plain forms.
(() => {
  "use strict";

  const script = document.currentScript;
  const user = document.body.getAttribute("data-user");
  try {
    localStorage.getItem("pamong");
  } catch (error) {
    return; // Storage switched off: the forms stay plain forms.
  }
  if (!script || !user || !window.fetch || !window.URLSearchParams) {
    return;
  }
  const data = (name) => script.getAttribute("data-" + name);
  const ROOT = "pamong-langkah:";
  const PREFIX = ROOT + user + ":";
  const KEEP_MS = 14 * 864e5;
  const TEXT = {
    queued: "Belum terkirim karena sinyal terputus. Isian tersimpan di HP ini.",
    refused: "Isian belum diterima. Periksa pesan pada formulir, lalu kirim lagi.",
    failed: "Server belum dapat menerima isian. Coba kirim lagi nanti.",
    leave: "Isian yang belum terkirim akan dihapus dari HP ini. Tetap keluar?"
  };
  let busy = false;
  let restoring = false;
  let banner = null;

  // ---- Kept on the phone: "isian:" drafts, "antre:" sendings ----------

  const read = (name) => {
    try {
      return JSON.parse(localStorage.getItem(name));
    } catch (error) {
      return null;
    }
  };
  const get = (kind, path) => read(PREFIX + kind + path);
  const put = (kind, path, value) => {
    try {
      localStorage.setItem(PREFIX + kind + path, JSON.stringify(value));
    } catch (error) {
      // Storage full or refused: the form still works as a plain one.
    }
  };
  const forget = (path) => {
    localStorage.removeItem(PREFIX + "isian:" + path);
    localStorage.removeItem(PREFIX + "antre:" + path);
  };
  const names = (start) =>
    Object.keys(localStorage).filter((name) => name.startsWith(start));
  const queued = () => names(PREFIX + "antre:")
    .map((name) => ({ path: name.slice(PREFIX.length + 6), item: read(name) }))
    .filter((entry) => entry.item)
    .sort((a, b) => a.item.at - b.item.at);

  // ---- The step form --------------------------------------------------

  const stepForm = () => document.querySelector("#main form[method=post]");
  const pathOf = (form) => new URL(form.action, location.href).pathname;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const choice = (element) => /^(checkbox|radio)$/.test(element.type);
  const kept = (element) => element.name && !element.disabled &&
    element.name !== "csrf_token" &&
    !/^(password|file|submit|button|reset)$/.test(element.type);
  const fields = (form) => Array.from(form.elements)
    .filter((element) => kept(element) && (!choice(element) || element.checked))
    .map((element) => [element.name, element.value]);

  // One field after another: a region list whose options come from the
  // server waits for htmx to fetch them.
  const restore = (form, saved, done) => {
    const elements = Array.from(form.elements).filter(kept);
    const next = (i) => {
      const element = elements[i];
      if (!element) {
        return done();
      }
      const wanted = saved.filter((pair) => pair[0] === element.name)
        .map((pair) => pair[1]);
      if (choice(element)) {
        element.checked = wanted.includes(element.value);
      } else if (element.value !== (wanted[0] || "")) {
        element.value = wanted[0] || "";
        if (window.htmx && element.getAttribute("hx-get") && element.value) {
          let finished = false;
          const go = () => {
            if (!finished) {
              finished = true;
              next(i + 1);
            }
          };
          element.addEventListener("htmx:afterRequest", go);
          setTimeout(go, 8000);
          element.dispatchEvent(new Event("change", { bubbles: true }));
          return;
        }
      }
      next(i + 1);
    };
    next(0);
  };

  const remember = (event) => {
    const form = event.target.form;
    if (!restoring && form && form === stepForm() && kept(event.target)) {
      put("isian:", pathOf(form), { at: Date.now(), fields: fields(form) });
    }
  };

  // ---- What the official sees -----------------------------------------

  const note = (text) => {
    const line = document.createElement("p");
    line.className = "flash";
    line.setAttribute("role", "status");
    line.textContent = text;
    document.getElementById("main").prepend(line);
  };

  const showBanner = () => {
    const waiting = queued();
    document.body.classList.toggle("queued", waiting.length > 0);
    if (!banner && waiting.length) {
      banner = document.createElement("div");
      banner.id = "antrean";
      banner.className = "banner queue";
      banner.setAttribute("role", "status");
      banner.innerHTML = "<p></p><button type=button>Kirim sekarang</button>";
      banner.lastChild.addEventListener("click", () => flush(true));
      document.body.append(banner);
    }
    if (banner) {
      banner.hidden = !waiting.length;
      banner.firstChild.textContent = waiting.length ?
        waiting[0].item.message || TEXT.queued : "";
    }
  };

  const parse = (html) => new DOMParser().parseFromString(html, "text/html");

  // fetch() already opened the page a step leads to, and with it took the
  // server's one-time messages ("Perbaikan terkirim"); they are carried over
  // to the same page loaded for real, where app.js shows them once.
  const MESSAGES = "pamong-pesan";
  const carryMessages = (page) => {
    const messages = Array.from(page.querySelectorAll("#main > p.flash")).map(
      (flash) => ({ kind: flash.className, text: flash.textContent })
    );
    try {
      sessionStorage.setItem(MESSAGES, JSON.stringify(messages));
    } catch (error) {
      // Without session storage the messages are lost, never the isian.
    }
  };

  // The server's answer to a refused step: its form with the messages.
  const swap = (page) => {
    const fresh = page.getElementById("main");
    const main = document.getElementById("main");
    // upload.js keeps working with the file field it knows.
    const live = document.getElementById("sk_file");
    const dead = fresh.querySelector("#sk_file");
    if (live && dead) {
      const error = dead.parentNode.querySelector(".error");
      if (error && !live.parentNode.querySelector(".error")) {
        live.parentNode.append(error);
        live.parentNode.classList.add("invalid");
      }
      dead.parentNode.replaceWith(live.parentNode);
    }
    main.replaceWith(document.adoptNode(fresh));
    document.title = page.title;
    if (window.htmx) {
      window.htmx.process(fresh);
    }
    const summary = fresh.querySelector("#error-summary, #warning-summary");
    return summary ? summary.focus() : scrollTo(0, 0);
  };

  // ---- Sending --------------------------------------------------------

  const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)))
    .map((byte) => (byte + 256).toString(16).slice(1)).join("");

  // A line that stalls for 45 s counts as no signal.
  const request = (url, options) => {
    const control = window.AbortController && new AbortController();
    const timer = control && setTimeout(() => control.abort(), 45000);
    return fetch(url, Object.assign(options, {
      credentials: "same-origin",
      signal: control ? control.signal : undefined
    })).then((response) => {
      clearTimeout(timer);
      return response;
    });
  };

  const freshToken = () => request(data("csrf"), { cache: "no-store" })
    .then((response) => {
      if (!response.ok) {
        throw new Error("csrf " + response.status);
      }
      return response.json();
    })
    .then((answer) => {
      document.querySelectorAll("input[name=csrf_token]").forEach((input) => {
        input.value = answer.token;
      });
      return answer.token;
    });

  const pageToken = () => Promise.resolve(
    (document.querySelector("#main input[name=csrf_token]") || {}).value || ""
  );

  const send = (path, item, fresh) => {
    const form = stepForm();
    const button = form && pathOf(form) === path && form.querySelector("[type=submit]");
    const label = button && button.textContent;
    const idle = () => {
      busy = false;
      if (button) {
        button.disabled = false;
        button.textContent = label;
      }
    };
    busy = true;
    if (button) {
      button.disabled = true;
      button.textContent = "Mengirim…";
    }
    (fresh ? freshToken() : pageToken())
      .then((token) => {
        const body = new URLSearchParams(item.fields);
        body.append("csrf_token", token);
        body.append("submission_key", item.key);
        return request(path, { method: "POST", body: body });
      })
      .then((response) => {
        const to = new URL(response.url);
        const away = response.redirected && to.origin === location.origin;
        if (away && to.pathname === data("login")) {
          // The session ended: keep the sending for after the next login.
          put("antre:", path, item);
          location.assign(response.url);
        } else if (away && to.pathname !== path) {
          return response.text().then((html) => {
            carryMessages(parse(html));
            forget(path);
            location.assign(response.url);
          });
        } else if (response.status === 400 && !fresh) {
          idle();
          send(path, item, true);
        } else {
          return response.text().then((html) => {
            idle();
            refused(path, item, response.status, parse(html));
          });
        }
      })
      .catch(() => {
        idle();
        put("antre:", path, item);
        showBanner();
      });
  };

  // Kept with its message; a form with errors is shown at once.
  const refused = (path, item, status, page) => {
    const form = stepForm();
    const summary = page.querySelector("#main .summary");
    if (status >= 400 || get("antre:", path)) {
      item.message = status < 400 ? TEXT.refused :
        summary ? summary.textContent.trim() : TEXT.failed;
      item.refused = status !== 429 && status < 500;
      put("antre:", path, item);
    }
    if (status < 400 && !(form && pathOf(form) === path)) {
      return location.assign(path);
    }
    if (status < 400 && page.getElementById("main")) {
      swap(page);
    }
    showBanner();
  };

  const submitted = (form, old) => {
    const saved = fields(form);
    const item = {
      fields: saved,
      at: Date.now(),
      key: old && same(old.fields, saved) ? old.key : newKey()
    };
    if (navigator.onLine === false) {
      put("antre:", pathOf(form), item);
      showBanner();
    } else {
      send(pathOf(form), item, Boolean(old));
    }
  };

  // Sends what is kept, oldest first; refused ones only when asked.
  const flush = (asked) => {
    const next = queued().filter((entry) => asked || !entry.item.refused)[0];
    const form = stepForm();
    if (busy || !next) {
      return;
    }
    if (form && pathOf(form) === next.path) {
      // Through the submit event, so upload.js can hold it for the SK.
      return form.requestSubmit ? form.requestSubmit() : submitted(form, next.item);
    }
    send(next.path, next.item, true);
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const file = form.querySelector("input[type=file]");
    if (pathOf(form) === data("logout")) {
      if (queued().length && !confirm(TEXT.leave)) {
        return event.preventDefault();
      }
      names(PREFIX).forEach((name) => localStorage.removeItem(name));
    } else if (form !== stepForm() || event.defaultPrevented) {
      return;
    } else if (file && file.files.length) {
      // The browser sends the file itself; its answer is a new page.
      forget(pathOf(form));
    } else {
      event.preventDefault();
      if (!busy) {
        submitted(form, get("antre:", pathOf(form)));
      }
    }
  });
  document.addEventListener("input", remember);
  document.addEventListener("change", remember);
  addEventListener("online", () => flush(false));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && navigator.onLine !== false) {
      flush(false);
    }
  });

  const ready = () => {
    showBanner();
    if (navigator.onLine !== false) {
      flush(false);
    }
  };

  // After htmx has set up the page: it waits for DOMContentLoaded too.
  document.addEventListener("DOMContentLoaded", () => {
    names(ROOT).forEach((name) => {
      const value = read(name);
      if (!value || !(Date.now() - value.at < KEEP_MS)) {
        localStorage.removeItem(name);
      }
    });
    const form = stepForm();
    const path = form && pathOf(form);
    const draft = [get("isian:", path), get("antre:", path)]
      .filter(Boolean).sort((a, b) => b.at - a.at)[0];
    const shown = document.querySelector("#main .summary");
    if (!draft || shown || same(draft.fields, fields(form))) {
      return ready();
    }
    restoring = true;
    restore(form, draft.fields, () => {
      restoring = false;
      note("Isian yang belum terkirim dipulihkan.");
      ready();
    });
  });
})();
