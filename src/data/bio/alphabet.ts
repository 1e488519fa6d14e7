/**
 * Nucleotide and amino-acid alphabets (IUPAC), reverse complement and sequence clean-up.
 *
 * Conventions used across `src/data/bio`: sequences are upper-case strings; DNA uses T, RNA uses U; coordinates are
 * 1-based inclusive, as in GenBank/EMBL feature tables.
 */

/** The sequence kinds the BSM data layer distinguishes. */
export type Modality = 'dna' | 'rna' | 'protein';

/** IUPAC nucleotide codes (DNA spelling) → the set of bases each one stands for. */
export const IUPAC_DNA: Readonly<Record<string, string>> = {
  A: 'A',
  C: 'C',
  G: 'G',
  T: 'T',
  R: 'AG',
  Y: 'CT',
  S: 'CG',
  W: 'AT',
  K: 'GT',
  M: 'AC',
  B: 'CGT',
  D: 'AGT',
  H: 'ACT',
  V: 'ACG',
  N: 'ACGT',
};

/** Complement of every IUPAC nucleotide code (upper case; U complements to A). */
const COMPLEMENT: Readonly<Record<string, string>> = {
  A: 'T',
  C: 'G',
  G: 'C',
  T: 'A',
  U: 'A',
  R: 'Y',
  Y: 'R',
  S: 'S',
  W: 'W',
  K: 'M',
  M: 'K',
  B: 'V',
  V: 'B',
  D: 'H',
  H: 'D',
  N: 'N',
};

/** The 20 standard amino acids, one-letter codes, alphabetical. */
export const STANDARD_RESIDUES = 'ACDEFGHIKLMNPQRSTVWY';

/**
 * Every residue letter Sheaf accepts: the 20 standard ones, then B (D/N), Z (E/Q), J (I/L), U (selenocysteine),
 * O (pyrrolysine) and X (unknown). A stop `*` is never part of a stored protein.
 */
export const RESIDUES = STANDARD_RESIDUES + 'BZJUOX';

/** True for a character that is a valid IUPAC nucleotide code in DNA or RNA spelling (upper case). */
export function isNucleotideCode(ch: string): boolean {
  return ch === 'U' || Object.hasOwn(IUPAC_DNA, ch);
}

/**
 * Reverse complement of a DNA (or RNA) sequence, keeping IUPAC ambiguity codes (R↔Y, K↔M, B↔V, D↔H; S, W, N are
 * their own complement). RNA input gives DNA output (U → A, A → T) unless `rna` is set, then T is written as U.
 */
export function reverseComplement(seq: string, rna = false): string {
  let out = '';
  for (let i = seq.length - 1; i >= 0; i--) {
    const ch = seq[i]!;
    const upper = ch.toUpperCase();
    const c = COMPLEMENT[upper];
    if (c === undefined) throw new RangeError(`reverseComplement: "${ch}" is not a nucleotide code`);
    out += rna && c === 'T' ? 'U' : c;
  }
  return out;
}

/** DNA spelling → RNA spelling (T → U). */
export function dnaToRna(seq: string): string {
  return seq.replace(/T/g, 'U');
}

/** RNA spelling → DNA spelling (U → T). */
export function rnaToDna(seq: string): string {
  return seq.replace(/U/g, 'T');
}

/**
 * Reduce a nucleotide sequence to the five letters the tokeniser keeps (A C G T/U N): ambiguity codes
 * (R Y S W K M B D H V) become N. Input may be lower case; output is upper case, in the spelling asked for.
 */
export function toCanonicalNucleotides(seq: string, modality: 'dna' | 'rna' = 'dna'): string {
  const s = seq.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === 'A' || ch === 'C' || ch === 'G') out += ch;
    else if (ch === 'T' || ch === 'U') out += modality === 'rna' ? 'U' : 'T';
    else out += 'N';
  }
  return out;
}

/** Fraction of positions that are ambiguity codes (anything but A C G T U). */
export function ambiguousFraction(seq: string): number {
  if (seq.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < seq.length; i++) {
    const ch = seq[i]!;
    if (ch !== 'A' && ch !== 'C' && ch !== 'G' && ch !== 'T' && ch !== 'U') n++;
  }
  return n / seq.length;
}
