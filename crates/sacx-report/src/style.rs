//! The page's stylesheet, inlined into `<style>`: system fonts only, no external
//! resource of any kind.

/// CSS of the report.
pub const CSS: &str = r#"
:root { --fg: #1d232b; --muted: #5d6673; --line: #d9dee5; --bg: #fff; --soft: #f5f7fa;
  --pos: 37, 99, 168; --neg: 196, 86, 29; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
  "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 0 24px 64px; }
header.page { background: #1f3a5f; color: #fff; padding: 22px 24px; }
header.page h1 { margin: 0 auto; max-width: 1072px; font-size: 24px; font-weight: 600; }
header.page p { margin: 4px auto 0; max-width: 1072px; opacity: .85; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
a { color: #1f5fa8; }
.muted, .pm { color: var(--muted); }
.pm { font-size: 85%; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: 8px 12px; }
.lead { max-width: 80ch; }
dl.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 8px 0; }
dl.facts div { display: flex; gap: 6px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: var(--soft); }
.card h3 { margin: 0 0 6px; font-size: 14px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
table { border-collapse: collapse; margin: 6px 0 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; white-space: nowrap; text-align: right; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { white-space: normal; background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); }
tbody th, td:first-child { text-align: left; font-weight: normal; }
table.kv th { color: var(--muted); text-align: left; padding-left: 0; }
table.kv td { text-align: left; word-break: break-word; white-space: normal; }
table.words td:nth-child(2) { text-align: left; }
td.best { background: #e8f3e8; }
th.ig { color: #1f5fa8; }
nav#toc ol.parts { display: flex; gap: 18px; list-style: none; padding: 0; }
nav#toc ol.classes { columns: 3 240px; padding-left: 22px; }
nav#toc ol.classes li { break-inside: avoid; }
section.class { border-top: 1px solid var(--line); margin-top: 28px; }
section.class > h2 { border: 0; color: #1f3a5f; }
.classline { margin: 4px 0; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
svg.chart text { fill: var(--fg); }
svg.chart text.tick, svg.chart text.muted { fill: var(--muted); font-size: 11px; }
svg.chart text.fig { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg.chart g.row:hover rect { opacity: .8; }
details { margin: 6px 0; }
div.scroll { overflow-x: auto; }
table.languages td, table.translations td { text-align: left; }
span.translated { border-bottom: 1px dotted var(--muted); cursor: help; }
summary { cursor: pointer; color: #1f5fa8; }
details.params > summary { margin: 12px 0 8px; font-weight: 600; }
table.summary-eval th[title] { cursor: help; }
dl.baselines div { display: flex; gap: 10px; }
dl.baselines dt { min-width: 80px; color: var(--muted); }
dl.baselines dd { margin: 0; }
article.doc { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; padding: 8px 12px; }
article.doc header { font-size: 13px; color: var(--muted); margin-bottom: 4px; }
.docid { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: var(--fg); }
.target { margin: 6px 0; }
.tname { font-weight: 600; font-size: 13px; }
p.text { margin: 2px 0; line-height: 1.9; }
.w { padding: 1px 2px; border-radius: 3px; }
.p1 { background: rgba(var(--pos), .12); } .p2 { background: rgba(var(--pos), .26); }
.p3 { background: rgba(var(--pos), .42); } .p4 { background: rgba(var(--pos), .6); color: #fff; }
.p5 { background: rgba(var(--pos), .8); color: #fff; }
.n1 { background: rgba(var(--neg), .12); } .n2 { background: rgba(var(--neg), .26); }
.n3 { background: rgba(var(--neg), .42); } .n4 { background: rgba(var(--neg), .6); color: #fff; }
.n5 { background: rgba(var(--neg), .8); color: #fff; }
.legend .w { display: inline-block; min-width: 1.6em; text-align: center; margin: 0 1px; }
.map { margin: 8px 0; }
.map > .map-by { color: var(--muted); margin-right: 4px; }
.map > input { margin: 0 3px 0 12px; vertical-align: -1px; }
.map > label { cursor: pointer; }
.map > input:checked + label { font-weight: 600; }
svg.map-plot { display: block; width: 100%; height: auto; margin-top: 6px; background: #fff;
  border: 1px solid var(--line); border-radius: 6px; }
.map circle, .map-table circle { fill: #c4c7cc; }
svg.map-plot circle { fill-opacity: .8; }
svg.map-plot circle:hover { stroke: #000; stroke-width: 1.5; fill-opacity: 1; }
svg.map-plot text.ml { font-size: 13px; font-weight: 600; fill: var(--fg); stroke: #fff;
  stroke-width: 4px; stroke-linejoin: round; paint-order: stroke; pointer-events: none; }
.map-legend { display: none; flex-wrap: wrap; gap: 2px 16px; margin: 8px 0; font-size: 13px; }
#map-by-cluster:checked ~ .lg-k, #map-by-class:checked ~ .lg-c,
#map-by-lang:checked ~ .lg-l { display: flex; }
.map-legend span { display: inline-flex; align-items: center; gap: 4px; }
.map-legend i { color: var(--muted); font-style: normal; }
svg.sw { width: 10px; height: 10px; flex: none; margin-right: 4px; }
table.map-table td { white-space: normal; text-align: left; }
table.map-table thead th { text-align: left; }
table.map-table td:nth-child(2), table.map-table thead th:nth-child(2) { text-align: right; }
table.map-table tbody th { white-space: nowrap; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; }
@media print { details { display: block; } section.class { break-inside: avoid-page; } }
"#;
