// Jinzhong Indicators dashboard. Reads only the public /v1 API of the server that serves it;
// builds the page with DOM calls (text is never parsed as HTML, except search snippets, whose
// only markup, <mark>, is rebuilt element by element).
"use strict";

const HOME = "140700"; // 晋中市
// The figures shown are the report's; the official statistics are in the API (/v1/sources).
const REPORT = "jzrb-2025-10-24-p03";
const LABELS = {
  zh: {
    skip: "跳到正文", title: "晋中指标", tagline: "晋中市发展记录:每个数字都注明出处与原文",
    links: "链接", docs: "API 文档", redoc: "ReDoc", csv: "观测值 CSV", zip: "全部数据 (zip)",
    loading: "正在加载…", failed: "数据加载失败:", search: "搜索", emptyQuery: "请输入要搜索的词。",
    searchLabel: "搜索数字、事件、项目、引语", searchButton: "搜索", searching: "正在搜索…",
    hits: (n, q) => `“${q}”:${n} 条结果`, noHits: (q) => `没有找到“${q}”。`,
    figures: "主要数字", figuresHint: "按主题列出每项指标的最新数字。悬停或点开“出处”可看原文。",
    charts: "变化", chartsHint: "有两个或更多时点的序列。空心点为推算值,不是公布值。",
    noCharts: "目前没有两个以上时点的序列。",
    timeline: "大事记", counties: "各县(市、区)", countiesHint: "报道对晋中各县(市、区)说了什么。",
    footer: "数据来源:", version: "数据版本", source: "出处", record: "数据记录",
    derived: "推算值", derivedFrom: "推算自", published: "公布值", period: "时期", value: "数值", kind: "类型",
    about: "涉及", nothing: "报道未提及。", figuresIn: "数字", eventsIn: "事件", entitiesIn: "项目与机构",
    quotesIn: "引语", byDate: (d) => `${d} 之前`, other: "其他", note: "说明(英文)", alsoAbout: "同时涉及",
    sep: "、", more: (n) => `另外${n}个县(市、区)报道未提及`,
    checked: "核对", verdicts: { equal: "相等", within_rounding: "舍入误差内一致", consistent: "与措辞相符", conflicting: "矛盾" },
    unchecked: "无从核对:记录中没有其他来源给出可对照的数字。", expected: "对照值", actual: "实际值", tolerance: "容差",
    check: "核对记录", checksOf: "该数字的全部核对",
    types: { observation: "数字", indicator: "指标", entity: "项目与机构", event: "事件", quote: "引语", region: "地区", topic: "主题", source: "来源" },
    map: "地图", mapShow: "显示地图", mapScope: "范围", scopeCounties: "晋中市各县(市、区)", scopeCities: "山西省各市", mapMeasure: "着色依据",
    switchTo: "English", switchLang: "en",
  },
  en: {
    skip: "Skip to content", title: "Jinzhong Indicators",
    tagline: "Jinzhong's development record: every figure with its source and its sentence",
    links: "Links", docs: "API docs", redoc: "ReDoc", csv: "Observations (CSV)", zip: "Whole dataset (zip)",
    loading: "Loading…", failed: "Could not load the data: ", search: "Search", emptyQuery: "Type something to search for.",
    searchLabel: "Search figures, events, projects and quotes", searchButton: "Search", searching: "Searching…",
    hits: (n, q) => `“${q}”: ${n} result${n === 1 ? "" : "s"}`, noHits: (q) => `Nothing found for “${q}”.`,
    figures: "Headline figures", figuresHint: "The latest figure of every indicator, by topic. Hover or open “Source” for the sentence it comes from.",
    charts: "Change over time", chartsHint: "Series with two or more points. Hollow points are derived, not published.",
    noCharts: "No series has more than one point yet.",
    timeline: "Timeline", counties: "Counties and districts", countiesHint: "What the report says about each county of Jinzhong.",
    footer: "Source:", source: "Source", record: "Record",
    derived: "derived", derivedFrom: "derived from", published: "published", period: "Period", value: "Value", kind: "Kind",
    about: "Concerns", nothing: "Not mentioned in the report.", figuresIn: "Figures", eventsIn: "Events",
    entitiesIn: "Projects and organisations", quotesIn: "Quotes", byDate: (d) => `before ${d}`, other: "Other",
    note: "Note", alsoAbout: "also concerns", sep: ", ", asPrinted: (u) => `As printed: ${u}`,
    more: (n) => `${n} more counties and districts the report does not mention`,
    checked: "Check", verdicts: { equal: "equal", within_rounding: "equal within rounding", consistent: "consistent with the wording", conflicting: "conflicting" },
    unchecked: "Not checked: no other source in the record gives a figure to compare it with.", expected: "Expected", actual: "Actual", tolerance: "Tolerance",
    check: "The check", checksOf: "All checks of this figure",
    types: { observation: "figure", indicator: "indicator", entity: "entity", event: "event", quote: "quote", region: "region", topic: "topic", source: "source" },
    map: "Map", mapShow: "Show the map", mapScope: "Area", scopeCounties: "Jinzhong's counties and districts", scopeCities: "Shanxi's cities", mapMeasure: "Shade by",
    switchTo: "中文", switchLang: "zh",
  },
};
// How each qualifier reads. Chinese shows the word printed before or after the figure when the
// quote has one (近, 突破...); these are the fallbacks, and the English forms.
const QUALIFIER = {
  zh: { approximately: ["约", ""], more_than: ["超过", ""], cumulative: ["累计", ""], range: ["", ""], rank: ["", ""], exact: ["", ""] },
  en: { approximately: ["≈ ", ""], more_than: ["> ", ""], cumulative: ["", " (cumulative)"], range: ["", ""], rank: ["No. ", ""], exact: ["", ""] },
};
const MARKERS_BEFORE = ["将近", "接近", "突破", "超过", "累计", "近", "约", "逾"];
const MARKERS_AFTER = ["左右", "上下", "以上", "有余"];

