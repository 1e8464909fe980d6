// Draws the charts of a page: each .chart-canvas carries its ECharts option as JSON in
// data-chart. The same figures stand in a table on the page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    Array.prototype.forEach.call(document.querySelectorAll(".chart-canvas[data-chart]"), function (element) {
      var option;
      try {
        option = JSON.parse(element.getAttribute("data-chart"));
      } catch (e) {
        return;
      }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
      element.setAttribute("data-drawn", "true");
    });
  });
})();
