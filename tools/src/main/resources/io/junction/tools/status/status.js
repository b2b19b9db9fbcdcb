// The status page: polls /status.json each second and draws it; plain JS, no build step.
"use strict";
(function () {
  var HISTORY = 120;
  var history = [];
  var SVG = "http://www.w3.org/2000/svg";

  function byId(id) { return document.getElementById(id); }
  function number(n) { return Math.round(n).toLocaleString("en-US"); }
  function rate(n) { return n >= 100 ? number(n) : n.toFixed(n >= 10 ? 1 : 2); }
  function duration(ns) {
    if (ns >= 1e9) { return (ns / 1e9).toFixed(2) + " s"; }
    if (ns >= 1e6) { return (ns / 1e6).toFixed(2) + " ms"; }
    if (ns >= 1e3) { return (ns / 1e3).toFixed(1) + " \u00b5s"; }
    return ns + " ns";
  }
  function cell(row, text, numeric) {
    var td = document.createElement("td");
    td.textContent = text;
    if (numeric) { td.className = "num"; }
    row.appendChild(td);
  }
  function svgElement(name, attributes) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    return element;
  }

  function drawRates(status) {
    Object.keys(status.rates).forEach(function (name) {
      var element = byId("rate-" + name);
      if (element) {
        element.textContent = rate(status.rates[name]);
        element.title = number(status.totals[name]) + " in total";
      }
    });
  }

  function drawLatency(status) {
    var body = byId("latency-table").tBodies[0];
    body.textContent = "";
    status.latency.forEach(function (s) {
      var row = body.insertRow();
      cell(row, s.stage);
      cell(row, duration(s.p50Ns), true);
      cell(row, duration(s.p99Ns), true);
      cell(row, duration(s.p999Ns), true);
      cell(row, duration(s.maxNs), true);
      cell(row, number(s.count), true);
    });
    var stage = status.latency.filter(function (s) { return s.stage === "offer_to_deliver"; })[0] || status.latency[0];
    if (stage) {
      history.push(stage);
      if (history.length > HISTORY) { history.shift(); }
    }
    plot();
  }

  function plot() {
    var svg = byId("latency-plot");
    svg.textContent = "";
    // The drawing's width is the element's, so the plot fills the panel and its text keeps its size.
    var width = Math.max(300, svg.clientWidth || 800), height = 220, left = 60, bottom = 20, top = 10;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var highest = 1;
    history.forEach(function (s) { highest = Math.max(highest, s.maxNs); });
    for (var i = 0; i <= 4; i++) {
      var y = top + (height - top - bottom) * i / 4;
      svg.appendChild(svgElement("line", { x1: left, x2: width, y1: y, y2: y, "class": "grid" }));
      var label = svgElement("text", { x: 4, y: y + 4 });
      label.textContent = duration(Math.round(highest * (4 - i) / 4));
      svg.appendChild(label);
    }
    [["p50Ns", "p50"], ["p99Ns", "p99"], ["p999Ns", "p999"], ["maxNs", "max"]].forEach(function (series, n) {
      var points = history.map(function (s, i) {
        var x = left + (width - left) * (HISTORY - history.length + i) / (HISTORY - 1);
        var y = top + (height - top - bottom) * (1 - s[series[0]] / highest);
        return x.toFixed(1) + "," + y.toFixed(1);
      });
      svg.appendChild(svgElement("polyline", { points: points.join(" "), "class": series[1] }));
      var key = svgElement("text", { x: left + 10 + n * 70, y: height - 4, "class": series[1] });
      key.textContent = series[1] === "p999" ? "p99.9" : series[1];
      svg.appendChild(key);
    });
  }

  function drawAlarms(status) {
    var list = byId("alarms");
    list.textContent = "";
    byId("alarm-count").textContent = status.alarms.length;
    if (status.alarms.length === 0) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "none raised";
      list.appendChild(none);
    }
    status.alarms.forEach(function (a) {
      var item = document.createElement("li");
      item.className = "alarm";
      var severity = document.createElement("span");
      severity.className = "sev " + a.severity;
      severity.textContent = a.severity;
      item.appendChild(severity);
      var name = document.createElement("strong");
      name.textContent = a.alarm;
      item.appendChild(name);
      item.appendChild(document.createTextNode(" " + a.condition + (a.value === null ? "" : ", value " + Number(a.value.toPrecision(4))) +
        (a.description ? " \u2014 " + a.description : "") + ", since " + new Date(a.timeMs).toLocaleTimeString()));
      list.appendChild(item);
    });
  }

  function drawSubscriptions(status) {
    byId("subscription-count").textContent = number(status.subscriptions.active);
    var body = byId("subscriptions").tBodies[0];
    body.textContent = "";
    status.subscriptions.shown.forEach(function (s) {
      var row = body.insertRow();
      cell(row, s.id, true);
      cell(row, s.pattern);
      cell(row, s.name || "");
      cell(row, number(s.delivered), true);
      cell(row, number(s.dropped), true);
      cell(row, number(s.queueDepth), true);
    });
    Object.keys(status.connections).forEach(function (key) {
      var element = byId("conn-" + key);
      if (element) { element.textContent = number(status.connections[key]); }
    });
  }

  function poll() {
    fetch("status.json", { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (status) {
        drawRates(status);
        drawLatency(status);
        drawAlarms(status);
        drawSubscriptions(status);
        byId("version").textContent = "version " + status.version;
        byId("updated").textContent = "updated " + new Date(status.timeMs).toLocaleTimeString();
      })
      .catch(function (error) { byId("updated").textContent = "cannot reach the daemon: " + error.message; })
      .then(function () { setTimeout(poll, 1000); });
  }

  poll();
})();