let lang = pickLanguage();
let labels = LABELS[lang];
let sourcesByCode = new Map(); // from the last load, for the map's caption
let redrawMap = null; // set by map.js once the map section has been opened
let regionNames = new Map(); // code -> name, from the last load (for the result panel)

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "zh" || asked === "en") return asked;
  try {
    const kept = localStorage.getItem("lang");
    if (kept === "zh" || kept === "en") return kept;
  } catch (_) { /* storage may be disabled */ }
  return "zh";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

async function api(path, params, language) {
  const url = new URL(path, location.origin);
  // A list is a repeated parameter (indicator=a&indicator=b).
  for (const [k, v] of Object.entries({ ...params, lang: language })) for (const one of [v].flat()) url.searchParams.append(k, one);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const json = (response.headers.get("content-type") || "").includes("json");
  const body = json ? await response.json() : null;
  if (!response.ok) throw new Error((body && body.detail) || `${response.status} ${url.pathname}`);
  return body;
}

// Every item of a list (all=true), in `language`.
const list = (path, params, language) => api(path, { ...params, all: "true" }, language).then((page) => page.items);

// A number printed as digits keeps its printed decimals (51.0 stays 51.0, not 51).
function number(value, printed) {
  const digits = /^-?\d+(\.\d+)?$/.test(printed || "") ? (printed.split(".")[1] || "").length : undefined;
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en", { minimumFractionDigits: digits, maximumFractionDigits: digits ?? 4 }).format(value);
}

function periodText(item) {
  // "../2025-10-24": a time before the report that the report does not date.
  if (item.period.startsWith("../")) return labels.byDate(item.period.slice(3));
  return item.period.replace("/", "–");
}

