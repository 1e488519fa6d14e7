/**
 * A seeded synthetic recommendation set whose KG carries real signal (docs/research/rec_ws.md §1d.5).
 *
 * Items get 1–3 "types" (genres) and one "year"; years group into decades. The KG holds
 * item –type→ type, item –year→ year and year –decade→ decade (so decades are 2 hops from items).
 * User u prefers a few types (weight 1) and one decade; the affinity to item i is
 * β·(Σ_{t ∈ types(i)} w_u[t] + γ·[decade(i) = decade*_u]) + pop_i, pop_i ~ N(0, σ_pop²).
 * Each user draws `positives` items without replacement with probability ∝ exp(affinity)
 * (Gumbel top-k), then as many negatives uniformly from the items not drawn, as KGCN's files.
 * Popularity alone therefore explains part of the data, and the types/decades the rest — which
 * only a model that reads the KG can recover for items with few interactions.
 */
import { Rng } from '../../util/random.js';
import type { CgkgrDataset } from './data.js';

export interface SyntheticOptions {
  nUser?: number;
  nItem?: number;
  nType?: number;
  nYear?: number;
  yearsPerDecade?: number;
  /** Positives per user (each user also gets as many negatives). */
  positives?: number;
  /** Preferred types per user. */
  likedTypes?: number;
  /** Strength of the KG-driven preference. */
  beta?: number;
  /** Weight of the decade match relative to a liked type. */
  gamma?: number;
  /** Standard deviation of the item popularity logit. */
  popStd?: number;
  seed?: number;
}

/** Defaults: the sizes §1d.5 suggests (500 users, 2 000 items, 30 types, 60 years, 6 decades). */
export const SYNTHETIC_DEFAULTS: Required<SyntheticOptions> = {
  nUser: 500,
  nItem: 2000,
  nType: 30,
  nYear: 60,
  yearsPerDecade: 10,
  positives: 20,
  likedTypes: 3,
  beta: 3,
  gamma: 1,
  popStd: 1,
  seed: 2021,
};

/** Generate the dataset (deterministic for a seed). Relations: 0 item.type, 1 item.year, 2 year.decade. */
export function syntheticDataset(options: SyntheticOptions = {}): CgkgrDataset & { truth: { itemTypes: number[][]; itemYear: Int32Array; userDecade: Int32Array; likes: number[][] } } {
  const o = { ...SYNTHETIC_DEFAULTS, ...options };
  const rng = new Rng(o.seed);
  const nDecade = Math.ceil(o.nYear / o.yearsPerDecade);
  const typeBase = o.nItem;
  const yearBase = typeBase + o.nType;
  const decadeBase = yearBase + o.nYear;
  const nEntity = decadeBase + nDecade;
  const itemTypes: number[][] = [];
  const itemYear = new Int32Array(o.nItem);
  const heads: number[] = [];
  const rels: number[] = [];
  const tails: number[] = [];
  for (let i = 0; i < o.nItem; i++) {
    const k = 1 + rng.int(3);
    // The first nType items take type i so that every type entity has a neighbour.
    const first = i < o.nType ? [i] : [];
    const picks = new Set<number>(first);
    while (picks.size < Math.min(k, o.nType)) picks.add(rng.int(o.nType));
    const types = [...picks].sort((a, b) => a - b);
    itemTypes.push(types);
    itemYear[i] = i < o.nYear ? i : rng.int(o.nYear);
    for (const t of types) {
      heads.push(i);
      rels.push(0);
      tails.push(typeBase + t);
    }
    heads.push(i);
    rels.push(1);
    tails.push(yearBase + itemYear[i]!);
  }
  for (let y = 0; y < o.nYear; y++) {
    heads.push(yearBase + y);
    rels.push(2);
    tails.push(decadeBase + Math.floor(y / o.yearsPerDecade));
  }
  const pop = rng.normalArray(o.nItem, 0, o.popStd);
  const userDecade = new Int32Array(o.nUser);
  const likes: number[][] = [];
  const us: number[] = [];
  const is: number[] = [];
  const ls: number[] = [];
  const key = new Float64Array(o.nItem);
  for (let u = 0; u < o.nUser; u++) {
    const liked = Array.from(rng.choice(o.nType, Math.min(o.likedTypes, o.nType), false));
    likes.push(liked);
    const w = new Float32Array(o.nType);
    for (const t of liked) w[t] = 1;
    userDecade[u] = rng.int(nDecade);
    for (let i = 0; i < o.nItem; i++) {
      let a = 0;
      for (const t of itemTypes[i]!) a += w[t]!;
      if (Math.floor(itemYear[i]! / o.yearsPerDecade) === userDecade[u]) a += o.gamma;
      const logit = o.beta * a + pop[i]!;
      // Gumbel top-k: the k largest logit + Gumbel noise are a draw without replacement ∝ exp(logit).
      key[i] = logit - Math.log(-Math.log(Math.max(rng.uniform(), 1e-300)));
    }
    const order = Array.from({ length: o.nItem }, (_, i) => i).sort((a, b) => key[b]! - key[a]!);
    const pos = order.slice(0, o.positives).sort((a, b) => a - b);
    const rest = order.slice(o.positives);
    const negPick = rng.choice(rest.length, Math.min(o.positives, rest.length), false);
    for (const i of pos) {
      us.push(u);
      is.push(i);
      ls.push(1);
    }
    for (const k of negPick) {
      us.push(u);
      is.push(rest[k]!);
      ls.push(0);
    }
  }
  // Items never drawn stay in the item range when a higher item was drawn (cold items).
  let maxItem = 0;
  for (const i of is) maxItem = Math.max(maxItem, i);
  return {
    name: `synthetic(seed ${o.seed})`,
    ratings: { users: Int32Array.from(us), items: Int32Array.from(is), labels: Uint8Array.from(ls) },
    kg: { heads: Int32Array.from(heads), relations: Int32Array.from(rels), tails: Int32Array.from(tails), nEntity, nRelation: 3 },
    nUser: o.nUser,
    nItem: maxItem + 1,
    truth: { itemTypes, itemYear, userDecade, likes },
  };
}
