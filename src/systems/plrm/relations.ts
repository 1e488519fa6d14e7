/**
 * The label-relation graph of weak indirect supervision (WIS): for every pair of labels one of
 * five relations between the sets of examples they stand for — exclusive (disjoint), overlap,
 * subsuming (a ⊋ b), subsumed (a ⊊ b) or equal. Labels are non-empty sets, so the five
 * relations are exactly the base relations of the region algebra RCC-5.
 *
 * `LabelGraph.build` checks a user's (partial) graph for consistency and completes it:
 * - the composition table (what r(a,b) and r(b,c) allow for r(a,c)) is derived here from set
 *   semantics by enumerating every Venn diagram of three non-empty sets, so it cannot drift
 *   from the definitions; on the four relations the official code uses it equals its
 *   `LabelRelationConstraints` table (checked in the tests);
 * - path consistency propagates the constraints; an empty set of possible relations is a
 *   contradiction and the error names the three labels involved. For networks of base
 *   relations and "unknown" pairs, path consistency decides RCC-5 consistency;
 * - pairs left with exactly one possible relation are "implied"; for the rest an explicit
 *   default applies (the official code treats unspecified pairs as exclusive): the default is
 *   taken when it is still possible, pair by pair with re-propagation, otherwise the pair stays
 *   ambiguous (no factor is built for it) and is listed in `ambiguous`.
 */
import { InputError } from '../../util/errors.js';

/** A relation between labels a and b: `subsuming` means a ⊋ b, `subsumed` means a ⊊ b. */
export type Relation = 'exclusive' | 'overlap' | 'subsuming' | 'subsumed' | 'equal';

/** All relation names, in bit order. */
export const RELATIONS: readonly Relation[] = ['exclusive', 'overlap', 'subsuming', 'subsumed', 'equal'];

/** Bit of each relation in a set-of-relations mask. */
export const REL_BIT: Readonly<Record<Relation, number>> = { exclusive: 1, overlap: 2, subsuming: 4, subsumed: 8, equal: 16 };
/** Mask of every relation (nothing known). */
export const ALL_RELATIONS = 31;

/** One input relation: label indices a, b and the relation of a to b. */
export type RelationTriple = readonly [a: number, b: number, relation: Relation];

/** How an unspecified pair is filled in after inference. `unknown` leaves it without a relation. */
export type DefaultRelation = 'exclusive' | 'overlap' | 'unknown';

/** Where a pair's relation came from. */
export type RelationOrigin = 'given' | 'implied' | 'default' | 'ambiguous';

/** The relation of b to a, given the relation of a to b (as masks). */
export function converseMask(mask: number): number {
  const keep = mask & (REL_BIT.exclusive | REL_BIT.overlap | REL_BIT.equal);
  const sub = (mask & REL_BIT.subsuming) !== 0 ? REL_BIT.subsumed : 0;
  const sup = (mask & REL_BIT.subsumed) !== 0 ? REL_BIT.subsuming : 0;
  return keep | sub | sup;
}

/** The relation of b to a. */
export function converse(r: Relation): Relation {
  return r === 'subsuming' ? 'subsumed' : r === 'subsumed' ? 'subsuming' : r;
}

/** Names of the relations in a mask, in bit order. */
export function maskToRelations(mask: number): Relation[] {
  return RELATIONS.filter((r) => (mask & REL_BIT[r]) !== 0);
}

/** The single relation of a one-bit mask, or null. */
export function singleRelation(mask: number): Relation | null {
  const rs = maskToRelations(mask);
  return rs.length === 1 ? rs[0]! : null;
}

/** Relation of set X to set Y from three facts: X∩Y ≠ ∅, X\Y ≠ ∅, Y\X ≠ ∅ (both sets non-empty). */
function relationFromRegions(both: boolean, xOnly: boolean, yOnly: boolean): Relation {
  if (!both) return 'exclusive';
  if (!xOnly && !yOnly) return 'equal';
  if (!xOnly) return 'subsumed';
  if (!yOnly) return 'subsuming';
  return 'overlap';
}