// A unit as the page shows it: as printed on the Chinese page; on the English one, a unit
// printed in Chinese (亿元) by its English name, without the curators' gloss in brackets.
// The printed unit stays in the record and in the unit's title. Every item with a unit
// (figures, indicators, checks, series values) carries its English name: no request for it.
function unitName(item) {
  const name = item.unit_name_en;
  return lang === "en" && name && /\p{Script=Han}/u.test(item.unit || "") ? name.replace(/ \(.*\)$/, "") : item.unit || "";
}
// After a number: 2458.8亿元; 2,458.8 × 100 million yuan (a unit that is a number multiplies).
function unitAfter(item) {
  const unit = unitName(item);
  return lang === "zh" || !unit ? unit : ` ${/^\d/.test(unit) ? "× " : ""}${unit}`;
}

// The figure as a reader should see it: the printed figure with its qualifier's words.
function figureParts(obs) {
  const [before, after] = QUALIFIER[lang][obs.qualifier] || ["", ""];
  // A figure printed without its sign (缩小0.17) is shown with it: the value says which way.
  const signless = obs.value < 0 && obs.value_as_published && !obs.value_as_published.startsWith("-");
  if (lang === "zh" && obs.value_as_published && !signless) {
    const printed = obs.value_as_published + (obs.unit || "");
    const at = obs.quote ? obs.quote.indexOf(printed) : -1;
    if (at >= 0 && obs.qualifier !== "exact") {
      const head = obs.quote.slice(Math.max(0, at - 2), at);
      const tail = obs.quote.slice(at + printed.length, at + printed.length + 2);
      const word = MARKERS_BEFORE.find((m) => head.endsWith(m)) || "";
      const back = MARKERS_AFTER.find((m) => tail.startsWith(m)) || "";
      if (word || back) return { text: word + obs.value_as_published, unit: (obs.unit || "") + back };
    }
    return { text: before + obs.value_as_published, unit: (obs.unit || "") + after };
  }
  let text = number(obs.value, obs.value_as_published);
  if (obs.qualifier === "range" && obs.value_max !== null) text += "–" + number(obs.value_max);
  return { text: before + text, unit: unitAfter(obs) + after };
}

function provenance(item, sources) {
  const source = sources.get(item.source);
  const cite = source ? [source.publication || source.title, source.published_date, source.page].filter(Boolean).join(" · ") : item.source;
  // A source whose text is not stored gives a locator instead of the sentence.
  const words = item.quote ? el("p", { text: item.quote, lang: "zh-Hans" }) : el("p", { class: "meta", text: item.locator || "" });
  return el("details", {},
    el("summary", { text: labels.source }),
    el("blockquote", {}, words,
      el("footer", {}, cite + " · ", el("a", { href: item.url, text: labels.record }))),
    // Curators' notes say what a figure does and does not mean (they are in English).
    item.note ? el("p", { class: "meta" }, `${labels.note}: `, el("span", { lang: "en", text: item.note })) : null);
}

// What the record's checks say of a figure: each check reading it opens to its sentence,
// values and record. A figure no check reads says so, and claims nothing more.
function checkMarks(obs, checks) {
  // Another source's figure for the same point first: the plainest corroboration.
  const mine = checks.filter((c) => [...c.inputs, c.expected_record].some((r) => r && r.code === obs.code))
    .sort((a, b) => (b.kind === "sources_agree") - (a.kind === "sources_agree"));
  if (!mine.length) return el("p", { class: "meta check", text: labels.unchecked });
  return mine.map((c) => {
    const amount = (v) => (v === null ? "—" : v + unitAfter(c));
    return el("details", { class: "check" },
      el("summary", {}, `${labels.checked}: `, el("span", { class: `verdict ${c.verdict}`, text: labels.verdicts[c.verdict] || c.verdict }), ` · ${c.title}`),
      el("p", { text: c.sentence }),
      el("p", { class: "meta", text: `${labels.expected} ${amount(c.expected)} · ${labels.actual} ${amount(c.actual)}${c.actual_derived ? ` (${labels.derived})` : ""} · ${labels.tolerance} ${amount(c.tolerance)}` }),
      el("p", { class: "meta" }, el("a", { href: c.url, text: labels.check }), " · ",
        el("a", { href: `/v1/checks?observation=${encodeURIComponent(obs.code)}`, text: labels.checksOf })));
  });
}

