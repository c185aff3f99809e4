// Jinzhong Indicators dashboard: the map. Loaded by dashboard.js when the map section is first
// opened, and run with its helpers (el, svg, api, list, labels, figureParts, periodText).
"use strict";

// The map's own words, beside the page's (the section's title and controls are there).
Object.assign(LABELS.zh, {
  mentions: "记录提及的条数", noFigure: "没有这项数字的地区按记录提及的条数着色", notMentioned: "未提及",
  region: "地区", outlines: "边界", mapOf: (scope, measure) => `${scope}地图,按${measure}着色`,
});
Object.assign(LABELS.en, {
  mentions: "Records mentioning it", noFigure: "Regions without this figure are shaded by the records mentioning them",
  notMentioned: "not mentioned", region: "Region", outlines: "Outlines", mapOf: (scope, measure) => `Map of ${scope}, shaded by ${measure}`,
});

// The map: nothing of it is fetched until its section is opened. It draws the chosen area's
// outlines (GET /v1/regions/{code}/boundaries) as SVG, each region shaded by the indicator
// chosen where the record has that figure for it, and otherwise by how many records
// (figures, events, entities, quotes) mention it; a legend and a table say the same.
const FIGURE_RAMP = ["#fde0dc", "#f4a597", "#e0604e", "#b3261e", "#6e1410"];
const MENTION_RAMP = ["#e3ecf7", "#bcd0ea", "#86a9d6", "#4d7fbd", "#24528c"];
const outlines = new Map(); // area code -> FeatureCollection (names in both languages)
let maps = 0;
let mapData = null;

const regionName = (feature) => (lang === "zh" ? feature.properties.name_zh : feature.properties.name_en);

async function loadMap() {
  const mine = ++maps;
  const language = lang;
  const area = document.getElementById("map-scope").value;
  const status = document.getElementById("map-status");
  status.textContent = labels.loading;
  try {
    if (!outlines.has(area)) outlines.set(area, await api(`/v1/regions/${area}/boundaries`, {}, language));
    const shapes = outlines.get(area);
    const codes = shapes.features.filter((f) => f.id !== area).map((f) => f.id);
    const [figures, events, quotes, entities] = await Promise.all([
      list("/v1/observations", { region: codes }, language), list("/v1/events", {}, language),
      list("/v1/quotes", {}, language),
      Promise.all(codes.map((code) => api("/v1/entities", { region: code, limit: 0 }, language).then((page) => page.total))),
    ]);
    if (mine !== maps) return; // another area or language was asked for meanwhile
    const about = (items, code) => items.filter((item) => item.regions.includes(code)).length;
    const mentions = new Map(codes.map((code, i) => [code, about(figures, code) + about(events, code) + about(quotes, code) + entities[i]]));
    // Per indicator, the period that the most of these regions have a figure for (the latest
    // of equals): one indicator, one period on a map.
    const byIndicator = new Map();
    // A region is shaded by a figure about it alone (its main region): a figure shared by
    // several places is none of theirs; a rank, a bound or a range is not a quantity.
    const shading = (obs) => codes.includes(obs.region) && obs.regions.length === 1 &&
      !["rank", "more_than", "range"].includes(obs.qualifier);
    for (const obs of figures.filter(shading)) {
      const periods = byIndicator.get(obs.indicator) || new Map();
      byIndicator.set(obs.indicator, periods);
      const points = periods.get(obs.period) || new Map();
      periods.set(obs.period, points);
      if (!points.has(obs.region)) points.set(obs.region, obs);
    }
    const measures = [...byIndicator].map(([indicator, periods]) => {
      const [period, points] = [...periods].sort((a, b) => b[1].size - a[1].size ||
        [...b[1].values()][0].period_end.localeCompare([...a[1].values()][0].period_end))[0];
      return { key: `${indicator}|${period}`, points, sample: points.values().next().value };
    }).sort((a, b) => b.points.size - a.points.size || a.key.localeCompare(b.key));
    mapData = { area, shapes, mentions, measures };
    const select = document.getElementById("map-measure");
    const kept = select.value;
    select.replaceChildren(el("option", { value: "", text: labels.mentions }),
      ...measures.map((m) => el("option", { value: m.key, text: `${m.sample.indicator_name}, ${periodText(m.sample)} (${m.points.size}/${codes.length})` })));
    select.value = measures.some((m) => m.key === kept) ? kept : "";
    renderMap();
    status.textContent = "";
  } catch (error) {
    if (mine === maps) status.textContent = labels.failed + error.message;
  }
}

// A ring's centroid and area (shoelace), in degrees: where its name goes.
function centre(ring) {
  let area = 0, x = 0, y = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
    area += cross; x += (ring[j][0] + ring[i][0]) * cross; y += (ring[j][1] + ring[i][1]) * cross;
  }
  return area ? [x / (3 * area), y / (3 * area), Math.abs(area)] : [ring[0][0], ring[0][1], 0];
}

