// Jinzhong Indicators dashboard, below the first screen: the city in the official statistics
// (GDP over time, the sectors, population, its rank among Shanxi's cities, Taigu district),
// the Yangshe railway from every source that tells it, and the sources themselves.
// dashboard.js fetches this file once its first screen is drawn and calls loadDepth(); it uses
// that file's helpers (el, svg, list, figureParts, unitName, unitAfter, periodText, provenance)
// and, like it, puts text from the API in the page as text only.
"use strict";

Object.assign(LABELS.zh, {
  official: "官方统计中的晋中",
  officialHint: "统计公报、汇编和数据网站给出的数字,各注来源。记录里没有数字的年份留空,不画成0;空心点为推算值。",
  levels: "地区生产总值与第二产业增加值", growth: "增长率", table: "数据表", year: "年份",
  years: (n) => `${n}个年份`, none: "—",
  sectors: (y) => `${y}年三次产业`, share: "比重", growthOf: "增长", value: "数值",
  people: (y) => `${y}年人口与城镇化`, urban: (r) => `城镇常住人口占 ${r}`,
  cities: (y) => `山西各市${y}年地区生产总值`, province: (name, v, g) => `${name}合计${v},增长${g}。`,
  sector: { primary: "第一产业", secondary: "第二产业", tertiary: "第三产业" }, rank: "位次", city: "城市",
  ranks: (name, r, n) => `按这份数据,${name}在${n}个市中居第${r}位。`,
  district: (name, y) => `${name}${y}年`, allFigures: (n) => `全部${n}项数字`, indicator: "指标",
  railway: "阳涉铁路:从接触网第一杆到日常开行",
  railwayHint: "各来源记下的时刻,每条注明出处。宣布了却没有按期发生的,照实标出。",
  announced: "宣布过,未按期实现", from: "来源",
  sourcesHeading: "来源", sourcesHint: "记录中的每份文件:它是什么,它的数字可靠到什么程度。",
  why: "可靠性说明(英文)", page: (p) => `第${p}版`, figureCount: (n) => `${n}个数字`, text: "原文",
  reliable: "可靠性:", titled: (t) => `《${t}》`,
  kinds: { newspaper_report: "报纸报道", statistical_bulletin: "统计公报", news_item: "新闻", compilation: "汇编", aggregator: "数据汇总网站", encyclopedia_entry: "百科条目", dataset: "数据集" },
  reliability: { primary: "一手", secondary: "二手", unverified: "未经核实" },
});
Object.assign(LABELS.en, {
  official: "Jinzhong in the official statistics",
  officialHint: "Figures from statistical bulletins, a compilation and a data website, each with its source. A year the record has no figure for is left empty, never drawn as 0; hollow points are derived.",
  levels: "GDP and the secondary sector's value added", growth: "Growth rates", table: "Data table", year: "Year",
  years: (n) => `${n} year${n === 1 ? "" : "s"}`, none: "—",
  sectors: (y) => `The three sectors, ${y}`, share: "Share", growthOf: "Growth", value: "Value",
  people: (y) => `Population and urbanization, ${y}`, urban: (r) => `Urban residents: ${r}`,
  cities: (y) => `Shanxi's cities by GDP, ${y}`, province: (name, v, g) => `${name} in all: ${v}, growth ${g}.`,
  sector: { primary: "Primary", secondary: "Secondary", tertiary: "Tertiary" }, rank: "Rank", city: "City",
  ranks: (name, r, n) => `As this source ranks them, ${name} is No. ${r} of ${n} cities.`,
  district: (name, y) => `${name}, ${y}`, allFigures: (n) => `All ${n} figures`, indicator: "Indicator",
  railway: "The Yangshe railway, from the first catenary pole to regular service",
  railwayHint: "Moments as each source tells them, each with its source. An announcement that did not come true is marked as one.",
  announced: "Announced; did not happen as announced", from: "Source",
  sourcesHeading: "Sources", sourcesHint: "Every document in the record: what it is, and how far its figures are relied on.",
  why: "Why this reliability", page: (p) => `page ${p}`, figureCount: (n) => `${n} figure${n === 1 ? "" : "s"}`, text: "Text",
  reliable: "Reliability: ", titled: (t) => `“${t}”`,
  kinds: { newspaper_report: "newspaper report", statistical_bulletin: "statistical bulletin", news_item: "news item", compilation: "compilation", aggregator: "data aggregator", encyclopedia_entry: "encyclopedia entry", dataset: "dataset" },
  reliability: { primary: "primary", secondary: "secondary", unverified: "unverified" },
});