/**
 * BASE_COMPOSITION[i][j] = mask of relations r(A,C) possible when r(A,B) is relation i and
 * r(B,C) is relation j, over every arrangement of three non-empty sets. A Venn diagram of A, B,
 * C has 7 regions (membership bits A=1, B=2, C=4); an arrangement is the subset of regions that
 * are non-empty.
 */
const BASE_COMPOSITION: number[][] = (() => {
  const table = RELATIONS.map(() => RELATIONS.map(() => 0));
  const rel = (cfg: number, x: number, y: number): Relation => {
    let both = false;
    let xOnly = false;
    let yOnly = false;
    for (let region = 1; region < 8; region++) {
      if ((cfg & (1 << (region - 1))) === 0) continue;
      const inX = (region & x) !== 0;
      const inY = (region & y) !== 0;
      if (inX && inY) both = true;
      else if (inX) xOnly = true;
      else if (inY) yOnly = true;
    }
    return relationFromRegions(both, xOnly, yOnly);
  };
  for (let cfg = 1; cfg < 128; cfg++) {
    let nonEmpty = true;
    for (const set of [1, 2, 4]) {
      let any = false;
      for (let region = 1; region < 8; region++) if ((region & set) !== 0 && (cfg & (1 << (region - 1))) !== 0) any = true;
      if (!any) nonEmpty = false;
    }
    if (!nonEmpty) continue;
    const ab = RELATIONS.indexOf(rel(cfg, 1, 2));
    const bc = RELATIONS.indexOf(rel(cfg, 2, 4));
    table[ab]![bc]! |= REL_BIT[rel(cfg, 1, 4)];
  }
  return table;
})();

/** COMPOSE[m1 * 32 + m2]: relations of (A,C) allowed by the masks r(A,B) ∈ m1 and r(B,C) ∈ m2. */
const COMPOSE: Uint8Array = (() => {
  const t = new Uint8Array(32 * 32);
  for (let m1 = 0; m1 < 32; m1++) {
    for (let m2 = 0; m2 < 32; m2++) {
      let out = 0;
      for (let i = 0; i < 5; i++) {
        if ((m1 & (1 << i)) === 0) continue;
        for (let j = 0; j < 5; j++) if ((m2 & (1 << j)) !== 0) out |= BASE_COMPOSITION[i]![j]!;
      }
      t[m1 * 32 + m2] = out;
    }
  }
  return t;
})();

/** The relations r(a,c) can take when r(a,b) = r1 and r(b,c) = r2. */
export function compose(r1: Relation, r2: Relation): Relation[] {
  return maskToRelations(BASE_COMPOSITION[RELATIONS.indexOf(r1)]![RELATIONS.indexOf(r2)]!);
}

/** A group of labels that must be pairwise exclusive (desired labels; the labels of one ILF). */
export interface ExclusiveGroup {
  labels: readonly number[];
  /** Why, for messages, e.g. "desired labels are mutually exclusive". */
  why: string;
}

/** Options of {@link LabelGraph.build}. */
export interface LabelGraphOptions {
  /** Relation for pairs the input and the inference leave open. Default `exclusive` (as the official code). */
  defaultRelation?: DefaultRelation;
  /** Groups whose labels are pairwise exclusive by construction. */
  exclusiveGroups?: readonly ExclusiveGroup[];
  /** File name for error messages. */
  file?: string;
  /** Field name of the relation list for error messages; default `relations`. */
  field?: string;
}

interface Provenance {
  kind: 'given' | 'group' | 'implied' | 'default';
  /** Input position (given), group text (group) or the pivot label (implied). */
  detail: number | string;
}

/** A consistent, completed label-relation graph over `labels.length` labels. */
export class LabelGraph {
  /** Label names. */
  readonly labels: readonly string[];
  /** mask[a * n + b]: possible relations of a to b (one bit once decided). */
  private readonly mask: Uint8Array;
  private readonly originOf: RelationOrigin[];
  /** Pairs (a < b) whose relation is still open after inference and default. */
  readonly ambiguous: ReadonlyArray<readonly [number, number]>;
  /** The default used for open pairs. */
  readonly defaultRelation: DefaultRelation;

