/* qunzhu health charts: one renderer for the console and the offline HTML report.
 * Reads <script type="application/json" id="health-data-N"> (a group of the JSON report,
 * see docs/health.md) and <script type="application/json" id="health-labels"> (translated
 * labels), and draws into elements marked data-chart="activity|tiers|graph|heatmap|radar"
 * inside the element marked data-health-group="N". No network: ECharts is served locally. */
(function () {
  "use strict";
  var STAGE_COLORS = {launch: "#dbeafe", burst: "#dcfce7", plateau: "#f1f5f9",
                      decline: "#fef3c7", zombie: "#fee2e2"};
  var TIER_COLORS = {high: "#b91c1c", middle: "#d97706", ordinary: "#64748b", lurker: "#cbd5e1"};
  var charts = [];

  /* Member names and chat text are written by anyone in a group: never HTML. ECharts puts a
   * tooltip formatter's string into the page as HTML, so every such value is escaped here. */
  function esc(value) {
    return echarts.format.encodeHTML(String(value));
  }

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function bands(life, L) {
    var out = [], start = 0;
    for (var i = 1; i <= life.stages.length; i++) {
      if (i === life.stages.length || life.stages[i] !== life.stages[start]) {
        var s = life.stages[start];
        out.push([{name: L.stages[s] || s, xAxis: life.weeks[start],
                   itemStyle: {color: STAGE_COLORS[s] || "#f8fafc"}},
                  {xAxis: life.weeks[i - 1]}]);
        start = i;
      }
    }
    return out;
  }

  function activity(el, g, L) {
    var life = g.lifecycle;
    var warn = [];
    life.warning.forEach(function (w, i) {
      if (w) warn.push({coord: [life.weeks[i], life.active[i]], value: "!"});
    });
    return {
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 48, right: 48, top: 36, bottom: 56},
      dataZoom: [{type: "slider", height: 18, bottom: 8}, {type: "inside"}],
      xAxis: {type: "category", data: life.weeks},
      yAxis: [{type: "value", name: L.active}, {type: "value", name: L.risk, max: 100,
                                                 splitLine: {show: false}}],
      series: [
        {name: L.active, type: "bar", data: life.active, itemStyle: {color: "#93c5fd"},
         markArea: {silent: true, data: bands(life, L)},
         markPoint: {symbol: "pin", symbolSize: 36, data: warn,
                     itemStyle: {color: "#dc2626"}, label: {color: "#fff"}}},
        {name: L.smoothed, type: "line", data: life.smoothed, smooth: true,
         lineStyle: {width: 3, color: "#1d4ed8"}, showSymbol: false},
        {name: L.zombie_line, type: "line", data: life.zombie_line, step: "end",
         lineStyle: {type: "dashed", color: "#dc2626"}, showSymbol: false},
        {name: L.risk, type: "line", yAxisIndex: 1, data: life.risk, showSymbol: false,
         lineStyle: {color: "#f97316", width: 1.5}}
      ]
    };
  }

  function tiers(el, g, L) {
    var names = ["high", "middle", "ordinary"];
    var pct = function (x) { return Math.round((x || 0) * 1000) / 10; };
    return {
      tooltip: {trigger: "axis", valueFormatter: function (v) { return v + "%"; }},
      legend: {top: 0},
      grid: {left: 70, right: 16, top: 30, bottom: 24},
      xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", data: [L.target, L.actual]},
      series: names.map(function (n) {
        return {name: L.tiers[n], type: "bar", stack: "t", itemStyle: {color: TIER_COLORS[n]},
                label: {show: true, formatter: function (p) { return p.value ? p.value + "%" : ""; }},
                data: [pct(g.tiers.target[n]), pct(g.tiers.shares[n])]};
      })
    };
  }

  function graph(el, g, L) {
    var nodes = g.graph.top_nodes, maxPr = 0;
    nodes.forEach(function (n) { maxPr = Math.max(maxPr, n.pagerank); });
    var ids = {}, names = {};
    nodes.forEach(function (n) { ids[n.id] = true; names[String(n.id)] = n.name; });
    var communities = {};
    nodes.forEach(function (n) { communities[n.community] = true; });
    var cats = Object.keys(communities).map(function (c) { return {name: L.circle + " " + (+c + 1)}; });
    return {
      tooltip: {formatter: function (p) {
        if (p.dataType === "edge") {
          return esc(names[p.data.source] || p.data.source) + " — " +
                 esc(names[p.data.target] || p.data.target) + ": " + esc(p.data.value);
        }
        var n = p.data.raw;
        return esc(n.name) + "<br>" + esc(L.tiers[n.tier]) + " · PageRank " + n.pagerank.toFixed(3) +
               "<br>" + esc(L.degree) + " " + n.degree + " · " + esc(L.betweenness) + " " +
               n.betweenness.toFixed(3);
      }},
      legend: {top: 0, type: "scroll", data: cats.map(function (c) { return c.name; })},
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, categories: cats,
        force: {repulsion: 90, edgeLength: [30, 120], gravity: 0.08},
        label: {show: true, position: "right", formatter: function (p) {
          return p.data.raw.pagerank >= 0.5 * maxPr ? p.data.raw.name : ""; }},
        lineStyle: {color: "source", opacity: 0.35, curveness: 0.1},
        emphasis: {focus: "adjacency"},
        data: nodes.map(function (n) {
          return {id: String(n.id), name: n.name, raw: n, category: n.community,
                  symbolSize: 6 + 34 * Math.sqrt(n.pagerank / (maxPr || 1))};
        }),
        links: g.graph.top_edges.filter(function (e) { return ids[e[0]] && ids[e[1]]; })
          .map(function (e) {
            return {source: String(e[0]), target: String(e[1]), value: e[2],
                    lineStyle: {width: Math.min(1 + Math.log(1 + e[2]), 6)}};
          })
      }]
    };
  }

  function heatmap(el, g, L) {
    var data = [], max = 1;
    g.activity.heatmap.forEach(function (row, d) {
      row.forEach(function (v, h) { data.push([h, d, v]); if (v > max) max = v; });
    });
    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(h + ":00");
    return {
      tooltip: {formatter: function (p) {
        return L.weekdays[p.value[1]] + " " + p.value[0] + ":00 — " + p.value[2] + " " + L.messages; }},
      grid: {left: 48, right: 16, top: 8, bottom: 56},
      xAxis: {type: "category", data: hours, splitArea: {show: true}},
      yAxis: {type: "category", data: L.weekdays, inverse: true},
      visualMap: {min: 0, max: max, orient: "horizontal", left: "center", bottom: 0,
                  itemHeight: 120, calculable: true},
      series: [{type: "heatmap", data: data}]
    };
  }

  function radar(el, g, L) {
    return {
      tooltip: {},
      radar: {indicator: g.elements.map(function (e) { return {name: L.elements[e.code], max: 100}; }),
              radius: "65%"},
      series: [{type: "radar", areaStyle: {opacity: 0.25},
                data: [{name: L.score, value: g.elements.map(function (e) { return e.score; })}]}]
    };
  }

  var BUILDERS = {activity: activity, tiers: tiers, graph: graph, heatmap: heatmap, radar: radar};

  function draw(root) {
    var L = json("health-labels");
    var scope = root || document;
    var inside = scope.closest ? scope.closest("[data-health-group]") : null;
    var boxes = inside ? [inside] : Array.prototype.slice.call(scope.querySelectorAll("[data-health-group]"));
    boxes.forEach(function (box) {
      var g = json("health-data-" + box.getAttribute("data-health-group"));
      if (!g) return;
      box.querySelectorAll("[data-chart]").forEach(function (el) {
        if (el.getAttribute("data-drawn")) return;
        var build = BUILDERS[el.getAttribute("data-chart")];
        if (!build || el.offsetParent === null) return; // hidden tabs are drawn when shown
        var chart = echarts.init(el, null, {renderer: "canvas"});
        chart.setOption(build(el, g, L));
        el.setAttribute("data-drawn", "1");
        charts.push(chart);
      });
    });
  }

  // A chart in a pane just hidden must not be resized to nothing: ECharts' force layout
  // keeps animating and fails on a zero-sized view ("reading '0' of null").
  function resizeVisible() {
    charts.forEach(function (c) { if (c.getDom().offsetParent !== null) c.resize(); });
  }

  function tabs() {
    document.querySelectorAll("[data-tabs]").forEach(function (bar) {
      bar.addEventListener("click", function (ev) {
        var btn = ev.target.closest("[data-tab]");
        if (!btn) return;
        var scope = document.getElementById(bar.getAttribute("data-tabs"));
        scope.querySelectorAll(":scope > [data-pane]").forEach(function (p) {
          p.hidden = p.getAttribute("data-pane") !== btn.getAttribute("data-tab");
        });
        bar.querySelectorAll("[data-tab]").forEach(function (b) {
          b.classList.toggle("current", b === btn);
          b.setAttribute("aria-selected", b === btn ? "true" : "false");
        });
        draw(scope);
        resizeVisible();
      });
    });
  }

  function filters() {
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        document.querySelectorAll(input.getAttribute("data-filter") + " tbody tr").forEach(function (tr) {
          tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
    });
  }

  function sortable() {
    document.querySelectorAll("table[data-sortable] th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var table = th.closest("table"), body = table.tBodies[0];
        var i = Array.prototype.indexOf.call(th.parentNode.children, th);
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[i].getAttribute("data-value") || a.cells[i].textContent;
          var y = b.cells[i].getAttribute("data-value") || b.cells[i].textContent;
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function start() {
    tabs(); filters(); sortable(); draw(document);
    window.addEventListener("resize", resizeVisible);
    document.documentElement.setAttribute("data-charts-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