// What the sections show, as the issue names them.
const SERIES = [["gdp", "value_added_secondary"], ["gdp_growth", "gdp_growth_basis_unstated"]];
const SECTORS = ["primary", "secondary", "tertiary"];
const TINT = { primary: "s2", secondary: "s1", tertiary: "s0" }; // green, blue, red
const PEOPLE = ["resident_population", "urban_resident_population", "urbanization_rate", "urbanization_rate_change",
  "births", "deaths", "birth_rate", "death_rate", "natural_growth_rate"];
const CITIES = { source: "shanxi-cities-gdp-2021", year: "2021" };
const TAIGU = { region: "140703", year: "2023" };
const RAILWAY = { entity: "yangshe-railway", from: "2022-07-06", to: "2025-01-28" };

const yearOf = (o) => Number(o.period_start.slice(0, 4));
function shown(o) {
  if (!o) return labels.none;
  const parts = figureParts(o);
  return parts.text + parts.unit;
}
// In a table the column heading gives the unit; a cell keeps the figure's words (约, 左右).
function bare(o) {
  if (!o) return labels.none;
  const parts = figureParts(o);
  return (parts.text + parts.unit.replace(unitAfter(o), "")).replace(/\s+/g, " ").trim();
}
const headed = (name, o) => (o && o.unit ? `${name} (${unitName(o)})` : name);
const sourceName = (s) => s.publication || labels.titled(s.title);
// The items of each indicator, in the order given (the API's: by indicator, region, period).
function byIndicator(items) {
  const found = new Map();
  for (const o of items) found.set(o.indicator, [...(found.get(o.indicator) || []), o]);
  return found;
}

function card(id, title, ...children) {
  return el("figure", { class: "card chart", id }, el("figcaption", {}, el("h3", { text: title })), children);
}

function table(head, rows) {
  return el("table", { class: "wide" }, el("thead", {}, el("tr", {}, head.map((text) => el("th", { text })))),
    el("tbody", {}, rows));
}

