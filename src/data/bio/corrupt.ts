/**
 * Corrupted DNA–protein pairs for the Central-Dogma evaluation (docs/research/sequence.md §1(b) LucaOne's task:
 * negatives by nucleotide insertion/replacement/deletion or amino-acid change; §1(e): half two random residue
 * substitutions, half a 1-nt deletion in the DNA). All seeded.
 */
import type { Rng } from '../../util/random.js';
import { STANDARD_RESIDUES } from './alphabet.js';
import type { Gene } from './genes.js';
import { codonWindow } from './samples.js';

/**
 * `n` residue substitutions at distinct positions, each to a different standard residue: uniform, or
 * drawn by `weights` (one per letter of STANDARD_RESIDUES, e.g. the training set's residue
 * frequencies, so a model cannot tell a substitution by the rarity of the new residue alone).
 */
export function substituteResidues(protein: string, n: number, rng: Rng, weights?: ArrayLike<number>): string {
  if (n > protein.length) throw new RangeError(`substituteResidues: ${n} substitutions in ${protein.length} residues`);
  if (weights && weights.length !== STANDARD_RESIDUES.length) throw new RangeError(`substituteResidues: ${weights.length} weights for ${STANDARD_RESIDUES.length} residues`);
  let total = 0;
  if (weights) for (let k = 0; k < weights.length; k++) total += weights[k]!;
  const draw = (): string => {
    if (!weights) return STANDARD_RESIDUES[rng.int(STANDARD_RESIDUES.length)]!;
    let u = rng.uniform() * total;
    for (let k = 0; k < weights.length; k++) if ((u -= weights[k]!) < 0) return STANDARD_RESIDUES[k]!;
    return STANDARD_RESIDUES[STANDARD_RESIDUES.length - 1]!;
  };
  const chars = protein.split('');
  for (const i of rng.choice(chars.length, n, false)) {
    const old = chars[i]!;
    let c = old;
    // Weights that (nearly) only allow the old residue fall back to a uniform draw.
    for (let tries = 0; c === old && tries < 100; tries++) c = draw();
    while (c === old) c = STANDARD_RESIDUES[rng.int(STANDARD_RESIDUES.length)]!;
    chars[i] = c;
  }
  return chars.join('');
}

/** `n` nucleotide substitutions at distinct positions, each to a different base (T spelling unless `rna`). */
export function substituteNucleotides(dna: string, n: number, rng: Rng, rna = false): string {
  if (n > dna.length) throw new RangeError(`substituteNucleotides: ${n} substitutions in ${dna.length} bases`);
  const bases = rna ? 'ACGU' : 'ACGT';
  const chars = dna.split('');
  for (const i of rng.choice(chars.length, n, false)) {
    const old = chars[i]!;
    let c = old;
    while (c === old) c = bases[rng.int(4)]!;
    chars[i] = c;
  }
  return chars.join('');
}

/**
 * A frameshift: delete (default) or insert one nucleotide at a random position, away from the first and last codon
 * so the reading frame changes inside the sequence.
 */
export function frameshift(dna: string, rng: Rng, kind: 'deletion' | 'insertion' = 'deletion'): string {
  if (dna.length < 7) throw new RangeError(`frameshift: sequence of ${dna.length} bases is too short`);
  const i = 3 + rng.int(dna.length - 6);
  if (kind === 'deletion') return dna.slice(0, i) + dna.slice(i + 1);
  const base = (dna.includes('U') ? 'ACGU' : 'ACGT')[rng.int(4)]!;
  return dna.slice(0, i) + base + dna.slice(i);
}

/** One Central-Dogma item: does this DNA encode this protein? */
export interface CentralDogmaItem {
  geneId: string;
  dna: string;
  protein: string;
  /** 1 = true pair, 0 = corrupted. */
  label: 0 | 1;
  corruption: 'none' | 'substitution' | 'frameshift';
}

/** Options of `centralDogmaItems`. */
export interface CentralDogmaOptions {
  /** Number of positives (default 100); as many negatives, half substitutions and half frameshifts (§1(e)). */
  positives?: number;
  /** Crop to in-frame windows of this many codons (default 6, §1(e) run B); 0 = whole CDS. */
  windowCodons?: number;
  /** Residue substitutions per substitution negative (default 2). */
  substitutions?: number;
  /** Negatives per positive (default 1; LucaOne's set has 2). */
  negativesPerPositive?: number;
  /** Draw substituted residues by these weights (one per STANDARD_RESIDUES letter) instead of uniformly. */
  residueWeights?: ArrayLike<number>;
  /**
   * Keep a frameshifted DNA as long as the true one (a random base appended after the deletion), so a
   * model cannot tell the negative by its length or by where the protein starts (default false).
   */
  frameshiftKeepsLength?: boolean;
}

/**
 * Balanced Central-Dogma items from (held-out) genes: each positive is a true (DNA window, protein window) of a
 * distinct gene, each negative corrupts another gene's true window: residue substitutions (protein changed) or a
 * 1-nt deletion (DNA changed), alternating. Items come shuffled.
 */
export function centralDogmaItems(genes: readonly Gene[], rng: Rng, options: CentralDogmaOptions = {}): CentralDogmaItem[] {
  const positives = options.positives ?? 100;
  const k = options.windowCodons ?? 6;
  const perPos = options.negativesPerPositive ?? 1;
  const nSub = options.substitutions ?? 2;
  const need = positives * (1 + perPos);
  const order = rng.permutation(genes.length);
  const items: CentralDogmaItem[] = [];
  let negatives = 0;
  for (let oi = 0; oi < order.length && items.length < need; oi++) {
    const g = genes[order[oi]!]!;
    const w = k > 0 ? codonWindow(g, k, rng) : { codon: 0, dna: g.cds, protein: g.protein };
    if (w === null || w.protein.length < nSub || w.dna.length < 7) continue;
    // Roles cycle positive, negative × perPos; negative kinds alternate substitution / frameshift.
    if (items.length % (1 + perPos) === 0) {
      items.push({ geneId: g.id, dna: w.dna, protein: w.protein, label: 1, corruption: 'none' });
    } else if (negatives++ % 2 === 0) {
      items.push({ geneId: g.id, dna: w.dna, protein: substituteResidues(w.protein, nSub, rng, options.residueWeights), label: 0, corruption: 'substitution' });
    } else {
      const shifted = frameshift(w.dna, rng);
      const dna = options.frameshiftKeepsLength ? shifted + 'ACGT'[rng.int(4)]! : shifted;
      items.push({ geneId: g.id, dna, protein: w.protein, label: 0, corruption: 'frameshift' });
    }
  }
  if (items.length < need) throw new RangeError(`centralDogmaItems: only ${items.length} of ${need} items could be built from ${genes.length} genes`);
  rng.shuffle(items);
  return items;
}
