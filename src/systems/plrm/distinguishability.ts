/**
 * Distinguishability pre-flight: can the desired (unseen) labels be told apart from ILF outputs,
 * given the label graph and the ILF label sets? Run before any fitting.
 *
 * The ILFs only ever say something about seen labels, so a desired label is characterised by its
 * relation to each seen label (its "signature"). Following the conditions the official code
 * enforces when it samples tasks (`_check_unseen_valid`), the report lists:
 * - problems (the label model cannot separate them):
 *   - groups of desired labels with identical signatures — every ILF output has the same
 *     relation to each member, so nothing in the data tells them apart;
 * - warnings:
 *   - desired labels related to no seen label (exclusive or unknown to all): no ILF output
 *     points to them, they can only be inferred by elimination;
 *   - seen labels that relate identically to every desired label (their ILF outputs carry no
 *     information about the desired label);
 *   - every desired label linked only to seen labels no other desired label touches (the
 *     official sampler rejects such tasks as trivial).
 */
import type { LabelGraph } from './relations.js';

/** Structured result of the pre-flight check, with a readable text form. */
export interface DistinguishabilityReport {
  /** True when no problem was found (warnings allowed). */
  ok: boolean;
  /** Seen labels (global ids): non-desired labels of the ILF label sets. */
  seen: number[];
  /** signatures[c][i]: relation of desired c to seen[i], or 'unknown'. */
  signatures: string[][];
  /** Groups (≥ 2) of desired positions that cannot be told apart. */
  indistinguishable: number[][];
  /** Desired positions with no non-exclusive, decided seen label. */
  uncovered: number[];
  /** Seen labels (global ids) relating identically to every desired label. */
  uninformative: number[];
  /** Whether every desired label only links to seen labels no other desired label links to. */
  allSingle: boolean;
  /** Readable report lines. */
  lines: string[];
}

/** Run the pre-flight check. */
export function checkDistinguishability(graph: LabelGraph, desired: readonly number[], ilfs: readonly (readonly number[])[]): DistinguishabilityReport {
  const names = graph.labels;
  const desiredSet = new Set(desired);
  const seen: number[] = [];
  for (const set of ilfs) for (const l of set) if (!desiredSet.has(l) && !seen.includes(l)) seen.push(l);
  const rel = (c: number, s: number): string => graph.relation(desired[c]!, s) ?? 'unknown';
  const signatures = desired.map((_, c) => seen.map((s) => rel(c, s)));
  const linked = (c: number, i: number): boolean => {
    const r = signatures[c]![i]!;
    return r !== 'exclusive' && r !== 'unknown';
  };

  const groups = new Map<string, number[]>();
  signatures.forEach((sig, c) => {
    const key = sig.join('|');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  });
  const indistinguishable = [...groups.values()].filter((g) => g.length > 1);
  const uncovered = desired.map((_, c) => c).filter((c) => seen.every((_, i) => !linked(c, i)));
  const uninformative = seen.filter((_, i) => desired.every((__, c) => signatures[c]![i] === signatures[0]![i]));
  const linkCount = seen.map((_, i) => desired.filter((__, c) => linked(c, i)).length);
  const allSingle = desired.every((_, c) => seen.every((__, i) => !linked(c, i) || linkCount[i] === 1));

  const q = (l: number): string => `'${names[l]}'`;
  const lines: string[] = [];
  lines.push(`Distinguishability pre-flight: ${desired.length} desired labels, ${seen.length} seen labels in ${ilfs.length} ILFs.`);
  lines.push('Relation of each desired label (row) to each seen label (column):');
  const width = Math.max(10, ...seen.map((s) => names[s]!.length), ...desired.map((d) => names[d]!.length));
  const pad = (s: string): string => s.padEnd(width);
  lines.push('  ' + pad('') + ' ' + seen.map((s) => pad(names[s]!)).join(' '));
  desired.forEach((d, c) => lines.push('  ' + pad(names[d]!) + ' ' + signatures[c]!.map(pad).join(' ')));
  for (const g of indistinguishable) {
    lines.push(
      `PROBLEM: ${g.map((c) => q(desired[c]!)).join(' and ')} cannot be told apart: they have the same relation to every seen label, ` +
        `so no ILF output separates them. Add an ILF whose label set contains a label related differently to them.`,
    );
  }
  for (const c of uncovered) {
    lines.push(`WARNING: no seen label is related to ${q(desired[c]!)} (all exclusive or unknown): no ILF output points to it; it can only be inferred by elimination.`);
  }
  for (const s of uninformative) {
    lines.push(`WARNING: seen label ${q(s)} relates identically (${signatures[0]![seen.indexOf(s)]}) to every desired label: its ILF outputs say nothing about the desired label.`);
  }
  if (allSingle && desired.length > 1) {
    lines.push('NOTE: each desired label links only to seen labels no other desired label links to (the official sampler rejects such tasks as trivial).');
  }
  const ambiguousHere = graph.ambiguous.filter(([a, b]) => (desiredSet.has(a) && seen.includes(b)) || (desiredSet.has(b) && seen.includes(a)));
  for (const [a, b] of ambiguousHere) {
    lines.push(`WARNING: the relation of ${q(a)} to ${q(b)} is open (${graph.possible(a, b).join(' or ')}); no factor or vote uses it.`);
  }
  const ok = indistinguishable.length === 0;
  lines.push(ok ? 'OK: every desired label has a distinct relation pattern to the seen labels.' : 'NOT DISTINGUISHABLE: fix the problems above before fitting.');
  return { ok, seen, signatures, indistinguishable, uncovered, uninformative, allSingle, lines };
}
