/**
 * Readers of temporal interaction files:
 * - JODIE CSV (`user_id,item_id,timestamp,state_label,features…`; Wikipedia, Reddit, MOOC and LastFM
 *   come this way): the first four cells by position, every further cell an edge feature. Integer
 *   user ids 0…U−1 and item ids 0…I−1 map as the official TGAT `process.py` maps them (user u → u+1,
 *   item i → U+1+i); other ids get numbers in order of first appearance.
 * - A plain edge CSV with a header naming `src`, `dst`, `t` (also `source`/`u`, `destination`/`i`,
 *   `ts`/`time`/`timestamp`), an optional `label` / `state_label`, every other column a feature.
 * Times are rebased to start at 0 and the interactions sorted by time. Every malformed cell stops
 * the read with an `InputError` naming file, line and column.
 */
import { InputError } from '../../util/errors.js';
import { LineCursor, splitCells, type Delimiter } from '../csv.js';
import { nodeIdOf, sortByTime, type TemporalGraph } from './graph.js';

/** File layouts {@link parseTemporalCsv} reads. */
export type TemporalFormat = 'auto' | 'jodie' | 'edges';

export interface TemporalCsvOptions {
  /** File name for messages. */
  file: string;
  /** Layout (default 'auto': JODIE when the header starts with a user column or has `state_label`, else edges). */
  format?: TemporalFormat;
  /** Sources and destinations in separate id spaces (default: true for JODIE, false for edges). */
  bipartite?: boolean;
  /** Fewest interactions accepted (default 1). */
  minEvents?: number;
}

const SRC = ['src', 'source', 'u', 'user', 'user_id', 'src_id', 'from'];
const DST = ['dst', 'destination', 'i', 'item', 'item_id', 'dst_id', 'to', 'target'];
const TIME = ['t', 'ts', 'time', 'timestamp'];
const LABEL = ['label', 'state_label', 'y'];

function delimiterOf(header: string): Delimiter {
  if (header.includes('\t') && !header.includes(',')) return '\t';
  if (header.includes(';') && !header.includes(',')) return ';';
  return ',';
}

function find(header: string[], names: readonly string[]): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

/** Maps raw ids to 1-based node numbers: the official integer mapping when ids are 0…K−1, else first appearance. */
class IdSpace {
  private readonly raw: string[] = [];
  private allInt = true;
  private maxInt = -1;
  add(id: string): void {
    this.raw.push(id);
    if (this.allInt) {
      if (/^\d+$/.test(id)) this.maxInt = Math.max(this.maxInt, Number(id));
      else this.allInt = false;
    }
  }
  /** Node numbers (1-based within this space) per occurrence, and the names by number. */
  finish(): { ids: Int32Array; names: string[]; size: number } {
    const n = this.raw.length;
    const ids = new Int32Array(n);
    if (this.allInt && n > 0) {
      const distinct = new Set(this.raw.map(Number));
      if (distinct.size === this.maxInt + 1) {
        const names = [''];
        for (let k = 0; k <= this.maxInt; k++) names.push(String(k));
        for (let i = 0; i < n; i++) ids[i] = Number(this.raw[i]) + 1;
        return { ids, names, size: this.maxInt + 1 };
      }
    }
    const map = new Map<string, number>();
    const names = [''];
    for (let i = 0; i < n; i++) {
      const r = this.raw[i]!;
      let v = map.get(r);
      if (v === undefined) {
        v = names.length;
        map.set(r, v);
        names.push(r);
      }
      ids[i] = v;
    }
    return { ids, names, size: names.length - 1 };
  }
}

function number(cell: string | undefined, file: string, line: number, column: string): number {
  const s = (cell ?? '').trim();
  const v = s === '' ? Number.NaN : Number(s);
  if (!Number.isFinite(v)) throw new InputError(`${s === '' ? 'empty cell' : `'${s}' is not a finite number`}`, { file, line, column });
  return v;
}

/** The header line of a CSV (first non-blank line), its delimiter, and a cursor at the next line. */
function readHeader(text: string, file: string): { cursor: LineCursor; headerLine: number; delimiter: Delimiter; header: string[] } {
  const cursor = new LineCursor(text);
  const first = cursor.nextNonBlank();
  if (first === null) throw new InputError('file is empty', { file });
  const delimiter = delimiterOf(first);
  return { cursor, headerLine: cursor.lineNo, delimiter, header: splitCells(first, delimiter).map((h) => h.trim()) };
}