// Years on a shared axis: a line joins only consecutive years, so a gap in the record stays a
// gap; bars stand from 0. A short series (six points or fewer) is labelled at every point, a
// longer one at its ends; the table under the chart has every number.
function yearChart(series, title, bars) {
  const width = 320, height = 190, pad = { l: 40, r: 8, t: 16, b: 24 };
  const all = series.flatMap((s) => s.points);
  const years = all.map(yearOf);
  const [y0, y1] = [Math.min(...years), Math.max(...years)];
  const low = Math.min(0, ...all.map((o) => o.value));
  const high = Math.max(...all.map((o) => o.value), 0) || 1;
  const step = 10 ** Math.floor(Math.log10(high));
  const top = [1, 2, 2.5, 5, 10].map((m) => m * step).find((v) => v >= high);
  const slot = (width - pad.l - pad.r) / (y1 - y0 + 1);
  const x = (year) => pad.l + (year - y0 + 0.5) * slot;
  const y = (v) => height - pad.b - ((v - low) / (top - low)) * (height - pad.t - pad.b);
  const description = series.map((s) => `${s.name}: ${s.points.map((o) => `${periodText(o)} ${shown(o)}`).join(", ")}`).join("; ");
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}. ${description}` });
  for (const v of new Set([low, 0, top / 2, top])) {
    root.append(svg("line", { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), stroke: v ? "#d5dae1" : "#4a5360" }),
      svg("text", { x: pad.l - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 10, fill: "#4a5360" }, number(v)));
  }
  const every = y1 - y0 > 20 ? 10 : 5;
  for (let year = y0; year <= y1; year++) {
    if (year === y0 || year === y1 || (year % every === 0 && year - y0 > 2 && y1 - year > 2)) {
      root.append(svg("text", { x: x(year), y: height - 8, "text-anchor": "middle", "font-size": 10, fill: "#4a5360" }, String(year)));
    }
  }
  series.forEach((s, k) => s.points.forEach((o, i) => {
    const px = x(yearOf(o)), py = y(o.value), before = s.points[i - 1];
    const kind = `s${k}${o.derived ? " derived" : ""}`;
    if (bars) {
      const w = (slot * 0.8) / series.length, left = px - slot * 0.4 + k * w;
      root.append(svg("rect", { x: left, y: Math.min(py, y(0)), width: w, height: Math.abs(y(0) - py), class: kind, "data-derived": String(o.derived) }));
    } else {
      if (before && yearOf(before) === yearOf(o) - 1) {
        root.append(svg("line", { x1: x(yearOf(before)), y1: y(before.value), x2: px, y2: py, class: `s${k}`, "stroke-width": 2,
          "stroke-dasharray": o.derived || before.derived ? "4 3" : "none" }));
      }
      root.append(svg("circle", { cx: px, cy: py, r: 3, class: kind, "stroke-width": 1.5, "data-derived": String(o.derived) }));
    }
    // A label beside its point where the next point is close (or the edge is), else above it.
    const after = s.points[i + 1];
    const aside = !bars && px > pad.l + 40 && ((after && x(yearOf(after)) - px < 24) || px > width - 24);
    if (s.points.length <= 6 || i === 0 || i === s.points.length - 1) {
      root.append(svg("text", { x: aside ? px - 6 : px, y: aside ? py + 4 : Math.min(py, y(0)) - 5, "text-anchor": aside ? "end" : "middle",
        "font-size": 10, fill: "#1b1f24" }, figureParts(o).text));
    }
  }));
  return root;
}

// One chart of indicators over the years, its legend (what exists, from which sources) and
// its numbers in a table.
function seriesCard(id, title, codes, found, sources, bars) {
  const series = codes.filter((c) => found.has(c)).map((c) => ({ name: found.get(c)[0].indicator_name, points: found.get(c) }));
  if (!series.length) return null;
  const legend = series.map((s, k) => {
    const spans = new Map();
    for (const o of s.points) spans.set(o.source, [...(spans.get(o.source) || []), yearOf(o)]);
    const from = [...spans].map(([code, ys]) => {
      const kind = sources.get(code) ? labels.kinds[sources.get(code).kind] || sources.get(code).kind : code;
      return `${kind} ${ys.length > 1 ? `${ys[0]}–${ys[ys.length - 1]}` : ys[0]}`;
    });
    return el("li", {}, el("span", { class: `swatch s${k}` }), `${s.name} (${labels.years(s.points.length)}): ${from.join("; ")}`);
  });
  const years = [...new Set(series.flatMap((s) => s.points.map(yearOf)))].sort((a, b) => a - b);
  const rows = years.map((year) => el("tr", {}, el("td", { text: String(year) }), series.map((s) => {
    const o = s.points.find((p) => yearOf(p) === year);
    return el("td", { class: "n", text: o ? bare(o) + (o.derived ? ` (${labels.derived})` : "") : labels.none });
  })));
  return card(id, title, yearChart(series, title, bars), el("ul", { class: "legend" }, legend),
    el("details", {}, el("summary", { text: labels.table }), table([labels.year, ...series.map((s) => headed(s.name, s.points[0]))], rows)));
}

// The three sectors' shares as one bar, read out as one sentence.
function stack(get) {
  const parts = SECTORS.filter((s) => get(`share_${s}`)).map((s) => [s, get(`share_${s}`)]);
  if (!parts.length) return null;
  const said = parts.map(([s, o]) => `${labels.sector[s]} ${shown(o)}`).join(", ");
  return el("div", { class: "stack", role: "img", "aria-label": said }, parts.map(([s, o]) => {
    const part = el("span", { class: TINT[s], title: `${labels.sector[s]} ${shown(o)}`, text: o.value >= 12 ? shown(o) : "" });
    part.style.width = `${o.value}%`;
    return part;
  }));
}

function sectorCard(title, get) {
  const columns = (s) => [get(`value_added_${s}`), get(`share_${s}`), get(`value_added_${s}_growth`)];
  const rows = SECTORS.filter((s) => get(`value_added_${s}`)).map((s) => el("tr", { id: `sector-${s}` },
    el("th", {}, el("span", { class: `swatch ${TINT[s]}` }), labels.sector[s]),
    columns(s).map((o) => el("td", { class: "n", text: bare(o) }))));
  const total = !get("gdp") ? null : el("tr", {}, el("th", { text: get("gdp").indicator_name }),
    [get("gdp"), null, get("gdp_growth")].map((o) => el("td", { class: "n", text: bare(o) })));
  const [value, share, growth] = columns(SECTORS[1]);
  return card("official-sectors", title, stack(get), table(["", headed(labels.value, value), headed(labels.share, share), headed(labels.growthOf, growth)], [rows, total]));
}

function stats(get, codes) {
  return el("dl", { class: "stats" }, codes.filter(get).map((c) => [el("dt", { text: get(c).indicator_name }), el("dd", { text: shown(get(c)) })]));
}

function peopleCard(title, get) {
  const rate = get("urbanization_rate");
  let meter = null;
  if (rate) {
    const urban = el("span");
    urban.style.width = `${rate.value}%`;
    meter = [el("p", { class: "meta", text: labels.urban(shown(rate)) }), el("div", { class: "meter", "aria-hidden": "true" }, urban)];
  }
  return card("official-people", title, meter, stats(get, PEOPLE));
}

function citiesCard(items, regions) {
  const found = byIndicator(items);
  const of = (code, o) => (found.get(code) || []).find((p) => p.region === o.region);
  const level = (o) => regions.get(o.region)?.level;
  const province = (found.get("gdp") || []).find((o) => level(o) === "province");
  const cities = (found.get("gdp") || []).filter((o) => level(o) === "prefecture");
  if (!cities.length) return null;
  // In the order of the ranks the source prints (by value where it prints none).
  const rank = (o) => (of("gdp_rank_province", o) || { value: Infinity }).value;
  cities.sort((a, b) => rank(a) - rank(b) || b.value - a.value);
  const widest = Math.max(...cities.map((o) => o.value));
  const rows = cities.map((o) => {
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    bar.style.width = `${(100 * o.value) / widest}%`;
    return el("tr", { id: `city-${o.region}`, class: o.region === HOME ? "home" : null },
      el("td", { class: "n", text: Number.isFinite(rank(o)) ? number(rank(o)) : labels.none }), el("th", { text: o.region_name }),
      el("td", { class: "n" }, bar, bare(o)), el("td", { class: "n", text: bare(of("gdp_growth", o)) }));
  });
  const home = cities.find((o) => o.region === HOME);
  const notes = [
    province && labels.province(province.region_name, shown(province), shown(of("gdp_growth", province))),
    home && Number.isFinite(rank(home)) && labels.ranks(home.region_name, number(rank(home)), cities.length),
  ].filter(Boolean).map((text) => el("p", { class: "meta", text }));
  return card("official-cities", labels.cities(CITIES.year), notes, table([labels.rank, labels.city, headed(cities[0].indicator_name, cities[0]),
    headed(labels.growthOf, of("gdp_growth", cities[0]))], rows));
}

function districtCard(items, regions) {
  const get = (code) => items.find((o) => o.indicator === code);
  const name = regions.get(TAIGU.region)?.name || TAIGU.region;
  const rows = items.map((o) => el("tr", {}, el("th", { text: o.indicator_name }), el("td", { class: "n", text: shown(o) })));
  return card(`district-${TAIGU.region}`, labels.district(name, TAIGU.year), stack(get),
    stats(get, ["gdp", "gdp_growth", "resident_population", "urbanization_rate", "natural_growth_rate", "general_public_budget_revenue"]),
    el("details", {}, el("summary", { text: labels.allFigures(items.length) }), table([labels.indicator, labels.value], rows)));
}

function railwayItem(event, sources) {
  const source = sources.get(event.source);
  const announced = event.status === "announced";
  const from = source ? [sourceName(source), source.published_date, labels.kinds[source.kind], labels.reliable + labels.reliability[source.reliability]] : [event.source];
  return el("li", { id: `rail-${event.code}`, class: announced ? "announced" : null },
    el("time", { datetime: /^\d{4}(-\d{2}){0,2}$/.test(event.period) ? event.period : null, text: periodText(event) }),
    announced ? [" ", el("span", { class: "badge announced", text: labels.announced })] : null,
    el("h3", { text: event.title }), el("p", { text: event.description }),
    el("p", { class: "meta", text: `${labels.from}: ${from.filter(Boolean).join(" · ")}` }), provenance(event, sources));
}

function sourceCard(s) {
  return el("li", { class: "card", id: `source-${s.code}` },
    el("h3", { text: s.title }),
    el("p", { class: "meta", text: [s.publication || s.publisher, s.published_date, s.page && labels.page(s.page)].filter(Boolean).join(" · ") }),
    el("p", {}, el("span", { class: "badge", text: labels.kinds[s.kind] || s.kind }),
      el("span", { class: `badge ${s.reliability}`, text: labels.reliable + (labels.reliability[s.reliability] || s.reliability) }),
      labels.figureCount(s.observation_count)),
    el("details", {}, el("summary", { text: labels.why }), el("p", { lang: "en", text: s.reliability_note })),
    el("p", { class: "meta" }, el("a", { href: s.url, text: labels.record }), s.text_url ? [" · ", el("a", { href: s.text_url, text: labels.text })] : null));
}

async function loadDepth(language, regionList, sourceList, current) {
  const [jinzhong, cities, district, events] = await Promise.all([
    list("/v1/observations", { region: HOME, indicator: [...SERIES.flat(), ...SECTORS.flatMap((s) => [`value_added_${s}`, `share_${s}`, `value_added_${s}_growth`]), ...PEOPLE] }, language),
    list("/v1/observations", { source: CITIES.source, indicator: ["gdp", "gdp_rank_province", "gdp_growth"], start: CITIES.year, end: CITIES.year }, language),
    list("/v1/observations", { region: TAIGU.region, start: TAIGU.year, end: TAIGU.year }, language),
    list("/v1/events", { entity: RAILWAY.entity }, language),
  ]);
  if (!current()) return;
  const regions = new Map(regionList.map((r) => [r.code, r]));
  const sources = new Map(sourceList.map((s) => [s.code, s]));
  const found = byIndicator(jinzhong);
  // The structure and the population of the newest year the record has for them.
  const newest = (code) => (found.get(code) || []).reduce((last, o) => (o.period_end > last ? o.period_end : last), "").slice(0, 4) || null;
  const sectorYear = newest("share_primary");
  const peopleYear = newest("resident_population");
  const inYear = (period) => (code) => (found.get(code) || []).find((o) => o.period === period);
  document.getElementById("official").replaceChildren(...[
    seriesCard("official-levels", labels.levels, SERIES[0], found, sources, false),
    seriesCard("official-growth", labels.growth, SERIES[1], found, sources, true),
    sectorYear && sectorCard(labels.sectors(sectorYear), inYear(sectorYear)),
    peopleYear && peopleCard(labels.people(peopleYear), inYear(peopleYear)),
    citiesCard(cities, regions),
    district.length && districtCard(district, regions),
  ].filter(Boolean));
  document.getElementById("railway").replaceChildren(...events
    .filter((e) => e.period_end >= RAILWAY.from && e.period_end <= RAILWAY.to).map((e) => railwayItem(e, sources)));
  document.getElementById("source-list").replaceChildren(...sourceList.map(sourceCard));
  // These sections' headings take their labels from this file, so they are put in here.
  for (const node of document.querySelectorAll("#depth [data-i18n]")) node.textContent = labels[node.dataset.i18n];
  document.getElementById("depth").hidden = false;
}
