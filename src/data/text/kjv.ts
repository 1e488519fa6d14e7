/**
 * Reader for the shipped KJV text (`data/kjv/kjv.tsv`, written by `scripts/data/extract_kjv.mjs`): a header
 * `ref<TAB>text`, then one verse per line in canonical order.
 */
import { InputError } from '../../util/errors.js';

/** One verse. */
export interface Verse {
  /** Reference as the `bible` reader writes it, e.g. "Ge1:1". */
  ref: string;
  text: string;
}

/** Parse the KJV TSV; errors name `source` and the line. */
export function parseKjv(text: string, source: string): Verse[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'ref\ttext') throw new InputError('header must be "ref\\ttext"', { file: source, line: 1 });
  const out: Verse[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const tab = l.indexOf('\t');
    if (tab <= 0 || l.indexOf('\t', tab + 1) >= 0) throw new InputError('expected two tab-separated fields (ref, text)', { file: source, line: i + 1 });
    const ref = l.slice(0, tab);
    if (!/^[1-3]?[A-Z][A-Za-z]*\d+:\d+$/.test(ref)) throw new InputError(`"${ref}" is not a verse reference`, { file: source, line: i + 1, field: 'ref' });
    out.push({ ref, text: l.slice(tab + 1) });
  }
  return out;
}

/**
 * The language-model corpus: verse texts without references, one verse per line (`\n`-joined, final newline), as in
 * the measured NutePrune setup of docs/research/sequence.md §2(e) ("after stripping verse references").
 */
export function kjvCorpus(verses: readonly Verse[]): string {
  return verses.map((v) => v.text).join('\n') + '\n';
}
