/* Dashboard charts: every <canvas data-chart="key"> is drawn from the JSON in #dashboard-charts.
   No inline script (strict CSP): the data comes from Django's json_script, this file draws it. */
(function () {
  "use strict";

  var PALETTE = ["#0b4f6c", "#d9731a", "#2a9d8f", "#8d5a97", "#c0392b", "#4d7ea8", "#5b8c3a", "#a67c00",
    "#6c757d", "#1b998b"];
  // Axis labels wrap onto up to four lines of about a third of the chart's width, whole words kept; tooltips and the
  // table view give the full text too. "Group › Item": the item is what tells bars apart, so it comes first.
  var MAX_LINES = 4;
  function wrap(label, width) {
    var max = Math.max(16, Math.floor(width / 16));
    label = String(label);
    var parts = label.split(" › ");
    if (parts.length > 1) {
      label = parts[parts.length - 1] + " (" + parts.slice(0, -1).join(" › ") + ")";
    }
    var lines = [];
    var line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > max) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    if (lines.length > MAX_LINES) {
      lines = lines.slice(0, MAX_LINES);
      lines[MAX_LINES - 1] = lines[MAX_LINES - 1].replace(/\s*\S*$/, "") + "…";
    }
    return lines.length === 1 ? lines[0] : lines;
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") {
      return [];
    }
    var specs = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = specs[canvas.dataset.chart];
      if (!spec) {
        return;
      }
      var horizontal = Boolean(spec.horizontal);
      var unit = spec.unit || "";
      var datasets = spec.datasets.map(function (ds, i) {
        var colour = PALETTE[i % PALETTE.length];
        return { label: ds.label, data: ds.data, backgroundColor: colour, borderColor: colour, borderWidth: 1 };
      });
      var categoryAxis = {
        stacked: Boolean(spec.stacked),
        ticks: {
          autoSkip: !horizontal,
          callback: function (value) { return wrap(this.getLabelForValue(value), canvas.clientWidth); }
        }
      };
      var valueAxis = { stacked: Boolean(spec.stacked), beginAtZero: true,
        ticks: { callback: function (value) { return value + unit; } } };
      charts.push(new window.Chart(canvas, {
        type: "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          indexAxis: horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { display: datasets.length > 1, position: "bottom" },
            subtitle: { display: Boolean(spec.note), text: spec.note || "", position: "bottom",
              color: "#595959", font: { size: 12 } },
            tooltip: {
              callbacks: {
                title: function (items) { return items.length ? spec.labels[items[0].dataIndex] : ""; },
                label: function (item) {
                  var value = item.raw === null ? "not shown (fewer than 5 practices)" : item.raw + unit;
                  return item.dataset.label + ": " + value;
                }
              }
            }
          },
          scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
        }
      }));
    });
    return charts;
  }

  function init() {
    var charts = draw();
    // Printed pages show every table and charts sized to the paper.
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details.chart-table").forEach(function (details) {
        details.dataset.wasOpen = details.open ? "1" : "";
        details.open = true;
      });
      charts.forEach(function (chart) { chart.resize(); });
    });
    window.addEventListener("afterprint", function () {
      document.querySelectorAll("details.chart-table").forEach(function (details) {
        details.open = details.dataset.wasOpen === "1";
      });
      charts.forEach(function (chart) { chart.resize(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
