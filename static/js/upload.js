// Resumable upload of the SK Jabatan on step 3, with the tus protocol.
//
// A chosen file is checked here first (a PDF of at most 10 MB), kept in
// IndexedDB, and sent to /unggah/ in pieces of 256 KB by tus-js-client, which
// is loaded only when the file field is used. After a lost signal the upload
// goes on by itself when the signal returns; after a reload it goes on from
// the file kept in IndexedDB and the upload URL stored with it, asking the
// server how much has arrived. Once the server has the whole file the kept
// copy is dropped, the file field is emptied (so Simpan sends only the other
// fields) and the verdict of the PDF check is shown next to the field.
//
// Without JavaScript, or if tus-js-client cannot be loaded while online, the
// form sends the file itself as it always did.
//
// The script is loaded with "async" so that it never holds up htmx, which
// starts once the deferred scripts have run; it waits for the page itself.
(function () {
  "use strict";

  // Only readable while the script first runs.
  var script = document.currentScript;
  if (!script || !window.Promise || !window.fetch) {
    return;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }

  function setUp() {
    var input = document.getElementById("sk_file");
    if (!input || !input.form) {
      return;
    }

    var ENDPOINT = script.getAttribute("data-endpoint");
    var CLIENT_URL = script.getAttribute("data-client");
    var MAX_BYTES = parseInt(script.getAttribute("data-max-bytes"), 10);
    var KEY = "pengguna-" + script.getAttribute("data-user") + "/langkah-3";
    // A kept file older than the server keeps unfinished uploads is stale: it
    // must not replace, weeks later, an SK sent since by other means.
    var KEEP_MS =
      parseInt(script.getAttribute("data-expiry-hours"), 10) * 3600 * 1000;
    var CHUNK_BYTES = 256 * 1024;

    // Waits (ms) before tus-js-client retries a failed request by itself.
    var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
    // When those are used up, or the phone is offline: try again when the
    // signal returns, and meanwhile every 30 s, at most 40 times.
    var RESUME_EVERY_MS = 30000;
    var RESUME_LIMIT = 40;
    // How often to ask for the verdict while the server is still checking.
    var VERDICT_EVERY_MS = 2000;
    var VERDICT_LIMIT = 15;

    var PDF_TYPES = [
      "application/pdf",
      "application/x-pdf",
      "application/acrobat",
      "text/pdf",
      "text/x-pdf"
    ];
    var VAGUE_TYPES = ["", "application/octet-stream", "binary/octet-stream"];

    var TEXT = {
      notPdf: "Berkas ini bukan PDF. Pilih SK Jabatan dalam format PDF " +
        "(hasil pindai atau foto yang disimpan sebagai PDF).",
      tooBig: "Berkas lebih dari " + Math.floor(MAX_BYTES / 1048576) + " MB. " +
        "Perkecil PDF (misalnya pindai dengan resolusi lebih rendah atau " +
        "hitam-putih), lalu pilih lagi.",
      empty: "Berkas kosong. Pilih berkas SK Jabatan yang benar.",
      starting: "Menyiapkan unggahan SK…",
      resuming: "Melanjutkan unggahan SK yang tadi dipilih: ",
      checking: "SK sudah terkirim seluruhnya dan sedang diperiksa…",
      offline: "Sinyal terputus. Unggahan dilanjutkan otomatis saat sinyal " +
        "kembali. Sudah sampai di server: ",
      stalled: "Unggahan belum dapat dilanjutkan. Periksa sinyal, lalu muat " +
        "ulang halaman ini; berkas tidak perlu dipilih lagi.",
      held: "Formulir dikirim otomatis begitu SK selesai diunggah.",
      plain: "Berkas akan dikirim bersama formulir saat Anda menekan Simpan.",
      failed: "SK belum dapat diunggah. Pilih berkas lagi.",
      session: "Halaman ini sudah kedaluwarsa. Muat ulang halaman (masuk " +
        "lagi bila diminta); berkas tidak perlu dipilih lagi.",
      verdictLost: "SK sudah terkirim, tetapi hasil pemeriksaannya belum " +
        "diterima. Muat ulang halaman untuk melihatnya."
    };

    var job = null;
    var resumeTimer = null;
    var clientLoading = null;

    // The message next to the file field, read out by screen readers.
    var status = document.createElement("p");
    status.id = "sk-upload-status";
    status.className = "note";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var bar = document.createElement("progress");
    bar.id = "sk-upload-progress";
    bar.max = 100;
    bar.value = 0;
    bar.hidden = true;
    place();
    var described = input.getAttribute("aria-describedby");
    input.setAttribute(
      "aria-describedby", (described ? described + " " : "") + status.id
    );

    // ---- Showing what happens -------------------------------------------

    // A byte count as the server shows it (pamong.core.templating.file_size).
    function size(bytes) {
      if (bytes < 1024) {
        return bytes + " byte";
      }
      if (bytes < 1024 * 1024) {
        return Math.round(bytes / 1024) + " KB";
      }
      return (bytes / (1024 * 1024)).toFixed(1).replace(".", ",") + " MB";
    }

    // Keep the message and the bar right after the file field, even when
    // the page around it has been swapped (offline.js may do so).
    function place() {
      if (status.previousElementSibling !== input) {
        input.insertAdjacentElement("afterend", status);
      }
      if (bar.previousElementSibling !== status) {
        status.insertAdjacentElement("afterend", bar);
      }
    }

    function say(text, kind) {
      var field = input.closest(".field") || input.parentNode;
      place();
      status.textContent = text;
      status.className = kind === "error" ? "error" : "note";
      if (kind === "error") {
        field.classList.add("invalid");
        input.setAttribute("aria-invalid", "true");
      } else {
        field.classList.remove("invalid");
        input.removeAttribute("aria-invalid");
      }
    }

    // While Simpan is held back, the progress keeps saying why.
    function showProgress(sent, total) {
      var percent = total ? Math.floor((sent / total) * 100) : 0;
      var held = job && job.held ? TEXT.held + " " : "";
      bar.hidden = false;
      bar.value = percent;
      say(held + "Mengunggah SK: " + size(sent) + " dari " + size(total) +
        " (" + percent + "%).");
    }

    // A message the server rendered for an earlier form submission no longer
    // applies once another file is chosen.
    function dropServerMessages() {
      var old = document.getElementById("sk_file-error");
      if (old) {
        old.parentNode.removeChild(old);
      }
    }

    function replaceSavedNote() {
      var note = document.getElementById("sk-current");
      if (note) {
        note.hidden = true;
      }
    }

    // ---- The copy kept in IndexedDB -------------------------------------

    function openStore() {
      return new Promise(function (resolve, reject) {
        if (!window.indexedDB) {
          reject(new Error("IndexedDB tidak tersedia"));
          return;
        }
        var request = window.indexedDB.open("pamong-unggah", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("berkas");
        };
        request.onsuccess = function () {
          resolve(request.result);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }

    function withStore(mode, action) {
      return openStore().then(function (db) {
        return new Promise(function (resolve, reject) {
          var transaction = db.transaction("berkas", mode);
          var request = action(transaction.objectStore("berkas"));
          transaction.oncomplete = function () {
            db.close();
            resolve(request.result);
          };
          transaction.onerror = transaction.onabort = function () {
            db.close();
            reject(transaction.error);
          };
        });
      });
    }

    // Storage failures only cost the resume-after-reload, never the upload.
    function keep(record) {
      return withStore("readwrite", function (store) {
        return store.put(record, KEY);
      }).catch(function () {});
    }

    function kept() {
      return withStore("readonly", function (store) {
        return store.get(KEY);
      }).catch(function () {
        return null;
      });
    }

    function forget() {
      return withStore("readwrite", function (store) {
        return store.delete(KEY);
      }).catch(function () {});
    }

    // ---- tus-js-client, loaded on demand --------------------------------

    function loadClient() {
      if (window.tus) {
        return Promise.resolve(window.tus);
      }
      if (!clientLoading) {
        clientLoading = new Promise(function (resolve, reject) {
          var tag = document.createElement("script");
          tag.src = CLIENT_URL;
          tag.onload = function () {
            if (window.tus) {
              resolve(window.tus);
            } else {
              reject(new Error("tus-js-client tidak termuat"));
            }
          };
          tag.onerror = function () {
            clientLoading = null;
            tag.parentNode.removeChild(tag);
            reject(new Error("tus-js-client tidak termuat"));
          };
          document.head.appendChild(tag);
        });
      }
      return clientLoading;
    }

    function csrfToken() {
      var token = input.form && input.form.querySelector("[name=csrf_token]");
      return token ? token.value : "";
    }

    function statusOf(error) {
      return error && error.originalResponse ?
        error.originalResponse.getStatus() : 0;
    }

    // Network failures, server errors, a stale offset (409) and a busy upload
    // (423) are worth another try; other refusals are final.
    function transient(code) {
      return code === 0 || code >= 500 || code === 409 || code === 423;
    }

    // Retry at once only while the phone believes it is online; otherwise
    // give up the attempt and wait for the signal (see waitForSignal).
    function shouldRetry(error) {
      return navigator.onLine !== false && transient(statusOf(error));
    }

    // The tus endpoints explain refusals in one line of plain text. Any
    // other body is the site's error page, which for these requests means
    // the session or its CSRF token is gone.
    function serverMessage(error) {
      var response = error && error.originalResponse;
      var type = response ? response.getHeader("Content-Type") || "" : "";
      if (type.indexOf("text/plain") !== 0) {
        return null;
      }
      return String(response.getBody() || "").trim().slice(0, 300) || null;
    }

    // ---- One upload ------------------------------------------------------

    function record(current) {
      return { file: current.file, url: current.url, done: current.done,
        touched: Date.now() };
    }

    function begin(file, url) {
      stop();
      job = { file: file, url: url || null, upload: null, done: false,
        waiting: false, held: null, tries: 0, accepted: 0 };
      keep(record(job));
      run(job);
    }

    function run(current) {
      loadClient().then(function (tus) {
        if (current !== job) {
          return;
        }
        if (!current.upload) {
          current.upload = makeUpload(tus, current);
        }
        current.upload.start();
      }, function () {
        if (current !== job) {
          return;
        }
        if (navigator.onLine === false) {
          waitForSignal(current);
        } else if (input.files && input.files.length) {
          // The client itself is missing: let the form carry the file.
          job = null;
          forget();
          say(TEXT.plain);
        } else {
          job = null;
          forget();
          say(TEXT.failed, "error");
        }
      });
    }

    function makeUpload(tus, current) {
      var upload = new tus.Upload(current.file, {
        endpoint: ENDPOINT,
        uploadUrl: current.url,
        chunkSize: CHUNK_BYTES,
        retryDelays: RETRY_DELAYS,
        storeFingerprintForResuming: false,
        metadata: {
          filename: current.file.name || "sk.pdf",
          filetype: current.file.type || ""
        },
        headers: { "X-CSRFToken": csrfToken() },
        onShouldRetry: shouldRetry,
        onUploadUrlAvailable: function () {
          if (current.url !== upload.url) {
            current.url = upload.url;
            keep(record(current));
          }
        },
        onProgress: function (sent, total) {
          if (current === job) {
            showProgress(sent, total);
          }
        },
        onChunkComplete: function (_size, accepted) {
          current.accepted = accepted;
        },
        onSuccess: function () {
          if (current === job) {
            finished(current);
          }
        },
        onError: function (error) {
          if (current === job) {
            failed(current, error);
          }
        }
      });
      return upload;
    }

    function failed(current, error) {
      var code = statusOf(error);
      if (transient(code)) {
        waitForSignal(current);
        return;
      }
      // A refusal. When the session is the cause, the file stays kept for
      // after the next login; otherwise it has to be chosen again.
      var message = serverMessage(error);
      job = null;
      bar.hidden = true;
      if (code === 401 || code === 403 || message === null) {
        say(message || TEXT.session, "error");
        return;
      }
      forget();
      input.value = "";
      say(message, "error");
    }

    function waitForSignal(current) {
      current.waiting = true;
      window.clearTimeout(resumeTimer);
      if (current.tries >= RESUME_LIMIT) {
        say(TEXT.stalled, "error");
        return;
      }
      current.tries += 1;
      say(TEXT.offline + size(current.accepted) + " dari " +
        size(current.file.size) + ".");
      resumeTimer = window.setTimeout(function () {
        resume(current);
      }, RESUME_EVERY_MS);
    }

    function resume(current) {
      if (current !== job || !current.waiting) {
        return;
      }
      current.waiting = false;
      window.clearTimeout(resumeTimer);
      say(TEXT.starting);
      run(current);
    }

    function stop() {
      window.clearTimeout(resumeTimer);
      if (job && job.upload && !job.done) {
        // The server may drop what arrived of the file no longer wanted.
        job.upload.abort(true).catch(function () {});
      }
      job = null;
    }

    function finished(current) {
      current.done = true;
      current.file = null;
      input.value = "";
      bar.value = 100;
      keep(record(current));
      say(TEXT.checking);
      askVerdict(current, 0);
    }

    function askVerdict(current, attempt) {
      window.fetch(current.url + "/hasil", {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      }).then(function (verdict) {
        if (current !== job) {
          return;
        }
        if (verdict.state === "checking" && attempt < VERDICT_LIMIT) {
          window.setTimeout(function () {
            askVerdict(current, attempt + 1);
          }, VERDICT_EVERY_MS);
          return;
        }
        job = null;
        bar.hidden = true;
        forget();
        if (verdict.ok) {
          replaceSavedNote();
          say(verdict.message);
          if (current.held) {
            send(current.held.submitter);
          }
        } else {
          say(verdict.message || TEXT.failed, "error");
        }
      }).catch(function () {
        if (current !== job) {
          return;
        }
        if (attempt < VERDICT_LIMIT) {
          window.setTimeout(function () {
            askVerdict(current, attempt + 1);
          }, RESUME_EVERY_MS / 3);
        } else {
          job = null;
          say(TEXT.verdictLost, "error");
        }
      });
    }

    // ---- The page --------------------------------------------------------

    function looksLikePdf(file) {
      var type = (file.type || "").toLowerCase();
      if (PDF_TYPES.indexOf(type) >= 0) {
        return true;
      }
      return VAGUE_TYPES.indexOf(type) >= 0 && /\.pdf$/i.test(file.name || "");
    }

    function problemWith(file) {
      if (!file.size) {
        return TEXT.empty;
      }
      if (file.size > MAX_BYTES) {
        return TEXT.tooBig;
      }
      if (!looksLikePdf(file)) {
        return TEXT.notPdf;
      }
      return null;
    }

    // Start fetching the client as soon as the field is touched: the file
    // picker takes a few seconds, which is time enough on a slow line.
    function warmUp() {
      loadClient().catch(function () {});
    }
    input.addEventListener("focus", warmUp);
    input.addEventListener("pointerdown", warmUp);

    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      dropServerMessages();
      var problem = problemWith(file);
      if (problem) {
        stop();
        forget();
        input.value = "";
        bar.hidden = true;
        say(problem, "error");
        return;
      }
      say(TEXT.starting);
      begin(file, null);
    });

    function send(submitter) {
      var form = input.form;
      if (form && form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else if (form) {
        form.submit();
      }
    }

    // Simpan during the upload: the form goes once the SK is stored, so that
    // the file is not sent a second time with it. Listening in the capture
    // phase on the document runs this before any other submit handler and
    // still finds the form if the page around the field was swapped.
    document.addEventListener("submit", function (event) {
      if (event.target === input.form && job && !job.done) {
        event.preventDefault();
        job.held = { submitter: event.submitter || null };
        say(TEXT.held);
      }
    }, true);

    window.addEventListener("online", function () {
      if (job && job.waiting) {
        resume(job);
      }
    });

    // On a slow line the official may pick the file before this script has
    // arrived: take that file now as if it had just been chosen.
    if (input.files && input.files[0]) {
      input.dispatchEvent(new Event("change"));
    }

    // After a reload: go on with a file kept from before, or fetch the
    // verdict of one that had finished.
    kept().then(function (saved) {
      if (!saved || job) {
        return;
      }
      if (!(Date.now() - saved.touched < KEEP_MS)) {
        forget();
        return;
      }
      if (saved.done && saved.url) {
        job = { file: null, url: saved.url, upload: null, done: true };
        say(TEXT.checking);
        askVerdict(job, 0);
      } else if (saved.file) {
        say(TEXT.resuming + (saved.file.name || "sk.pdf"));
        begin(saved.file, saved.url);
      }
    });
  }
})();
