/* Dashboard charts (Apache ECharts, served locally). Data comes from the page's JSON. */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var charts = [];

  function targetLine() {
    if (data.target === null) { return undefined; }
    return { silent: true, symbol: "none", lineStyle: { color: "#c0392b", type: "dashed" },
             label: { formatter: "目标 " + data.target }, data: [{ yAxis: data.target }] };
  }

  function draw(id, kind, series, name, withTarget) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 64 },
      xAxis: { type: "category", data: series.labels, axisLabel: { rotate: series.labels.length > 6 ? 40 : 0 } },
      yAxis: { type: "value" },
      series: [{ name: name, type: kind, data: series.values, connectNulls: false,
                 markLine: withTarget ? targetLine() : undefined,
                 itemStyle: { color: "#1f6fb2" } }]
    });
    charts.push(chart);
  }

  draw("chart-trend", "line", data.trend, data.indicator, true);
  draw("chart-comparison", "bar", data.comparison, data.indicator, true);
  draw("chart-tasks", "bar", data.tasks, "完成率", false);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.weijiCharts = charts;
})();
