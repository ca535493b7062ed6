// Live countdowns for deadlines: every element with data-due (an ISO time) shows the time left or overdue.
(function () {
  // Units come from the page (data-units="天,小时,分钟"), so the countdown speaks the reader's language.
  function fmt(ms, units) {
    const u = (units || "d,h,min").split(",");
    const m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60);
    return (d ? d + u[0] + " " : "") + (d || h ? h + u[1] + " " : "") + (m % 60) + u[2];
  }
  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (el) {
      const left = new Date(el.dataset.due).getTime() - Date.now();
      const text = fmt(left, el.dataset.units);
      el.textContent = left >= 0 ? text + " " + el.dataset.left : el.dataset.overdue + " " + text;
      el.classList.toggle("bad", left < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
})();
