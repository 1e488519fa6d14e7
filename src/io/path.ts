/**
 * Path helpers for storage paths: '/'-separated strings, the same in Node and in a browser. A
 * path may start with a scheme such as `shipped:` (the data sets in the package's `data/`
 * folder); the scheme is kept as part of the first segment.
 */

/** Join path segments with '/', collapsing `.`, `..` and repeated separators. */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return normalizePath(joined);
}

/** Collapse `.`, `..` and repeated separators; keeps a leading '/' and a trailing name. */
export function normalizePath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && abs) continue;
    else out.push(seg);
  }
  const s = out.join('/');
  return abs ? '/' + s : s === '' ? '.' : s;
}

/** The folder part of a path ('.' when there is none). */
export function dirnamePath(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : n.slice(0, i);
}

/** The last segment of a path. */
export function basenamePath(p: string): string {
  const n = normalizePath(p);
  return n.slice(n.lastIndexOf('/') + 1);
}
