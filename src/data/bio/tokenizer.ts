/**
 * The BSM tokeniser: one token per nucleotide or residue (docs/research/sequence.md §1(a), "single-nucleotide
 * tokenizer with a vocabulary that includes nucleotides, amino acids, and special tokens").
 *
 * Vocabulary (fixed, 39 ids; the ids never change, so checkpoints stay readable):
 *
 * | ids | tokens |
 * |---|---|
 * | 0–3 | `<pad>` `<bos>` `<eos>` `<sep>` |
 * | 4–6 | modality tags `<dna>` `<rna>` `<protein>` (optional; the BSM recipe does not emit them by default) |
 * | 7–12 | nucleotides A C G T U N |
 * | 13–38 | residues A C D E F G H I K L M N P Q R S T V W Y, then B Z J U O X |
 *
 * Decisions: nucleotides and residues have **separate** ids, so protein A (alanine) never shares adenine's
 * embedding (§1(f)). DNA and RNA **share** A, C, G and N, while T and U keep **distinct** ids, as in the measured
 * runs of §1(e): the letter itself then tells DNA from RNA and a DNA↔RNA pair carries information. Nucleotide
 * ambiguity codes (R Y S W K M B D H V) are encoded as N; unknown residue letters as X; `*` (stop) is rejected.
 */
import { InputError, type InputLocation } from '../../util/errors.js';
import type { Modality } from './alphabet.js';

/** Special tokens, in id order. */
export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<sep>', '<dna>', '<rna>', '<protein>'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/** Nucleotide letters, in id order (first id 7). */
export const NUCLEOTIDE_LETTERS = 'ACGTUN';
/** Residue letters, in id order (first id 13). */
export const RESIDUE_LETTERS = 'ACDEFGHIKLMNPQRSTVWYBZJUOX';

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const SEP_ID = 3;
export const DNA_TAG_ID = 4;
export const RNA_TAG_ID = 5;
export const PROTEIN_TAG_ID = 6;
/** First nucleotide id; nucleotides occupy [NUCLEOTIDE_FIRST_ID, RESIDUE_FIRST_ID). */
export const NUCLEOTIDE_FIRST_ID = SPECIAL_TOKENS.length;
/** First residue id; residues occupy [RESIDUE_FIRST_ID, VOCAB_SIZE). */
export const RESIDUE_FIRST_ID = NUCLEOTIDE_FIRST_ID + NUCLEOTIDE_LETTERS.length;
/** Number of ids (39). */
export const VOCAB_SIZE = RESIDUE_FIRST_ID + RESIDUE_LETTERS.length;

const NUC_ID = new Map<string, number>();
for (let i = 0; i < NUCLEOTIDE_LETTERS.length; i++) NUC_ID.set(NUCLEOTIDE_LETTERS[i]!, NUCLEOTIDE_FIRST_ID + i);
for (const amb of 'RYSWKMBDHV') NUC_ID.set(amb, NUCLEOTIDE_FIRST_ID + 5);
const RES_ID = new Map<string, number>();
for (let i = 0; i < RESIDUE_LETTERS.length; i++) RES_ID.set(RESIDUE_LETTERS[i]!, RESIDUE_FIRST_ID + i);

/** What kind of token an id is. */
export type TokenKind = 'special' | 'nucleotide' | 'residue';

/** Kind of token id `id` (RangeError outside the vocabulary). */
export function tokenKind(id: number): TokenKind {
  if (!Number.isInteger(id) || id < 0 || id >= VOCAB_SIZE) throw new RangeError(`token id ${id} is outside 0..${VOCAB_SIZE - 1}`);
  if (id < NUCLEOTIDE_FIRST_ID) return 'special';
  return id < RESIDUE_FIRST_ID ? 'nucleotide' : 'residue';
}

/** True for residue ids (for decoding restricted to amino acids, docs/research/sequence.md §1(e)). */
export function isResidueId(id: number): boolean {
  return id >= RESIDUE_FIRST_ID && id < VOCAB_SIZE;
}

/** True for nucleotide ids. */
export function isNucleotideId(id: number): boolean {
  return id >= NUCLEOTIDE_FIRST_ID && id < RESIDUE_FIRST_ID;
}

/** Id of a special token. */
export function specialId(token: SpecialToken): number {
  return SPECIAL_TOKENS.indexOf(token);
}

/** Id of the modality tag of `m`. */
export function modalityTagId(m: Modality): number {
  return m === 'dna' ? DNA_TAG_ID : m === 'rna' ? RNA_TAG_ID : PROTEIN_TAG_ID;
}

/**
 * Encode one sequence of a known modality (no specials added). DNA accepts T, RNA accepts U (the other one is an
 * error, so a mislabelled modality is caught); both accept lower case and IUPAC ambiguity codes (→ N). Proteins accept
 * the 26 residue letters (unknown letters → X when `unknownResidue` is 'X', the default). `where` names the input
 * in errors.
 */
