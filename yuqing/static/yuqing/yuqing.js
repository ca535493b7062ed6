/* Yuqing's few behaviours, in a static file (no inline scripts, so a strict CSP can forbid them). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Phone width: the navigation folds behind a menu button.
  function navToggle() {
    var button = document.querySelector(".navtoggle");
    var bar = document.querySelector(".topbar");
    if (!button || !bar) { return; }
    button.addEventListener("click", function () {
      var open = bar.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Tables become cards under ~600 px: each cell is labelled with its column's heading.
  function labelCells(root) {
    var tables = (root || document).querySelectorAll("table.list");
    Array.prototype.forEach.call(tables, function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (!cell.hasAttribute("data-label") && heads[i] && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }

  // "Previous page" links go back in history when there is one (the href is the start page otherwise).
  function backLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.js-back");
      if (link && window.history.length > 1 && document.referrer) {
        event.preventDefault();
        window.history.back();
      }
    });
  }

  // <select data-autosubmit> submits its form on change (the organisation switcher).
  function autoSubmit() {
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
        event.target.form.submit();
      }
    });
  }

  // A plain (non-htmx) form marked data-busy shows it is working and cannot be sent twice.
  function busyForms() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-busy]") || form.hasAttribute("hx-post")) { return; }
      form.classList.add("busy");
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type])"), function (b) {
        b.disabled = true;
      });
    });
  }

  // Pages polling a background job (data-poll-url) refresh their progress until the job is done.
  function pollJobs() {
    var box = document.querySelector("[data-poll-url]");
    if (!box) { return; }
    var url = box.getAttribute("data-poll-url");
    var timer = window.setInterval(function () {
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.text().then(function (t) { return [r, t]; }); })
        .then(function (pair) {
          box.innerHTML = pair[1];
          labelCells(box);
          if (pair[0].headers.get("X-Job-Done") === "1") { window.clearInterval(timer); }
        })
        .catch(function () { /* keep polling: the server may be restarting */ });
    }, 1000);
  }

  // Behaviours that used to be inline handlers (the Content-Security-Policy forbids those):
  // <form data-confirm="…"> asks before submitting; [data-select-on-click] selects its text;
  // <button data-copy="id"> copies that field's value; <button data-print> prints the page.
  function declaredBehaviours() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
    document.addEventListener("click", function (event) {
      var el = event.target;
      if (!el.closest) { return; }
      if (el.matches("[data-select-on-click]")) { el.select(); }
      var copy = el.closest("[data-copy]");
      if (copy && navigator.clipboard) {
        var field = document.getElementById(copy.getAttribute("data-copy"));
        if (field) { navigator.clipboard.writeText(field.value); }
      }
      if (el.closest("[data-print]")) { window.print(); }
    });
  }

  ready(function () {
    declaredBehaviours();
    navToggle();
    labelCells(document);
    backLinks();
    autoSubmit();
    busyForms();
    pollJobs();
    document.body.addEventListener("htmx:afterSwap", function (event) { labelCells(event.target); });
  });
})();
