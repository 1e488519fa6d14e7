/** Text and JSON renderings of registry runs for `sheaf runs list`. */
import type { RunRecord } from './registry.js';
import { isStale } from './lock.js';

/** Run duration as `1h02m`, `3m05s` or `12.3s`; empty while the run has not ended. */
export function formatDuration(startedAt: string, endedAt: string | null): string {
  if (endedAt === null) return '';
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const totalSec = Math.round(s);
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const sec = totalSec % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

/** Start time as `YYYY-MM-DD HH:MM:SS` (UTC), which reads better in a table than full ISO. */
function shortTime(iso: string): string {
  return iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')
    .replace(/Z$/, '');
}

/** Longest dataset name shown in the table before it is cut with an ellipsis. */
const MAX_DATASET = 32;

/**
 * A plain, column-aligned text table of runs (one line per run, header first), for terminals.
 * Columns: id, system, verb, dataset, seed, backend, status, started (UTC), duration. A run marked
 * running whose process is gone (no live lock in its folder) shows as stale.
 * Returns `no runs` for an empty list.
 */
export function formatRunsTable(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no runs';
  const header = ['ID', 'SYSTEM', 'VERB', 'DATASET', 'SEED', 'BACKEND', 'STATUS', 'STARTED (UTC)', 'DURATION'];
  const rows = runs.map((r) => [
    r.id,
    r.system,
    r.verb,
    r.dataset.length > MAX_DATASET ? '…' + r.dataset.slice(r.dataset.length - MAX_DATASET + 1) : r.dataset,
    r.seed === null ? '-' : String(r.seed),
    r.backend,
    r.status === 'running' && isStale(r) ? 'stale (process gone)' : r.status,
    shortTime(r.startedAt),
    formatDuration(r.startedAt, r.endedAt),
  ]);
  const all = [header, ...rows];
  // Newlines or tabs in user-given names would break the alignment; show them as spaces.
  const clean = all.map((row) => row.map((cell) => cell.replace(/[\r\n\t]+/g, ' ')));
  const widths = header.map((_, c) => Math.max(...clean.map((row) => [...row[c]!].length)));
  return clean
    .map((row) =>
      row
        .map((cell, c) => (c === row.length - 1 ? cell : cell + ' '.repeat(widths[c]! - [...cell].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs as a pretty-printed JSON array (the `--json` form of `sheaf runs list`), newline-terminated. */
export function formatRunsJson(runs: readonly RunRecord[]): string {
  return JSON.stringify(runs, null, 2) + '\n';
}
