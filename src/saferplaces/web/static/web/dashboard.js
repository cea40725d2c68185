/* The performance dashboard: draw each Vega-Lite spec embedded in the page (built once in
   Python) with vega-embed, and the district choropleth with Leaflet (no tile layer). */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* Each chart is one image, as the page marks it up (role="img", named by its heading or
     alt text): Vega makes its container a "graphics-document" labelled with the spec's
     description and gives every mark and axis its own role, many of them unnamed. Put the
     page's roles back and hide the drawing itself from assistive technology; the alt text
     and the table carry the figures. */
  function asImage(el) {
    el.setAttribute("role", "img");
    el.removeAttribute("aria-roledescription");
    el.removeAttribute("aria-label");
    var svg = el.querySelector("svg");
    if (svg) svg.setAttribute("aria-hidden", "true");
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
        .then(function () {
          asImage(el);
          el.classList.add("sp-chart__canvas--drawn");
        })
        .catch(function (err) {
          el.textContent = "This chart could not be drawn. The figures are in the table below it.";
          if (window.console) window.console.error(err);
        });
    });
  }

  var BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
  var NO_DATA = "#e8e8e8";

  function fmt(value, places) {
    return Number(value).toLocaleString("en-GB", {
      minimumFractionDigits: places, maximumFractionDigits: places
    });
  }

  /* Quintile breaks of the rates held, so each colour covers about a fifth of the areas. */
  function breaks(rates) {
    var sorted = rates.slice().sort(function (a, b) { return a - b; });
    var out = [];
    for (var i = 1; i < BLUES.length; i++) {
      out.push(sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / BLUES.length))]);
    }
    return out;
  }

  function colour(rate, cuts) {
    if (rate === null || rate === undefined) return NO_DATA;
    var i = 0;
    while (i < cuts.length && rate >= cuts[i]) i++;
    return BLUES[i];
  }

  function drawMap() {
    var el = document.getElementById("lsoa-map");
    if (!el || typeof window.L === "undefined") return;
    var values = (readJson(el.getAttribute("data-values")) || {}).lsoas || {};
    var rates = Object.keys(values)
      .map(function (k) { return values[k].rate; })
      .filter(function (r) { return r !== null && r !== undefined; });
    var cuts = breaks(rates);
    /* No zoom buttons and no keyboard focus: the map is a picture (role="img") whose
       figures are all in the table beside it. */
    var map = window.L.map(el, {
      zoomControl: false, attributionControl: false, keyboard: false,
      scrollWheelZoom: false, zoomSnap: 0.25, preferCanvas: false
    });
    fetch(el.getAttribute("data-map"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var areas = { type: "FeatureCollection", features: [] };
        var lines = { type: "FeatureCollection", features: [] };
        geojson.features.forEach(function (f) {
          (f.properties.kind === "outline" ? lines : areas).features.push(f);
        });
        var layer = window.L.geoJSON(areas, {
          style: function (f) {
            var v = values[f.properties.code];
            return { color: "#ffffff", weight: 0.5, fillColor: colour(v ? v.rate : null, cuts),
                     fillOpacity: 0.9 };
          },
          onEachFeature: function (f, lyr) {
            var v = values[f.properties.code];
            var text = f.properties.name + ": " + (!v || v.rate === null || v.rate === undefined
              ? "no data held"
              : fmt(v.rate, 1) + " per 1,000 (" + fmt(v.count, 0) + ")");
            lyr.bindTooltip(text, { sticky: true });
          }
        }).addTo(map);
        var outer = lines.features.length ? lines.features[lines.features.length - 1] : null;
        window.L.geoJSON(lines, {
          interactive: false,
          style: function (f) {
            var isPlace = outer !== null && f === outer && lines.features.length > 1;
            return { color: "#0b0c0c", weight: isPlace ? 3 : 1.5, fill: false };
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        el.classList.add("sp-map--drawn");
        drawLegend(map, cuts, rates);
      })
      .catch(function () {
        el.textContent = "The map could not be drawn. The figures are in the table beside it.";
      });
  }

  function drawLegend(map, cuts, rates) {
    var legend = window.L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = window.L.DomUtil.create("div", "sp-map__legend");
      var title = document.createElement("strong");
      title.textContent = "Per 1,000";
      div.appendChild(title);
      function row(fill, text) {
        var span = document.createElement("span");
        var swatch = document.createElement("i");
        swatch.style.background = fill;
        span.appendChild(swatch);
        span.appendChild(document.createTextNode(text));
        div.appendChild(span);
      }
      if (rates.length) {
        var lo = Math.min.apply(null, rates), hi = Math.max.apply(null, rates);
        var edges = [lo].concat(cuts).concat([hi]);
        BLUES.forEach(function (c, i) {
          row(c, fmt(edges[i], 1) + "–" + fmt(edges[i + 1], 1));
        });
      }
      row(NO_DATA, "No data held");
      return div;
    };
    legend.addTo(map);
  }

  drawCharts();
  drawMap();
})();
