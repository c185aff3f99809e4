// Jinzhong Indicators dashboard: a search result opened in the page. dashboard.js fetches this
// file the first time a result is opened (from a click or from the address) and calls
// showResult(path); it uses that file's helpers (el, api, list, figureLine, figureParts,
// normalized, periodText, checkMarks, unitName) and, like it, puts text from the API in the
// page as text only.
"use strict";

Object.assign(LABELS.zh, {
  close: "关闭", text: "原文", original: "原网页", unit: "单位", figureCount: (n) => `${n}个数字`, in: "隶属",
  levels: { province: "省", prefecture: "地级市", county: "县级行政区" },
});
Object.assign(LABELS.en, {
  close: "Close", text: "Text", original: "Original page", unit: "Unit", figureCount: (n) => `${n} figure${n === 1 ? "" : "s"}`, in: "in",
  levels: { province: "province", prefecture: "prefecture-level city", county: "county-level division" },
});

const RESULT_TYPES = { observations: "observation", events: "event", entities: "entity", quotes: "quote", indicators: "indicator", regions: "region" };
const places = (codes) => codes.map((code) => regionNames.get(code) || code).join(labels.sep);

// Where a record comes from: its sentence (or, for a source whose text is not stored, its
// locator), the source's citation, and links to the source's record, text and original page.
function origin(item) {
  const source = sourcesByCode.get(item.source) || { title: item.source, url: `/v1/sources/${encodeURIComponent(item.source)}` };
  const words = item.quote ? el("p", { lang: "zh-Hans", text: item.quote }) : item.locator ? el("p", { class: "meta", text: item.locator }) : null;
  return el("blockquote", {}, words, el("footer", {},
    [source.publication, source.published_date, source.page].filter(Boolean).map((part) => `${part} · `),
    el("a", { href: source.url, text: source.title }),
    source.text_url ? [" · ", el("a", { href: source.text_url, text: labels.text })] : null,
    source.published_url ? [" · ", el("a", { href: source.published_url, text: labels.original })] : null));
}

// Each kind of record: its heading and what follows it.
const RESULT_VIEWS = {
  observation: (o, checks) => [o.indicator_name, figureLine(o), el("p", { class: "meta", text: `${periodText(o)} · ${places(o.regions)}` }),
    normalized(o), o.note ? el("p", { class: "meta" }, `${labels.note}: `, el("span", { lang: "en", text: o.note })) : null,
    checkMarks(o, checks), origin(o)],
  event: (e) => [e.title, el("p", { class: "meta", text: periodText(e) }), el("p", { text: e.description }),
    e.regions.length ? el("p", { class: "meta", text: `${labels.about}: ${places(e.regions)}` }) : null, origin(e)],
  entity: (e) => [e.name, el("p", { text: e.description }),
    e.regions.length ? el("p", { class: "meta", text: `${labels.about}: ${e.regions.map((r) => r.name).join(labels.sep)}` }) : null, origin(e)],
  quote: (q) => [q.speaker, el("blockquote", {}, el("p", { lang: "zh-Hans", text: q.text }), lang === "en" && q.gloss_en ? el("p", { text: q.gloss_en }) : null),
    el("p", { class: "meta", text: q.role }), origin(q)],
  indicator: (i) => [i.name, el("p", { text: i.definition }),
    el("p", { class: "meta", text: [i.unit && `${labels.unit}: ${unitName(i)}`, labels.figureCount(i.observation_count)].filter(Boolean).join(" · ") })],
  region: (r) => [r.name, el("p", { class: "meta", text: [r.name_zh, r.name_en, labels.levels[r.level] || r.level,
    r.parent_region && `${labels.in} ${r.parent_region.name}`].filter(Boolean).join(" · ") })],
};

let showing = 0;
async function showResult(path) {
  const mine = ++showing;
  const language = lang;
  const panel = document.getElementById("result");
  const type = RESULT_TYPES[path.split("/")[2]];
  panel.hidden = false;
  panel.replaceChildren(el("p", { class: "meta", text: labels.loading }));
  try {
    const [item, checks] = await Promise.all([api(path, {}, language),
      type === "observation" ? list("/v1/checks", { observation: path.split("/")[3] }, language) : [], firstLoad]);
    if (mine !== showing || language !== lang) return; // another result, or the language changed
    const [title, ...body] = RESULT_VIEWS[type](item, checks);
    const close = el("button", { type: "button", class: "close", text: labels.close });
    close.addEventListener("click", () => go({ show: null }));
    const heading = el("h3", { tabindex: "-1", text: title });
    panel.replaceChildren(...[el("p", {}, el("span", { class: "badge", text: labels.types[type] }), close), heading, body,
      el("p", { class: "meta" }, el("a", { href: item.url, text: "JSON" }))].flat(Infinity).filter(Boolean));
    // Open at the sentence: the source is why the record is worth reading.
    heading.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "nearest" });
  } catch (error) {
    if (mine === showing) panel.replaceChildren(el("p", { class: "status", text: labels.failed + error.message }));
  }
}