// In English, a figure in a Chinese unit (亿元, 万户) also as a plain number in the normalized
// unit; the qualifier applies to it just the same.
function normalized(obs) {
  if (lang !== "en" || obs.normalized_value === obs.value) return null;
  const [before, after] = QUALIFIER.en[obs.qualifier] || ["", ""];
  let normal = number(obs.normalized_value);
  if (obs.normalized_value_max !== null) normal += "–" + number(obs.normalized_value_max);
  return el("p", { class: "meta normalized", text: `= ${before}${normal} ${obs.normalized_unit}${after}` });
}

// The figure with its unit, the unit as printed in its title where the page names it otherwise.
function figureLine(obs) {
  const parts = figureParts(obs);
  return el("p", { class: "figure" }, parts.text, el("span", { class: "unit", text: parts.unit,
    title: lang === "en" && obs.unit ? labels.asPrinted(obs.unit) : null, lang: lang === "en" && /\p{Script=Han}/u.test(parts.unit) ? "zh-Hans" : null }));
}

function figureCard(obs, regions, sources, checks) {
  const place = obs.regions.map((code) => regions.get(code) || code).join(labels.sep);
  const derivation = obs.derived ? el("p", { class: "meta" }, el("span", { class: "badge derived", text: labels.derived }),
    `${labels.derivedFrom} ${obs.derivation.inputs.map((i) => i.observation).join(", ")}`) : null;
  return el("article", { class: "card", title: obs.quote || obs.locator || "", id: `obs-${obs.code}` },
    el("h4", { text: obs.indicator_name }),
    figureLine(obs),
    el("p", { class: "meta", text: `${periodText(obs)} · ${place}` }),
    normalized(obs), derivation, checkMarks(obs, checks), provenance(obs, sources));
}

function renderFigures(observations, topics, regions, sources, checks) {
  const root = document.getElementById("figures");
  root.replaceChildren();
  // One card per indicator: its newest figure, preferring the whole city's.
  const newest = new Map();
  for (const obs of observations) {
    const held = newest.get(obs.indicator);
    const better = !held || (obs.region === HOME) > (held.region === HOME) ||
      ((obs.region === HOME) === (held.region === HOME) && obs.period_end > held.period_end);
    if (better) newest.set(obs.indicator, obs);
  }
  // The economy first (the city's GDP leads), then the rest as the API orders them; an
  // indicator whose topic is not listed still shows, under "other".
  const ordered = [...topics].sort((a, b) => (b.code === "economy") - (a.code === "economy"));
  const known = new Set(ordered.map((t) => t.code));
  const groups = ordered.map((t) => [t.code, t.name]);
  groups.push([null, labels.other]);
  for (const [code, name] of groups) {
    const cards = [...newest.values()].filter((o) => (code === null ? !known.has(o.topic) : o.topic === code));
    if (!cards.length) continue;
    root.append(el("h3", { text: name, id: `topic-${code || "other"}` }),
      el("div", { class: "grid" }, cards.map((o) => figureCard(o, regions, sources, checks))));
  }
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function chart(points, title) {
  const width = 320, height = 180, pad = { l: 44, r: 16, t: 16, b: 32 };
  const times = points.map((p) => Date.parse(p.period_end));
  const values = points.map((p) => p.value);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  let [v0, v1] = [Math.min(...values), Math.max(...values)];
  if (v0 === v1) { v0 -= 1; v1 += 1; }
  const span = v1 - v0; v0 -= span * 0.15; v1 += span * 0.15;
  const x = (t) => pad.l + ((t - t0) / (t1 - t0 || 1)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - ((v - v0) / (v1 - v0)) * (height - pad.t - pad.b);
  const label = (p) => figureParts(p).text;
  const description = points.map((p) => `${periodText(p)}: ${label(p)}${p.derived ? ` (${labels.derived})` : ""}`).join("; ");
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}. ${description}` });
  root.append(svg("line", { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, stroke: "#4a5360" }));
  for (let i = 0; i < points.length; i++) {
    const p = points[i], px = x(times[i]), py = y(p.value);
    if (i > 0) {
      const q = points[i - 1];
      root.append(svg("line", { x1: x(times[i - 1]), y1: y(q.value), x2: px, y2: py, stroke: "#9f1d20", "stroke-width": 2,
        "stroke-dasharray": p.derived || q.derived ? "5 4" : "none" }));
    }
    root.append(svg("circle", { cx: px, cy: py, r: 5, stroke: "#9f1d20", "stroke-width": 2,
      fill: p.derived ? "#ffffff" : "#9f1d20", "data-derived": String(p.derived) }));
    root.append(svg("text", { x: px, y: py - 10, "text-anchor": "middle", "font-size": 12, fill: "#1b1f24" }, label(p)));
    root.append(svg("text", { x: px, y: height - 12, "text-anchor": "middle", "font-size": 11, fill: "#4a5360" }, periodText(p)));
  }
  return root;
}

function renderCharts(observations, regions) {
  const root = document.getElementById("charts");
  root.replaceChildren();
  const series = new Map();
  for (const obs of observations) {
    const key = `${obs.indicator}|${obs.region}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key).push(obs);
  }
  for (const points of series.values()) {
    if (points.length < 2) continue;
    points.sort((a, b) => a.period_end.localeCompare(b.period_end));
    const first = points[0];
    const title = `${first.indicator_name} · ${regions.get(first.region) || first.region}`;
    const rows = points.map((p) => el("tr", {}, el("td", { text: periodText(p) }),
      el("td", { text: `${figureParts(p).text}${figureParts(p).unit}` }),
      el("td", { text: p.derived ? labels.derived : labels.published })));
    root.append(el("figure", { class: "card chart", id: `chart-${first.indicator}-${first.region}` },
      el("figcaption", {}, el("h3", { text: title })), chart(points, title),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: labels.period }), el("th", { text: labels.value }), el("th", { text: labels.kind }))),
        el("tbody", {}, rows))));
  }
  if (!root.children.length) root.append(el("p", { class: "hint", text: labels.noCharts }));
}