/** Parse a temporal interaction CSV (see the module comment for the layouts). */
export function parseTemporalCsv(text: string, o: TemporalCsvOptions): TemporalGraph {
  const file = o.file;
  const { cursor, headerLine, delimiter, header } = readHeader(text, file);
  const lower = header.map((h) => h.toLowerCase());
  let format = o.format ?? 'auto';
  if (format === 'auto') format = lower.includes('state_label') || /^user/.test(lower[0] ?? '') ? 'jodie' : 'edges';
  let si: number;
  let di: number;
  let ti: number;
  let li: number;
  let featStart: number[] | null = null;
  if (format === 'jodie') {
    if (header.length < 4) throw new InputError(`a JODIE file needs at least 4 columns (user, item, timestamp, state_label), the header has ${header.length}`, { file, line: headerLine });
    [si, di, ti, li] = [0, 1, 2, 3];
  } else {
    si = find(header, SRC);
    di = find(header, DST);
    ti = find(header, TIME);
    li = find(header, LABEL);
    const missing = [si < 0 ? 'src' : '', di < 0 ? 'dst' : '', ti < 0 ? 't' : ''].filter(Boolean);
    if (missing.length) throw new InputError(`the header has no ${missing.join(', ')} column (columns: ${header.join(', ')}; a JODIE file is read with --format jodie)`, { file, line: headerLine });
    featStart = header.map((_, k) => k).filter((k) => k !== si && k !== di && k !== ti && k !== li);
  }
  const bipartite = o.bipartite ?? format === 'jodie';
  const srcIds = new IdSpace();
  const dstIds = bipartite ? new IdSpace() : srcIds;
  const times: number[] = [];
  const labels: number[] = [];
  const lines: number[] = [];
  const feats: Float32Array[] = [];
  let featDim = -1;
  const colName = (k: number) => header[k] ?? `${k + 1}`;
  for (let line = cursor.nextNonBlank(); line !== null; line = cursor.nextNonBlank()) {
    const ln = cursor.lineNo;
    const cells = splitCells(line, delimiter);
    const need = Math.max(si, di, ti, li) + 1;
    if (cells.length < need) throw new InputError(`${cells.length} cells, expected at least ${need}`, { file, line: ln });
    const s = cells[si]!.trim();
    const d = cells[di]!.trim();
    if (s === '') throw new InputError('empty node id', { file, line: ln, column: colName(si) });
    if (d === '') throw new InputError('empty node id', { file, line: ln, column: colName(di) });
    srcIds.add(s);
    dstIds.add(d);
    times.push(number(cells[ti], file, ln, colName(ti)));
    labels.push(li >= 0 ? number(cells[li], file, ln, colName(li)) : 0);
    const fc = featStart ?? cells.map((_, k) => k).slice(4);
    if (featDim < 0) featDim = fc.length;
    else if (fc.length !== featDim) throw new InputError(`${fc.length} feature cells, the first interaction has ${featDim}`, { file, line: ln });
    if (featStart && cells.length !== header.length) throw new InputError(`${cells.length} cells, the header has ${header.length}`, { file, line: ln });
    const f = new Float32Array(featDim);
    for (let k = 0; k < featDim; k++) f[k] = number(cells[fc[k]!], file, ln, format === 'jodie' ? `${fc[k]! + 1} (feature ${k + 1})` : colName(fc[k]!));
    feats.push(f);
    lines.push(ln);
  }
  const n = times.length;
  const minEvents = o.minEvents ?? 1;
  if (n < minEvents) throw new InputError(`${n} interaction${n === 1 ? '' : 's'}, at least ${minEvents} needed`, { file });
  const S = srcIds.finish();
  const D = bipartite ? dstIds.finish() : S;
  const numSources = S.size;
  const src = new Int32Array(n);
  const dst = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // One id space saw each row's source then destination, so its ids interleave.
    src[i] = bipartite ? S.ids[i]! : S.ids[2 * i]!;
    dst[i] = bipartite ? D.ids[i]! + numSources : S.ids[2 * i + 1]!;
  }
  const names = bipartite ? [...S.names, ...D.names.slice(1)] : S.names;
  const numNodes = bipartite ? S.size + D.size : S.size;
  const t0 = times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const edgeFeat = new Float32Array(n * Math.max(featDim, 0));
  feats.forEach((f, i) => edgeFeat.set(f, i * featDim));
  return sortByTime({
    name: file.split(/[\\/]/).pop() ?? file,
    numNodes,
    src,
    dst,
    t: Float64Array.from(times, (x) => x - t0),
    timeOffset: t0,
    label: Float32Array.from(labels),
    edgeFeat,
    edgeDim: Math.max(featDim, 0),
    nodeFeat: null,
    nodeDim: 0,
    bipartite,
    numSources: bipartite ? numSources : numNodes,
    nodeNames: names,
    lines: Int32Array.from(lines),
  });
}

