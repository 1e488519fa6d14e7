/**
 * Feature extraction from annotated records: spliced and reverse-strand feature sequences, CDS entries with their
 * reading frame and genetic code, and the pair check (does the extracted CDS re-translate to its /translation?).
 */
import { InputError } from '../../util/errors.js';
import { extractLocation, type FeatureLocation } from './location.js';
import { geneticCode, translate, codonMeaning } from './genetic-code.js';
import { hasQualifier, qualifier, qualifierInt, type SeqFeature, type SeqRecord } from './record.js';
import { reverseComplement } from './alphabet.js';

/** The sequence of a feature, 5'→3' on its strand (exons joined, minus-strand parts reverse-complemented). */
export function featureSequence(record: SeqRecord, feature: SeqFeature): string {
  if (record.sequence.length === 0) {
    throw new InputError(`record ${record.name} has no sequence to extract the ${feature.key} feature from`, {
      file: record.source,
      line: feature.line,
    });
  }
  return extractLocation(record.sequence, feature.location, { file: record.source, line: feature.line });
}

/** A CDS feature with everything needed to pair its DNA with its protein. */
export interface CdsEntry {
  /** File the record came from. */
  source: string;
  /** Accession (or LOCUS name when there is none) of the record. */
  record: string;
  organism: string;
  /** 1-based line of the CDS feature. */
  line: number;
  gene: string | null;
  locusTag: string | null;
  product: string | null;
  proteinId: string | null;
  /** NCBI genetic code: /transl_table, else the default passed to `cdsEntries`. */
  table: number;
  /** /codon_start (1–3, default 1). */
  codonStart: number;
  location: FeatureLocation;
  /** More than one segment (exons). */
  spliced: boolean;
  /** Extracted nucleotide sequence of the whole location (DNA spelling), before applying codon_start. */
  sequence: string;
  /** The /translation qualifier (null when absent). */
  translation: string | null;
  /** /pseudo or /pseudogene present. */
  pseudo: boolean;
  /** /transl_except present (a codon translated against the code, e.g. selenocysteine). */
  translExcept: boolean;
  /** /exception or /ribosomal_slippage present (translation not derivable from the code alone). */
  exception: boolean;
}

/** Options of `cdsEntries`. */
export interface CdsEntryOptions {
  /** Genetic code for CDS without /transl_table (default 1, as the INSDC feature table specifies). */
  defaultTable?: number;
}

/**
 * Every CDS of a record whose location lies in the record (remote segments are skipped, and reported in `skipped`).
 * Bad /codon_start or /transl_table values are InputErrors naming the feature's line.
 */