function renderTimeline(events, regions, sources) {
  const root = document.getElementById("timeline");
  // A machine-readable date only where the period is one (a year, month or day); an
  // undated "before" or a span has none.
  const datetime = (e) => (/^\d{4}(-\d{2}){0,2}$/.test(e.period) ? e.period : null);
  root.replaceChildren(...events.map((event) => el("li", { id: `event-${event.code}` },
    el("time", { datetime: datetime(event), text: periodText(event) }),
    el("h3", { text: event.title }),
    el("p", { text: event.description }),
    event.regions.length ? el("p", { class: "meta", text: `${labels.about}: ${event.regions.map((c) => regions.get(c) || c).join(labels.sep)}` }) : null,
    provenance(event, sources))));
}

function renderCounties(counties, byCounty, regions) {
  const root = document.getElementById("counties");
  root.replaceChildren();
  // The counties the report does not mention wait behind one toggle, after those it does.
  const silent = el("div", { class: "grid" });
  for (const county of counties) {
    const found = byCounty.get(county.code);
    // A figure about several places says so: it is not this county's alone.
    const others = (o) => {
      const rest = o.regions.filter((c) => c !== county.code).map((c) => regions.get(c) || c);
      return rest.length ? `; ${labels.alsoAbout} ${rest.join(labels.sep)}` : "";
    };
    const groups = [
      [labels.figuresIn, found.figures.map((o) => { const p = figureParts(o); return `${o.indicator_name}: ${p.text}${p.unit} (${periodText(o)}${others(o)})`; })],
      [labels.eventsIn, found.events.map((e) => `${periodText(e)} ${e.title}`)],
      [labels.entitiesIn, found.entities.map((e) => e.name)],
      [labels.quotesIn, found.quotes.map((q) => `${q.speaker}: ${q.text}`)],
    ].filter(([, items]) => items.length);
    (groups.length ? root : silent).append(el("article", { class: "card county", id: `county-${county.code}` },
      el("h3", { text: county.name }),
      groups.length ? groups.map(([name, items]) => [el("h4", { text: name }),
        el("ul", {}, items.map((text) => el("li", { text })))]) : el("p", { class: "meta", text: labels.nothing })));
  }
  if (silent.children.length) root.append(el("details", { class: "more" }, el("summary", { text: labels.more(silent.children.length) }), silent));
}

