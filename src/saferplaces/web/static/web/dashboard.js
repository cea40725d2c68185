/* The performance dashboard: draw each Vega-Lite spec embedded in the page (built once in
   Python) with vega-embed, and the district choropleth with Leaflet (no tile layer). */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawCharts() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-spec]").forEach(function (el) {
      var spec = readJson(el.getAttribute("data-spec"));
      if (!spec) return;
      window.vegaEmbed(el, spec, {
        renderer: "svg", actions: false,
        // Content-Security-Policy: no injected <style>, no `new Function` (vega-interpreter)
        defaultStyle: false, ast: true, expr: window.vegaInterpreter.expressionInterpreter
      })
        .then(function () { el.classList.add("sp-chart__canvas--drawn"); })
        .catch(function (err) {
          el.textContent = "This chart could not be drawn. The figures are in the table below it.";
          if (window.console) window.console.error(err);
        });
    });
  }

  var BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

  function colour(rate, min, max) {
    if (rate === null || rate === undefined) return "#e8e8e8";
    if (max <= min) return BLUES[2];
    var i = Math.min(BLUES.length - 1, Math.floor(((rate - min) / (max - min)) * BLUES.length));
    return BLUES[i];
  }

  function fmt(value, places) {
    return Number(value).toLocaleString("en-GB", {
      minimumFractionDigits: places, maximumFractionDigits: places
    });
  }

  function drawMap() {
    var el = document.getElementById("district-map");
    if (!el || typeof window.L === "undefined") return;
    var values = readJson(el.getAttribute("data-values")) || { districts: {} };
    var rates = Object.keys(values.districts)
      .map(function (k) { return values.districts[k].rate; })
      .filter(function (r) { return r !== null; });
    var min = Math.min.apply(null, rates), max = Math.max.apply(null, rates);
    var map = window.L.map(el, {
      zoomControl: true, attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25
    });
    fetch(el.getAttribute("data-boundaries"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var compared = [];
        var layer = window.L.geoJSON(geojson, {
          style: function (f) {
            var d = values.districts[f.properties.LAD22CD];
            return {
              color: d && d.selected ? "#0b0c0c" : "#ffffff",
              weight: d && d.selected ? 3 : 1,
              fillColor: colour(d ? d.rate : null, min, max),
              fillOpacity: d ? 0.9 : 0.5
            };
          },
          onEachFeature: function (f, lyr) {
            var d = values.districts[f.properties.LAD22CD];
            var text = f.properties.LAD22NM + ": " +
              (!d ? "not in this comparison" :
                d.rate === null ? "no data held" : fmt(d.rate, 1) + " per 1,000 (" + fmt(d.count, 0) + ")");
            lyr.bindTooltip(text, { sticky: true });
            if (d) compared.push(lyr);
          }
        }).addTo(map);
        var focus = compared.length ? window.L.featureGroup(compared) : layer;
        map.fitBounds(focus.getBounds(), { padding: [8, 8] });
        el.classList.add("sp-map--drawn");
        drawLegend(map, min, max, rates.length > 0);
      })
      .catch(function () { el.textContent = "The map could not be drawn. The figures are in the table beside it."; });
  }

  function drawLegend(map, min, max, any) {
    var legend = window.L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = window.L.DomUtil.create("div", "sp-map__legend");
      if (!any) { div.textContent = "No data held"; return div; }
      if (max <= min) {
        div.innerHTML = '<strong>Per 1,000</strong><span><i style="background:' + BLUES[2] +
          '"></i>' + fmt(min, 1) + '</span><span><i style="background:#e8e8e8"></i>No data held</span>';
        return div;
      }
      var step = (max - min) / BLUES.length;
      div.innerHTML = "<strong>Per 1,000</strong>" + BLUES.map(function (c, i) {
        return '<span><i style="background:' + c + '"></i>' + fmt(min + i * step, 1) + "–" +
          fmt(min + (i + 1) * step, 1) + "</span>";
      }).join("") + '<span><i style="background:#e8e8e8"></i>No data held</span>';
      return div;
    };
    legend.addTo(map);
  }

  drawCharts();
  drawMap();
})();
