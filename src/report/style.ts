/** The report's inline stylesheet: system fonts only, readable on screen and on paper. */
export const REPORT_CSS = `
:root { --fg: #1a1a1a; --muted: #5f6368; --line: #e3e3e3; --accent: #1f5fa8; --model: #eef4fc; --zebra: #fafafa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 64px; }
header { border-bottom: 2px solid var(--fg); padding-bottom: 12px; margin-bottom: 8px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; }
.subtitle { color: var(--muted); margin: 0; }
.status { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px;
  vertical-align: middle; margin-left: 8px; background: #e8e8e8; }
.status-completed { background: #dff3e4; color: #1e6b34; }
.status-failed { background: #fbe3e3; color: #9b1c1c; }
.status-interrupted { background: #fff1d6; color: #8a5a00; }
.status-running { background: #e3eefc; color: #1f5fa8; }
nav.toc { font-size: 14px; margin: 10px 0 8px; color: var(--muted); }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
nav.toc a:hover { text-decoration: underline; }
section { margin-top: 34px; }
h2 { font-size: 19px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.description { color: var(--muted); margin: 0 0 12px; max-width: 78ch; }
.error { background: #fbe3e3; border-left: 4px solid #9b1c1c; padding: 8px 12px; margin: 12px 0;
  white-space: pre-wrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.table-wrap { overflow-x: auto; margin: 6px 0 14px; }
table { border-collapse: collapse; font-size: 14px; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding: 0 0 6px; caption-side: top; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #bbb; font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { font-weight: 700; }
tr.model { background: var(--model) !important; }
tr.model th { color: var(--accent); }
.tag { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; margin-left: 6px; font-weight: 400; }
table.kv th { color: var(--muted); font-weight: 500; white-space: nowrap; }
table.kv td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; word-break: break-word; }
.charts { display: flex; flex-wrap: wrap; gap: 18px 28px; align-items: flex-start; }
figure.chart { margin: 0; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
.columns { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print { main { padding: 0; } section { break-inside: avoid-page; } nav.toc { display: none; } }
`;