function snippet(html) {
  // The API escapes the text and marks the matches with <mark>; keep nothing else.
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  return [...parsed.childNodes].map((node) => node.nodeName === "MARK" ? el("mark", { text: node.textContent }) : node.textContent);
}

let searches = 0;
let searched = null; // the query of the last search, to run it again only when it changes
async function search(query) {
  const mine = ++searches;
  searched = query;
  const status = document.getElementById("search-status");
  const root = document.getElementById("search-results");
  if (!query) {
    root.replaceChildren();
    status.textContent = labels.emptyQuery;
    return;
  }
  status.textContent = labels.searching;
  try {
    const page = await api("/v1/search", { q: query, limit: 20 }, lang);
    if (mine !== searches) return; // a newer search, or the language changed
    status.textContent = page.total ? labels.hits(page.total, query) : labels.noHits(query);
    // A result opens in the page (its link is the page's address with it open); its JSON is
    // the second link.
    root.replaceChildren(el("ul", { class: "hits" }, page.items.map((hit) => {
      const path = new URL(hit.url).pathname;
      return el("li", {},
        el("span", { class: "badge", text: labels.types[hit.type] || hit.type }),
        el("a", { href: address({ show: path }), "data-show": path, text: hit.title }), " ",
        el("a", { href: hit.url, class: "json", text: "JSON" }),
        el("p", { class: "meta" }, snippet(hit.snippet)));
    })));
  } catch (error) {
    if (mine === searches) status.textContent = labels.failed + error.message;
  }
}

function applyLabels() {
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  document.title = lang === "zh" ? "晋中指标 · Jinzhong Indicators" : "Jinzhong Indicators · 晋中指标";
  for (const node of document.querySelectorAll("[data-i18n]")) {
    const text = labels[node.dataset.i18n];
    if (typeof text === "string") node.textContent = text;
  }
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", labels[node.dataset.i18nLabel]);
  const button = document.getElementById("lang-switch");
  button.textContent = labels.switchTo;
  button.lang = labels.switchLang === "zh" ? "zh-Hans" : "en";
}

// Code the first screen does without, fetched once when first needed: the sections below the
// first screen (depth.js, once the first screen is drawn) and the result panel (result.js).
const scripts = new Map();
function script(src) {
  if (!scripts.has(src)) scripts.set(src, new Promise((resolve, reject) => {
    const node = el("script", { src });
    node.onload = resolve;
    node.onerror = () => { scripts.delete(src); reject(new Error(src)); };
    document.head.append(node);
  }));
  return scripts.get(src);
}
let loaded; // resolves once the first load has its regions and sources (the panel names them)
const firstLoad = new Promise((resolve) => { loaded = resolve; });

