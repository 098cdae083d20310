/* Draws the timeline charts of the dyad and actor pages with Chart.js (vendored, no CDN).
 *
 * The data comes from a <script type="application/json"> block written (escaped) by the
 * server: {labels, up, down, quad: {dir: {name: [...]}}, modes: {...}, goldstein: {dir: [...]},
 * strings: {...}}.  Counts of the "down" direction are negative, so it is drawn below the axis.
 * Nothing here builds HTML: Chart.js draws on canvas.
 */
(function () {
  "use strict";
  var QUAD_COLORS = {
    verbal_cooperation: "#7fb77e", material_cooperation: "#2e7d32",
    verbal_conflict: "#f2a541", material_conflict: "#c0392b"
  };
  var MODE_COLORS = {
    asserted: "#4a6fa5", claimed: "#8e44ad", denied: "#d35400",
    negated: "#7f8c8d", future: "#16a085", hypothetical: "#c9a227"
  };
  var LINE_COLORS = ["#1f2d3d", "#6c7a89"];

  function readData(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function barSets(data, split) {
    var colors = split === "quad" ? QUAD_COLORS : MODE_COLORS;
    var names = data.strings[split === "quad" ? "quad" : "mode"] || {};
    var sets = [];
    [data.up, data.down].forEach(function (dir, k) {
      var series = (data[split] || {})[dir] || {};
      Object.keys(colors).forEach(function (name) {
        var values = series[name];
        if (!values || !values.some(function (v) { return v !== 0; })) { return; }
        sets.push({
          type: "bar", label: (k === 0 ? data.strings.up : data.strings.down) + ": " + (names[name] || name),
          data: values, backgroundColor: k === 0 ? colors[name] : colors[name] + "99", stack: "events",
          yAxisID: "y", borderColor: colors[name], borderWidth: k === 0 ? 0 : 1
        });
      });
    });
    return sets;
  }

  function lineSets(data) {
    var sets = [];
    [data.up, data.down].forEach(function (dir, k) {
      var values = (data.goldstein || {})[dir];
      if (!values || !values.some(function (v) { return v !== null; })) { return; }
      sets.push({
        type: "line", label: data.strings.goldstein + " " + (k === 0 ? data.strings.up : data.strings.down),
        data: values, yAxisID: "g", borderColor: LINE_COLORS[k], backgroundColor: LINE_COLORS[k],
        borderDash: k === 0 ? [] : [5, 4], spanGaps: true, pointRadius: 3, tension: 0
      });
    });
    return sets;
  }

  function draw(canvas) {
    var data = readData(canvas.getAttribute("data-chart"));
    if (!data || !window.Chart) { return null; }
    var split = canvas.getAttribute("data-split") === "modes" ? "modes" : "quad";
    var datasets = barSets(data, split);
    var withLine = split === "quad" && data.goldstein && Object.keys(data.goldstein).length > 0;
    if (withLine) { datasets = datasets.concat(lineSets(data)); }
    var scales = {
      x: { stacked: true, ticks: { maxRotation: 60, autoSkip: true } },
      y: {
        stacked: true, position: "left", title: { display: true, text: data.strings.events },
        ticks: { precision: 0, callback: function (v) { return Math.abs(v); } }
      }
    };
    if (withLine) {
      scales.g = { position: "right", min: -10, max: 10, grid: { drawOnChartArea: false },
                   title: { display: true, text: data.strings.goldstein } };
    }
    return new window.Chart(canvas, {
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) {
            var v = ctx.parsed.y;
            return ctx.dataset.label + ": " + (ctx.dataset.type === "line" ? v : Math.abs(v));
          } } }
        }
      }
    });
  }

  function init() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    window.marsadCharts = [];
    for (var i = 0; i < canvases.length; i++) {
      var chart = draw(canvases[i]);
      if (chart) { window.marsadCharts.push(chart); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
