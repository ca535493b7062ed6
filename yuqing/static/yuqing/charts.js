/* The pages' charts, drawn from data the templates embed with json_script (no inline scripts, for the CSP).
   A <canvas data-chart="kind" data-source="id-of-json-script"> is drawn by the function of that kind. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var colours = {negative: "#c0392b", neutral: "#7f8c8d", positive: "#27ae60",
                 level_1: "#2e86de", level_2: "#f1c40f", level_3: "#e67e22", level_4: "#8e1b1b"};

  var kinds = {
    // an item's metrics over time; labels: {views, comments, reposts, likes}
    metrics: function (canvas, d) {
      var names = data(canvas.getAttribute("data-labels")) || {};
      var series = ["views", "comments", "reposts", "likes"];
      return {type: "line",
        data: {labels: d.labels, datasets: series.filter(function (k) { return d[k].some(function (v) { return v !== null; }); })
          .map(function (k) { return {label: names[k] || k, data: d[k], spanGaps: true, yAxisID: k === "views" ? "y1" : "y"}; })},
        options: {scales: {y: {beginAtZero: true}, y1: {beginAtZero: true, position: "right"}}}};
    },
    // the dashboard's trend by sentiment, with the levels dashed
    trend: function (canvas, t) {
      var levels = data(canvas.getAttribute("data-levels")) || {};
      var sentiments = data(canvas.getAttribute("data-sentiments")) || {};
      var sets = Object.keys(sentiments).map(function (k) {
        return {label: sentiments[k], data: t[k], borderColor: colours[k], backgroundColor: colours[k]};
      });
      Object.keys(levels).forEach(function (k) {
        sets.push({label: levels[k], data: t[k], borderDash: [5, 4], borderColor: colours[k], backgroundColor: colours[k],
                   hidden: !t[k].some(function (v) { return v > 0; })});
      });
      return {type: "line", data: {labels: t.labels, datasets: sets},
        options: {responsive: true, maintainAspectRatio: false, scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
                  plugins: {legend: {labels: {boxWidth: 12}}}}};
    },
    platforms: function (canvas, p) {
      return {type: "doughnut", data: {labels: p.labels, datasets: [{data: p.values}]},
        options: {responsive: true, maintainAspectRatio: false, plugins: {legend: {position: "bottom", labels: {boxWidth: 12}}}}};
    },
    // an event's mentions and comments; labels: {mentions, comments}
    event: function (canvas, d) {
      var names = data(canvas.getAttribute("data-labels")) || {};
      return {type: "line", data: {labels: d.labels, datasets: [
        {label: names.mentions || "mentions", data: d.mentions, yAxisID: "y"},
        {label: names.comments || "comments", data: d.comments, yAxisID: "y1"}]},
        // Counts are whole numbers: no 0.5 steps on either axis.
        options: {scales: {y: {position: "left", beginAtZero: true, ticks: {precision: 0}},
                           y1: {position: "right", beginAtZero: true, ticks: {precision: 0}}}}};
    }
  };

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
      var make = kinds[canvas.getAttribute("data-chart")];
      var d = data(canvas.getAttribute("data-source"));
      if (make && d) { new window.Chart(canvas, make(canvas, d)); }
    });
  }

  if (document.readyState !== "loading") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