let loads = 0;
async function load() {
  // Only the newest load draws: a slow answer in the previous language is dropped.
  const mine = ++loads;
  const language = lang;
  const status = document.getElementById("status");
  status.textContent = labels.loading;
  try {
    // The cards pick each indicator's newest figure from the report's list and group it by
    // the topic the figure names, and the counties are the regions under the city: no request
    // for what another answer already holds (every indicator would be the biggest of them).
    const [topics, observations, events, quotes, sourceList, allRegions, checks] = await Promise.all([
      list("/v1/topics", {}, language),
      list("/v1/observations", { source: REPORT }, language), list("/v1/events", { source: REPORT }, language),
      list("/v1/quotes", {}, language), list("/v1/sources", {}, language), list("/v1/regions", {}, language),
      list("/v1/checks", { source: REPORT }, language),
    ]);
    const counties = allRegions.filter((r) => r.parent === HOME);
    const entities = await Promise.all(counties.map((c) => list("/v1/entities", { region: c.code }, language)));
    if (mine !== loads) return;
    const regions = new Map(allRegions.map((r) => [r.code, r.name]));
    regionNames = regions;
    const sources = new Map(sourceList.map((s) => [s.code, s]));
    sourcesByCode = sources;
    const byCounty = new Map(counties.map((county, i) => [county.code, {
      figures: observations.filter((o) => o.regions.includes(county.code)),
      events: events.filter((e) => e.regions.includes(county.code)),
      entities: entities[i].filter((e) => e.source === REPORT),
      quotes: quotes.filter((q) => q.source === REPORT && q.regions.includes(county.code)),
    }]));
    renderFigures(observations, topics, regions, sources, checks);
    renderCharts(observations, regions);
    renderTimeline(events, regions, sources);
    renderCounties(counties, byCounty, regions);
    document.getElementById("sources").textContent = sourceList.map((s) => `${s.publication || s.title} ${s.published_date || ""} ${s.page || ""}`.trim()).join("; ");
    status.textContent = "";
    loaded();
    await script("/static/dashboard/depth.js");
    await loadDepth(language, allRegions, sourceList, () => mine === loads);
  } catch (error) {
    if (mine === loads) status.textContent = labels.failed + error.message;
    loaded();
  }
}

// The page's address with `changes` made to its query (a null value drops the parameter).
function address(changes) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(changes)) if (v) url.searchParams.set(k, v); else url.searchParams.delete(k);
  return url.pathname + url.search;
}

function go(changes) {
  history.pushState(null, "", address(changes));
  route(false);
}

// What the address asks for: a language, a search (q) and a result opened from it (show), so
// that a shared link, a reload, back and forward all show what the address says. `again`
// redraws the search and the result (after a language switch).
let opened = null;
function route(again) {
  const params = new URLSearchParams(location.search);
  const asked = params.get("lang");
  if ((asked === "zh" || asked === "en") && asked !== lang) {
    setLanguage(asked);
    again = true;
  }
  const query = (params.get("q") || "").trim();
  document.getElementById("q").value = query;
  if (query && (again || query !== searched)) search(query);
  if (!query && searched) {
    searched = null;
    searches++; // an answer still on its way is dropped
    document.getElementById("search-results").replaceChildren();
    document.getElementById("search-status").textContent = "";
  }
  // Only a record of this server's API opens (never another address).
  const show = params.get("show");
  const path = /^\/v1\/(observations|events|entities|quotes|indicators|regions)\/[\w-]+$/.test(show) ? show : null;
  if (path && (again || path !== opened)) {
    script("/static/dashboard/result.js").then(() => showResult(path))
      .catch((error) => { document.getElementById("search-status").textContent = labels.failed + error.message; });
  }
  if (!path) document.getElementById("result").hidden = true;
  opened = path;
}

function setLanguage(language) {
  lang = language;
  labels = LABELS[lang];
  applyLabels();
  load();
  if (redrawMap) redrawMap();
}

function switchLanguage() {
  setLanguage(labels.switchLang);
  try { localStorage.setItem("lang", lang); } catch (_) { /* storage may be disabled */ }
  history.replaceState(null, "", address({ lang }));
  route(true);
}

document.addEventListener("DOMContentLoaded", () => {
  applyLabels();
  document.getElementById("lang-switch").addEventListener("click", switchLanguage);
  const map = document.getElementById("map");
  map.addEventListener("toggle", () => {
    // The map's code, like its data, is fetched only once its section is opened.
    if (map.open && !document.getElementById("map-script")) document.head.append(el("script", { id: "map-script", src: "/static/dashboard/map.js" }));
  });
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = document.getElementById("q").value.trim();
    if (!query) return search(query);
    // A new search is a new place in the history; the same one again is not.
    if (query !== new URLSearchParams(location.search).get("q")) history.pushState(null, "", address({ q: query, show: null }));
    route(true);
  });
  document.getElementById("search-results").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-show]");
    if (!link || event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault(); // opened here, not as JSON; a new tab still gets the page's link
    go({ show: link.dataset.show });
  });
  window.addEventListener("popstate", () => route(false));
  load();
  route(false);
});
