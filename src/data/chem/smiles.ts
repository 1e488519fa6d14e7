/**
 * A small SMILES scanner: it finds the atoms (in the order RDKit numbers them) and the bonds with
 * the `/` `\` marks written on them. RDKit's MinimalLib does not expose a bond's direction
 * (`Bond::GetBondDir()`), and the Hu et al. features need it, so the featuriser reads it back from
 * the text. The scanner does not validate chemistry: RDKit has already read the SMILES.
 */

/** A bond as written. `a` is the atom written first, `b` the second. */
export interface WrittenBond {
  a: number;
  b: number;
  /** Direction mark read from `a` towards `b` (a chain bond, or the mark at a ring opening), or null. */
  fromA: '/' | '\\' | null;
  /** Direction mark read from `b` towards `a` (the mark at a ring closure), or null. */
  fromB: '/' | '\\' | null;
}

/** What the scanner found. */
export interface ScannedSmiles {
  /** Per atom in text order: whether it is a plain hydrogen `[H]` that RDKit's default H removal may drop. */
  plainH: boolean[];
  /** Per atom: the atomic symbol as written (`C`, `c`, `Cl`, `H`, `*`, …). */
  symbols: string[];
  bonds: WrittenBond[];
}

const ORGANIC2 = new Set(['Cl', 'Br']);
const ORGANIC1 = new Set(['B', 'C', 'N', 'O', 'P', 'S', 'F', 'I', 'b', 'c', 'n', 'o', 'p', 's', '*']);

/** Scan a SMILES (anything after the first space or tab, e.g. a CXSMILES block or a name, is ignored). Returns null when the text is not SMILES as this scanner reads it. */
export function scanSmiles(smiles: string): ScannedSmiles | null {
  const end = smiles.search(/[ \t]/);
  const s = end < 0 ? smiles : smiles.slice(0, end);
  const plainH: boolean[] = [];
  const symbols: string[] = [];
  const bonds: WrittenBond[] = [];
  const open = new Map<number, { atom: number; mark: '/' | '\\' | null }>();
  const stack: number[] = [];
  let prev = -1;
  let mark: '/' | '\\' | null = null;
  let pendingBond = false;
  const addAtom = (symbol: string, isPlainH: boolean): void => {
    const idx = symbols.length;
    symbols.push(symbol);
    plainH.push(isPlainH);
    if (prev >= 0) bonds.push({ a: prev, b: idx, fromA: mark, fromB: null });
    prev = idx;
    mark = null;
    pendingBond = false;
  };
  const ring = (n: number): boolean => {
    if (prev < 0) return false;
    const o = open.get(n);
    if (o === undefined) {
      open.set(n, { atom: prev, mark });
    } else {
      open.delete(n);
      bonds.push({ a: o.atom, b: prev, fromA: o.mark, fromB: mark });
    }
    mark = null;
    pendingBond = false;
    return true;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '[') {
      const close = s.indexOf(']', i);
      if (close < 0) return null;
      const body = s.slice(i + 1, close);
      const m = /^(\d*)([A-Z][a-z]?|[a-z][a-z]?|\*|#\d+)/.exec(body);
      if (!m) return null;
      const symbol = m[2]!;
      // RDKit's RemoveHs drops a neutral, unlabelled [H] with no map number.
      addAtom(symbol, symbol === 'H' && m[1] === '' && body === 'H');
      i = close + 1;
    } else if (ORGANIC2.has(s.slice(i, i + 2))) {
      addAtom(s.slice(i, i + 2), false);
      i += 2;
    } else if (ORGANIC1.has(c)) {
      addAtom(c, false);
      i++;
    } else if (c === '(') {
      if (prev < 0) return null;
      stack.push(prev);
      i++;
    } else if (c === ')') {
      const p = stack.pop();
      if (p === undefined) return null;
      prev = p;
      mark = null;
      i++;
    } else if (c === '/' || c === '\\') {
      mark = c;
      pendingBond = true;
      i++;
    } else if (c === '-' || c === '=' || c === '#' || c === '$' || c === ':' || c === '~') {
      pendingBond = true;
      i++;
    } else if (c === '<' || (c === '>' && pendingBond)) {
      // dative `<-` / `->` (RDKit extension): a bond token
      pendingBond = true;
      i++;
    } else if (c === '.') {
      prev = -1;
      mark = null;
      i++;
    } else if (c >= '0' && c <= '9') {
      if (!ring(c.charCodeAt(0) - 48)) return null;
      i++;
    } else if (c === '%') {
      let n: number;
      if (s[i + 1] === '(') {
        const close = s.indexOf(')', i);
        if (close < 0) return null;
        n = Number(s.slice(i + 2, close));
        i = close + 1;
      } else {
        n = Number(s.slice(i + 1, i + 3));
        i += 3;
      }
      if (!Number.isInteger(n) || !ring(n)) return null;
    } else {
      return null;
    }
  }
  return { plainH, symbols, bonds };
}
