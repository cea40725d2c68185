/* The hot spots page's map: the place's LSOAs (GeoJSON from the dashboard's map URL,
   matched on properties.code) drawn with Leaflet, no tile layer. The page hands over,
   in a json_script, each LSOA's fill and tooltip, chosen in Python:
   - "hotspots" and "harm": LSOAs filled by class; "hatch" means left out, drawn
     hatched (neither cold nor 0), its reason in the tooltip;
   - "density": the kernel density bands as filled polygons, the LSOA outlines over them.
   The legend, the text alternative and the table are in the page itself. */
(function () {
  "use strict";

  var HATCH_ID = "sp-where-hatch";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* A diagonal hatch in the map's own SVG, so a left-out LSOA is visibly "no figure". */
  function addHatch(svg) {
    if (!svg || svg.querySelector("#" + HATCH_ID)) return;
    var defs = document.createElementNS(SVG_NS, "defs");
    var pattern = document.createElementNS(SVG_NS, "pattern");
    pattern.setAttribute("id", HATCH_ID);
    pattern.setAttribute("width", "6");
    pattern.setAttribute("height", "6");
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var back = document.createElementNS(SVG_NS, "rect");
    back.setAttribute("width", "6");
    back.setAttribute("height", "6");
    back.setAttribute("fill", "#ffffff");
    var line = document.createElementNS(SVG_NS, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "6");
    line.setAttribute("stroke", "#505a5f");
    line.setAttribute("stroke-width", "2");
    pattern.appendChild(back);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function split(geojson) {
    var areas = { type: "FeatureCollection", features: [] };
    var lines = { type: "FeatureCollection", features: [] };
    geojson.features.forEach(function (f) {
      (f.properties.kind === "outline" ? lines : areas).features.push(f);
    });
    return { areas: areas, lines: lines };
  }

  function areaStyle(values, layer) {
    return function (f) {
      if (layer === "density") {
        return { color: "#505a5f", weight: 0.6, fill: false };
      }
      var v = values[f.properties.code];
      var fill = v ? v.fill : "hatch";
      return {
        color: "#505a5f", weight: 0.5, fillOpacity: 0.9,
        fillColor: fill === "hatch" ? "url(#" + HATCH_ID + ")" : fill
      };
    };
  }

  function drawMap() {
    var el = document.getElementById("where-map");
    if (!el || typeof window.L === "undefined") return;
    var data = readJson(el.getAttribute("data-values")) || {};
    var values = data.lsoas || {};
    var layer = data.layer;
    /* No zoom buttons and no keyboard focus: the map is a picture (role="img"); its
       figures are in the text below it and in the table. */
    var map = window.L.map(el, {
      zoomControl: false, attributionControl: false, keyboard: false,
      scrollWheelZoom: false, zoomSnap: 0.25, preferCanvas: false
    });
    fetch(el.getAttribute("data-map"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var parts = split(geojson);
        if (layer === "density" && data.bands) {
          window.L.geoJSON(data.bands, {
            interactive: false,
            style: function (f) {
              return { stroke: false, fillColor: f.properties.fill, fillOpacity: 0.85 };
            }
          }).addTo(map);
        }
        var areas = window.L.geoJSON(parts.areas, {
          style: areaStyle(values, layer),
          interactive: layer !== "density",
          onEachFeature: function (f, lyr) {
            if (layer === "density") return;
            var v = values[f.properties.code];
            lyr.bindTooltip(v ? v.tip : f.properties.name + ": left out (no figure)",
              { sticky: true });
          }
        }).addTo(map);
        var outer = parts.lines.features.length
          ? parts.lines.features[parts.lines.features.length - 1] : null;
        window.L.geoJSON(parts.lines, {
          interactive: false,
          style: function (f) {
            var isPlace = outer !== null && f === outer && parts.lines.features.length > 1;
            return { color: "#0b0c0c", weight: isPlace ? 3 : 1.5, fill: false };
          }
        }).addTo(map);
        map.fitBounds(areas.getBounds(), { padding: [8, 8] });
        addHatch(el.querySelector(".leaflet-overlay-pane svg"));
        el.classList.add("sp-map--drawn");
        el.setAttribute("data-drawn-layer", layer || "");
      })
      .catch(function () {
        el.textContent = "The map could not be drawn. It is described below, and the "
          + "figures are in the table.";
      });
  }

  drawMap();
})();