/** Write a graph as a JODIE CSV (user and item ids 0-based per side, as the JODIE files are). */
export function formatJodieCsv(g: TemporalGraph): string {
  if (!g.bipartite) throw new Error('formatJodieCsv: the graph is not bipartite');
  const D = g.edgeDim;
  const out: string[] = [['user_id', 'item_id', 'timestamp', 'state_label', ...Array.from({ length: D }, (_, k) => `f${k}`)].join(',')];
  for (let i = 0; i < g.src.length; i++) {
    const f = Array.from(g.edgeFeat.subarray(i * D, (i + 1) * D), (v) => String(Math.fround(v)));
    out.push([g.src[i]! - 1, g.dst[i]! - g.numSources - 1, g.t[i]! + g.timeOffset, g.label[i], ...f].join(','));
  }
  return `${out.join('\n')}\n`;
}

/** Link queries (src, dst, t) read against a graph's node names and clock. */
export interface TemporalQueries {
  /** Node ids in the graph (0: a node the graph has never seen). */
  src: Int32Array;
  dst: Int32Array;
  /** Times on the graph's rebased clock (file time − the graph's offset). */
  t: Float64Array;
  /** The names as written, and the 1-based file line of each query. */
  srcNames: string[];
  dstNames: string[];
  lines: Int32Array;
  /** Queries whose source / destination the graph has never seen. */
  unknownSrc: number;
  unknownDst: number;
}

/**
 * Parse a CSV of link queries with a header naming the source, destination and time columns
 * (`src,dst,t`, or JODIE's `user_id,item_id,timestamp`; other columns are ignored). Names are
 * looked up in `graph` (destinations on the item side of a bipartite graph); times are in the
 * file's units, as the graph's own file.
 */
export function parseTemporalQueries(text: string, o: { file: string; graph: TemporalGraph }): TemporalQueries {
  const { file, graph } = o;
  const { cursor, headerLine, delimiter, header } = readHeader(text, file);
  const si = find(header, SRC);
  const di = find(header, DST);
  const ti = find(header, TIME);
  const missing = [si < 0 ? 'src' : '', di < 0 ? 'dst' : '', ti < 0 ? 't' : ''].filter(Boolean);
  if (missing.length)
    throw new InputError(`the header has no ${missing.join(', ')} column (columns: ${header.join(', ')}; expected src,dst,t or user_id,item_id,timestamp)`, { file, line: headerLine });
  const src: number[] = [];
  const dst: number[] = [];
  const t: number[] = [];
  const srcNames: string[] = [];
  const dstNames: string[] = [];
  const lines: number[] = [];
  let unknownSrc = 0;
  let unknownDst = 0;
  for (let line = cursor.nextNonBlank(); line !== null; line = cursor.nextNonBlank()) {
    const ln = cursor.lineNo;
    const cells = splitCells(line, delimiter);
    const need = Math.max(si, di, ti) + 1;
    if (cells.length < need) throw new InputError(`${cells.length} cells, expected at least ${need}`, { file, line: ln });
    const s = cells[si]!.trim();
    const d = cells[di]!.trim();
    if (s === '') throw new InputError('empty node id', { file, line: ln, column: header[si] });
    if (d === '') throw new InputError('empty node id', { file, line: ln, column: header[di] });
    const sv = nodeIdOf(graph, s, 'src');
    const dv = nodeIdOf(graph, d, graph.bipartite ? 'dst' : 'any');
    if (sv < 0) unknownSrc++;
    if (dv < 0) unknownDst++;
    src.push(Math.max(sv, 0));
    dst.push(Math.max(dv, 0));
    t.push(number(cells[ti], file, ln, header[ti]!) - graph.timeOffset);
    srcNames.push(s);
    dstNames.push(d);
    lines.push(ln);
  }
  if (src.length === 0) throw new InputError('no queries after the header', { file });
  return { src: Int32Array.from(src), dst: Int32Array.from(dst), t: Float64Array.from(t), srcNames, dstNames, lines: Int32Array.from(lines), unknownSrc, unknownDst };
}