export function encodeSequence(seq: string, modality: Modality, where: InputLocation = {}, options: { unknownResidue?: 'X' | 'error' } = {}): number[] {
  const out = new Array<number>(seq.length);
  const s = seq.toUpperCase();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    let id: number | undefined;
    if (modality === 'protein') {
      id = RES_ID.get(ch);
      if (id === undefined && options.unknownResidue !== 'error' && /[A-Z]/.test(ch)) id = RESIDUE_FIRST_ID + RESIDUE_LETTERS.length - 1;
    } else if ((modality === 'dna' && ch !== 'U') || (modality === 'rna' && ch !== 'T')) {
      id = NUC_ID.get(ch);
    }
    if (id === undefined) {
      throw new InputError(`"${seq[i]}" at position ${i + 1} is not a valid ${modality === 'protein' ? 'residue' : modality.toUpperCase() + ' letter'}`, where);
    }
    out[i] = id;
  }
  return out;
}

/** A piece of a sample: a sequence with its modality, or a special token. */
export type SamplePart = { modality: Modality; sequence: string } | { special: SpecialToken };

/**
 * Encode a list of parts, e.g. `[{special:'<bos>'}, {modality:'dna', sequence}, {special:'<sep>'}, …]`.
 */
export function encodeParts(parts: readonly SamplePart[], where: InputLocation = {}): number[] {
  const out: number[] = [];
  for (const p of parts) {
    if ('special' in p) out.push(specialId(p.special));
    else for (const id of encodeSequence(p.sequence, p.modality, where)) out.push(id);
  }
  return out;
}

/** A decoded run of tokens. */
export type DecodedPart = { kind: 'nucleotide' | 'residue'; text: string } | { kind: 'special'; token: SpecialToken };

/**
 * Decode ids into runs: consecutive nucleotides form one run, consecutive residues another, every special token is
 * its own part. Lossless: `encode` of the runs (nucleotide runs as DNA when they hold no U, as RNA otherwise) gives
 * the ids back.
 */
export function decodeParts(ids: ArrayLike<number>): DecodedPart[] {
  const out: DecodedPart[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const kind = tokenKind(id);
    if (kind === 'special') {
      out.push({ kind: 'special', token: SPECIAL_TOKENS[id]! });
      continue;
    }
    const letter = kind === 'nucleotide' ? NUCLEOTIDE_LETTERS[id - NUCLEOTIDE_FIRST_ID]! : RESIDUE_LETTERS[id - RESIDUE_FIRST_ID]!;
    const last = out[out.length - 1];
    if (last !== undefined && last.kind === kind) last.text += letter;
    else out.push({ kind, text: letter });
  }
  return out;
}

/**
 * Decode ids to a readable string: specials as `<sep>` etc., nucleotides in lower case and residues in upper case,
 * so the two alphabets stay apart in the text (`<bos>atgaaa<sep>MK<eos>`). `decodeString(encodeString(s)) === s`.
 */
export function decodeString(ids: ArrayLike<number>): string {
  let s = '';
  for (const p of decodeParts(ids)) {
    if (p.kind === 'special') s += p.token;
    else s += p.kind === 'nucleotide' ? p.text.toLowerCase() : p.text;
  }
  return s;
}

/** Inverse of `decodeString`: `<…>` specials, lower-case nucleotides (t → T, u → U), upper-case residues. */
export function encodeString(text: string, where: InputLocation = {}): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '<') {
      const end = text.indexOf('>', i);
      const name = end < 0 ? '' : text.slice(i, end + 1);
      const id = SPECIAL_TOKENS.indexOf(name as SpecialToken);
      if (id < 0) throw new InputError(`unknown special token "${name || text.slice(i, i + 10)}" at character ${i + 1}`, where);
      out.push(id);
      i = end + 1;
      continue;
    }
    const nid = ch >= 'a' && ch <= 'z' ? NUC_ID.get(ch.toUpperCase()) : undefined;
    const rid = ch >= 'A' && ch <= 'Z' ? RES_ID.get(ch) : undefined;
    const id = nid ?? rid;
    if (id === undefined) throw new InputError(`"${ch}" at character ${i + 1} is not a token`, where);
    out.push(id);
    i++;
  }
  return out;
}

/** The vocabulary as a JSON-able table (id → token), for model cards and checkpoints. */
export function vocabulary(): { id: number; token: string; kind: TokenKind }[] {
  const out: { id: number; token: string; kind: TokenKind }[] = [];
  for (let id = 0; id < VOCAB_SIZE; id++) {
    const kind = tokenKind(id);
    const token = kind === 'special' ? SPECIAL_TOKENS[id]! : kind === 'nucleotide' ? NUCLEOTIDE_LETTERS[id - NUCLEOTIDE_FIRST_ID]! : RESIDUE_LETTERS[id - RESIDUE_FIRST_ID]!;
    out.push({ id, token, kind });
  }
  return out;
}