function renderMap() {
  if (!mapData) return;
  const { area, shapes, mentions, measures } = mapData;
  const measure = measures.find((m) => m.key === document.getElementById("map-measure").value);
  const points = measure ? measure.points : new Map();
  // Equirectangular, longitudes narrowed by the cosine of the middle latitude.
  const all = shapes.features.flatMap((f) => (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates).flat(2));
  const [lons, lats] = [all.map((p) => p[0]), all.map((p) => p[1])];
  const [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const narrow = Math.cos(((south + north) / 2) * Math.PI / 180);
  const width = 600, scale = width / ((east - west) * narrow), height = Math.round((north - south) * scale);
  const at = ([lon, lat]) => `${((lon - west) * narrow * scale).toFixed(1)},${((north - lat) * scale).toFixed(1)}`;
  const path = (geometry) => (geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates)
    .flatMap((polygon) => polygon.map((ring) => `M${ring.map(at).join("L")}Z`)).join("");
  const shade = (ramp, value, low, high) => ramp[high > low ? Math.min(ramp.length - 1, Math.floor(((value - low) / (high - low)) * ramp.length)) : ramp.length - 1];
  const values = [...points.values()].map((o) => o.normalized_value);
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const counts = [...mentions.values()];
  const most = Math.max(1, ...counts);
  const figureText = (obs) => { const p = figureParts(obs); return `${p.text}${p.unit}`; };
  const whole = shapes.features.find((f) => f.id === area);
  const title = labels.mapOf(whole ? regionName(whole) : area, measure ? measure.sample.indicator_name : labels.mentions);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  const labelled = [];
  for (const feature of shapes.features) {
    if (feature.id === area) continue;
    const obs = points.get(feature.id);
    const count = mentions.get(feature.id) || 0;
    const fill = obs ? shade(FIGURE_RAMP, obs.normalized_value, low, high) : count ? shade(MENTION_RAMP, count, 1, most) : "#ffffff";
    const shape = svg("path", { d: path(feature.geometry), fill, stroke: "#7a8591", "stroke-width": 0.75, class: "region", "data-code": feature.id, "data-shade": obs ? "figure" : "mentions" });
    shape.append(svg("title", {}, `${regionName(feature)}: ${obs ? figureText(obs) : ""}${obs ? "; " : ""}${labels.mentions} ${count}`));
    root.append(shape);
    // The name at the centre of its largest ring.
    const rings = (feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates).map((p) => p[0]);
    const [x, y] = at(rings.map(centre).sort((a, b) => b[2] - a[2])[0]).split(",");
    labelled.push(svg("text", { x, y, "text-anchor": "middle", "dominant-baseline": "middle", "font-size": Math.round(Math.max(width, height) / 45),
      fill: "#1b1f24", stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke" }, regionName(feature)));
  }
  if (whole) root.append(svg("path", { d: path(whole.geometry), fill: "none", stroke: "#1b1f24", "stroke-width": 1.5, class: "outline" }));
  root.append(...labelled);
  const ramp = (colours, from, to) => [el("span", { text: from }), colours.map((c) => el("span", { class: "swatch", "data-colour": c })), el("span", { text: to })];
  const sorted = [...points.values()].sort((a, b) => a.normalized_value - b.normalized_value);
  const legend = [
    measure ? el("p", { class: "legend" }, el("strong", { text: `${measure.sample.indicator_name}, ${periodText(measure.sample)}:` }),
      ramp(FIGURE_RAMP, figureText(sorted[0]), figureText(sorted[sorted.length - 1]))) : null,
    // Where every region has the figure, no region is shaded by mentions.
    !measure || points.size < mentions.size ? el("p", { class: "legend" }, el("strong", { text: `${measure ? labels.noFigure : labels.mentions}:` }),
      el("span", { class: "swatch", "data-colour": "#ffffff" }), el("span", { text: `${labels.notMentioned};` }), ramp(MENTION_RAMP, "1", String(most))) : null,
  ];
  const rows = shapes.features.filter((f) => f.id !== area).map((f) => el("tr", {},
    el("td", { text: regionName(f) }), measure ? el("td", { text: points.has(f.id) ? figureText(points.get(f.id)) : "—" }) : null,
    el("td", { text: String(mentions.get(f.id) || 0) })));
  const source = whole && sourcesByCode.get(whole.properties.source);
  document.getElementById("map-figure").replaceChildren(root, ...legend.filter(Boolean),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: labels.region }), measure ? el("th", { text: measure.sample.indicator_name }) : null, el("th", { text: labels.mentions }))),
      el("tbody", {}, rows)),
    el("figcaption", { class: "meta" }, `${labels.outlines}: `,
      el("a", { href: `/v1/sources/${encodeURIComponent(whole ? whole.properties.source : "")}`, text: source ? source.title : whole ? whole.properties.source : "" })));
  // Colours are set here, not in markup: the page's style policy allows no inline styles.
  for (const swatch of document.querySelectorAll("#map-figure .swatch")) swatch.style.background = swatch.dataset.colour;
}

redrawMap = () => { if (document.getElementById("map").open) loadMap(); };
document.getElementById("map-scope").addEventListener("change", loadMap);
document.getElementById("map-measure").addEventListener("change", renderMap);
loadMap();
