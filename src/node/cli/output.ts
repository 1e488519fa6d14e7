/** Plain-text rendering of metric comparisons for the terminal. */
import type { MetricsComparison } from '../../report/report.js';

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

/** A metrics table: heading names split and dataset, one row per model/baseline. */
export function formatComparison(m: MetricsComparison, heading?: string): string {
  const names = m.metrics ? [...m.metrics] : [...new Set(m.rows.flatMap((r) => Object.keys(r.values)))];
  const header = ['', ...names];
  const rows = m.rows.map((r) => [(r.kind === 'model' ? '* ' : '  ') + r.label, ...names.map((n) => fmt(r.values[n]))]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const lines = all.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  const title = `${heading ? heading + ' — ' : ''}${m.split} split of ${m.dataset}${m.protocol ? ` (${m.protocol})` : ''}`;
  return [title, ...lines, ...(m.note ? [`  (${m.note})`] : [])].join('\n');
}
