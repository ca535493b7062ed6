/* The draft's rich editor, where the browser keeps the HTML pasted from Word/WPS; the server sanitises it on save. */
(function () {
  "use strict";
  function start() {
    var editor = document.getElementById("body-editor"), area = document.querySelector("textarea[name=body]");
    if (!editor || !area) { return; }
    editor.hidden = false; area.hidden = true;
    document.querySelector(".editor-tools").hidden = false;
    document.querySelectorAll(".editor-tools button").forEach(function (b) {
      b.addEventListener("click", function () { editor.focus(); document.execCommand(b.dataset.cmd, false, b.dataset.arg || null); });
    });
    document.getElementById("draft-form").addEventListener("submit", function () { area.value = editor.innerHTML; });
  }
  if (document.readyState !== "loading") { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