  private constructor(labels: readonly string[], mask: Uint8Array, origin: RelationOrigin[], ambiguous: [number, number][], def: DefaultRelation) {
    this.labels = labels;
    this.mask = mask;
    this.originOf = origin;
    this.ambiguous = ambiguous;
    this.defaultRelation = def;
  }

  /** Number of labels. */
  get size(): number {
    return this.labels.length;
  }

  /**
   * Check `relations` for consistency, infer what follows and fill in the default.
   * Throws `InputError` naming the offending labels on a contradiction, an unknown label index,
   * a self-relation or a pair given twice with different relations.
   */
  static build(labels: readonly string[], relations: readonly RelationTriple[], opts: LabelGraphOptions = {}): LabelGraph {
    const n = labels.length;
    const file = opts.file;
    const field = opts.field ?? 'relations';
    const def = opts.defaultRelation ?? 'exclusive';
    const mask = new Uint8Array(n * n).fill(ALL_RELATIONS);
    const prov: (Provenance | null)[] = new Array<Provenance | null>(n * n).fill(null);
    for (let i = 0; i < n; i++) mask[i * n + i] = REL_BIT.equal;
    const name = (i: number): string => `'${labels[i]}'`;
    const describe = (a: number, b: number): string => {
      const p = prov[a * n + b] ?? null;
      const rs = maskToRelations(mask[a * n + b]!).join(' or ');
      if (p === null) return `${name(a)} ${rs} ${name(b)}`;
      if (p.kind === 'given') return `${name(a)} ${rs} ${name(b)} (${field}[${String(p.detail)}])`;
      if (p.kind === 'group') return `${name(a)} ${rs} ${name(b)} (${String(p.detail)})`;
      if (p.kind === 'default') return `${name(a)} ${rs} ${name(b)} (default for unspecified pairs)`;
      return `${name(a)} ${rs} ${name(b)} (implied via ${name(p.detail as number)})`;
    };

    const queue: number[] = [];
    const constrain = (a: number, b: number, m: number, p: Provenance, onEmpty: () => never): void => {
      const cur = mask[a * n + b]!;
      const next = cur & m;
      if (next === cur) return;
      if (next === 0) onEmpty();
      mask[a * n + b] = next;
      mask[b * n + a] = converseMask(next);
      prov[a * n + b] = p;
      prov[b * n + a] = p;
      queue.push(a * n + b);
    };
    const propagate = (): void => {
      while (queue.length > 0) {
        const code = queue.pop()!;
        const i = Math.floor(code / n);
        const j = code % n;
        for (let k = 0; k < n; k++) {
          if (k === i || k === j) continue;
          // r(i,k) ⊆ r(i,j) ∘ r(j,k)
          const ik = mask[i * n + k]! & COMPOSE[mask[i * n + j]! * 32 + mask[j * n + k]!]!;
          if (ik !== mask[i * n + k]) {
            const before = describe(i, k);
            constrain(i, k, ik, { kind: 'implied', detail: j }, () => {
              throw new InputError(`contradictory label relations among ${name(i)}, ${name(j)} and ${name(k)}: ${describe(i, j)} and ` + `${describe(j, k)} rule out ${before}`, { file, field });
            });
          }
          // r(k,j) ⊆ r(k,i) ∘ r(i,j)
          const kj = mask[k * n + j]! & COMPOSE[mask[k * n + i]! * 32 + mask[i * n + j]!]!;
          if (kj !== mask[k * n + j]) {
            const before = describe(k, j);
            constrain(k, j, kj, { kind: 'implied', detail: i }, () => {
              throw new InputError(`contradictory label relations among ${name(k)}, ${name(i)} and ${name(j)}: ${describe(k, i)} and ` + `${describe(i, j)} rule out ${before}`, { file, field });
            });
          }
        }
      }
    };

    relations.forEach((t, idx) => {
      const [a, b, r] = t;
      const where = { file, field: `${field}[${idx}]` };
      for (const x of [a, b]) {
        if (!Number.isInteger(x) || x < 0 || x >= n) {
          throw new InputError(`label index ${String(x)} is out of range (there are ${n} labels)`, where);
        }
      }
      if (!(RELATIONS as readonly string[]).includes(r)) {
        throw new InputError(`unknown relation '${String(r)}'; expected one of ${RELATIONS.join(', ')}`, where);
      }
      if (a === b) throw new InputError(`a label cannot be related to itself (${name(a)})`, where);
      constrain(a, b, REL_BIT[r], { kind: 'given', detail: idx }, () => {
        throw new InputError(`${name(a)} ${r} ${name(b)} contradicts ${describe(a, b)}`, where);
      });
    });
    for (const g of opts.exclusiveGroups ?? []) {
      for (let x = 0; x < g.labels.length; x++) {
        for (let y = x + 1; y < g.labels.length; y++) {
          const a = g.labels[x]!;
          const b = g.labels[y]!;
          constrain(a, b, REL_BIT.exclusive, { kind: 'group', detail: g.why }, () => {
            throw new InputError(`${g.why}, but the relations say ${describe(a, b)}`, { file, field });
          });
        }
      }
    }
    propagate();

    // Fill open pairs with the default where it is still possible, re-propagating each time.
    const origin: RelationOrigin[] = new Array<RelationOrigin>(n * n).fill('ambiguous');
    if (def !== 'unknown') {
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) {
          const m = mask[a * n + b]!;
          if (singleRelation(m) !== null || (m & REL_BIT[def]) === 0) continue;
          constrain(a, b, REL_BIT[def], { kind: 'default', detail: '' }, () => {
            throw new Error('unreachable: default checked to be possible');
          });
          propagate();
        }
      }
    }
    const ambiguous: [number, number][] = [];
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        if (a === b) continue;
        const p = prov[a * n + b] ?? null;
        if (singleRelation(mask[a * n + b]!) === null) {
          if (a < b) ambiguous.push([a, b]);
          origin[a * n + b] = 'ambiguous';
        } else if (p === null || p.kind === 'implied') origin[a * n + b] = 'implied';
        else if (p.kind === 'default') origin[a * n + b] = 'default';
        else origin[a * n + b] = 'given';
      }
    }
    return new LabelGraph(labels, mask, origin, ambiguous, def);
  }

  /** The relation of a to b, or null when it is still open (ambiguous). */
  relation(a: number, b: number): Relation | null {
    return singleRelation(this.mask[a * this.size + b]!);
  }

  /** Every relation a to b can still have (one element once decided). */
  possible(a: number, b: number): Relation[] {
    return maskToRelations(this.mask[a * this.size + b]!);
  }

  /** Where the relation of (a, b) came from. */
  origin(a: number, b: number): RelationOrigin {
    return this.originOf[a * this.size + b]!;
  }

  /** Every decided pair (a < b) with its relation and origin. */
  triples(): Array<{ a: number; b: number; relation: Relation; origin: RelationOrigin }> {
    const out: Array<{ a: number; b: number; relation: Relation; origin: RelationOrigin }> = [];
    for (let a = 0; a < this.size; a++) {
      for (let b = a + 1; b < this.size; b++) {
        const r = this.relation(a, b);
        if (r !== null) out.push({ a, b, relation: r, origin: this.origin(a, b) });
      }
    }
    return out;
  }

  /** Number of pairs by origin (each unordered pair counted once). */
  originCounts(): Record<RelationOrigin, number> {
    const c: Record<RelationOrigin, number> = { given: 0, implied: 0, default: 0, ambiguous: 0 };
    for (let a = 0; a < this.size; a++) for (let b = a + 1; b < this.size; b++) c[this.origin(a, b)]++;
    return c;
  }
}