export function cdsEntries(record: SeqRecord, options: CdsEntryOptions = {}): { entries: CdsEntry[]; skipped: { line: number; reason: string }[] } {
  const entries: CdsEntry[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const sourceTable = record.features.find((f) => f.key === 'source');
  const recordTable = sourceTable ? qualifierInt(sourceTable, 'transl_table', record.source) : null;
  for (const f of record.features) {
    if (f.key !== 'CDS') continue;
    if (f.location.segments.some((s) => s.remote !== undefined)) {
      skipped.push({ line: f.line, reason: `location ${f.location.text} refers to another entry` });
      continue;
    }
    const where = { file: record.source, line: f.line };
    const codonStart = qualifierInt(f, 'codon_start', record.source) ?? 1;
    if (codonStart < 1 || codonStart > 3) throw new InputError(`/codon_start=${codonStart} is not 1, 2 or 3`, { ...where, field: 'codon_start' });
    const table = qualifierInt(f, 'transl_table', record.source) ?? recordTable ?? options.defaultTable ?? 1;
    try {
      geneticCode(table);
    } catch (e) {
      throw new InputError((e as Error).message, { ...where, field: 'transl_table' });
    }
    const translation = qualifier(f, 'translation');
    entries.push({
      source: record.source,
      record: record.accession || record.name,
      organism: record.organism,
      line: f.line,
      gene: qualifier(f, 'gene'),
      locusTag: qualifier(f, 'locus_tag'),
      product: qualifier(f, 'product'),
      proteinId: qualifier(f, 'protein_id'),
      table,
      codonStart,
      location: f.location,
      spliced: f.location.segments.filter((s) => !s.between).length > 1,
      sequence: featureSequence(record, f).replace(/U/g, 'T'),
      translation: translation === null ? null : translation.replace(/\s+/g, '').toUpperCase(),
      pseudo: hasQualifier(f, 'pseudo') || hasQualifier(f, 'pseudogene'),
      translExcept: hasQualifier(f, 'transl_except'),
      exception: hasQualifier(f, 'exception') || hasQualifier(f, 'ribosomal_slippage'),
    });
  }
  return { entries, skipped };
}

/** Outcome of the pair check. */
export type PairStatus =
  | 'ok'
  /** Equal except the first residue, which is the codon's sense amino acid instead of M (or the reverse). */
  | 'ok-alt-start'
  | 'no-translation'
  | 'internal-stop'
  | 'mismatch';

/** Result of `checkPair`. */
export interface PairCheck {
  status: PairStatus;
  /** ok or ok-alt-start. */
  ok: boolean;
  /** Re-translation of the CDS (terminal stop removed). */
  translated: string;
  /** In-frame coding DNA that matches the protein: codon_start applied, stop codon and incomplete last codon removed. */
  coding: string;
  /** 0-based residue of the first difference (mismatch / internal-stop), else -1. */
  firstDifference: number;
  /** Human-readable reason for a failure ('' when ok). */
  message: string;
}

/** Options of `checkPair`. */
export interface PairCheckOptions {
  table?: number;
  codonStart?: number;
  /** The CDS lacks its 5' end (`<`): the first codon is not read as a start codon. */
  partial5?: boolean;
}

/**
 * The pair check of docs/research/sequence.md §1(d)/(f): re-translate `cds` (DNA or RNA spelling, the whole feature
 * sequence) with its code and frame, drop one terminal stop, and compare with `protein`. The first residue may
 * differ when the first codon is an alternative start read as M on one side and as its sense amino acid on the other.
 * A final incomplete codon is translated when its bases fix the amino acid (NCBI does this for 3'-partial CDS).
 */
export function checkPair(cds: string, protein: string | null, options: PairCheckOptions = {}): PairCheck {
  const table = options.table ?? 1;
  const codonStart = options.codonStart ?? 1;
  const code = geneticCode(table);
  const dna = cds.toUpperCase().replace(/U/g, 'T');
  const inFrame = dna.slice(codonStart - 1);
  const full = Math.floor(inFrame.length / 3) * 3;
  let translated = translate(inFrame, { table: code, firstCodonIsStart: !options.partial5 });
  let coding = inFrame.slice(0, full);
  if (translated.endsWith('*')) {
    translated = translated.slice(0, -1);
    coding = coding.slice(0, coding.length - 3);
  }
  const extra = translate(inFrame.slice(full), { table: code, partialCodon: true, firstCodonIsStart: false });
  if (protein === null) {
    return { status: 'no-translation', ok: false, translated, coding, firstDifference: -1, message: 'no /translation' };
  }
  const target = protein.toUpperCase();
  const done = (status: PairStatus, firstDifference = -1, message = ''): PairCheck => ({
    status,
    ok: status === 'ok' || status === 'ok-alt-start',
    translated,
    coding,
    firstDifference,
    message,
  });
  const candidates = [translated];
  if (extra.length > 0 && !translated.includes('*')) candidates.push(translated + extra);
  for (const t of candidates) {
    if (t === target) return done('ok');
    if (t.length === target.length && t.length > 0 && t.slice(1) === target.slice(1)) {
      const first = codonMeaning(inFrame.slice(0, 3), code);
      const alts = new Set(['M', first.aa]);
      if (alts.has(t[0]!) && alts.has(target[0]!)) return done('ok-alt-start');
    }
  }
  let k = 0;
  while (k < translated.length && k < target.length && translated[k] === target[k]) k++;
  const stop = translated.indexOf('*');
  if (stop >= 0 && stop <= k) return done('internal-stop', stop, `stop codon at residue ${stop + 1} of ${translated.length}`);
  const msg =
    k === translated.length || k === target.length
      ? `re-translation has ${translated.length} residues, /translation ${target.length}`
      : `re-translation differs at residue ${k + 1}: ${translated[k]} vs ${target[k]}`;
  return done('mismatch', k, msg);
}

/** `checkPair` for a CDS entry (its code, frame and 5'-partial flag). */
export function checkCdsEntry(entry: CdsEntry): PairCheck {
  return checkPair(entry.sequence, entry.translation, {
    table: entry.table,
    codonStart: entry.codonStart,
    partial5: entry.location.partial5,
  });
}

/**
 * The genomic span of a feature on its coding strand: from `flank` bases before its first base to `flank` after its
 * last, introns kept (the Central-Dogma "DNA" of docs/research/sequence.md §1(d)), clipped at the record's ends.
 */
export function genomicSpan(record: SeqRecord, location: FeatureLocation, flank = 0): string {
  const lo = Math.max(1, location.min - flank);
  const hi = Math.min(record.sequence.length, location.max + flank);
  const piece = record.sequence.slice(lo - 1, hi);
  return location.strand === -1 ? reverseComplement(piece) : piece;
}
