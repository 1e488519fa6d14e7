/**
 * Character-level tokeniser for the NutePrune KJV language model (docs/research/sequence.md §2(e): 63 symbols
 * after stripping verse references). Ids: 0 = `<unk>` (any character not seen when the vocabulary was built), then the
 * corpus characters in code-point order, so the same corpus always gives the same ids. Characters are Unicode
 * code points (a surrogate pair is one character).
 */
import { InputError } from '../../util/errors.js';

/** JSON form of a tokeniser (`CharTokenizer.toJSON`). */
export interface CharTokenizerJSON {
  kind: 'char';
  version: 1;
  /** Token of id 0, the unknown-character placeholder. */
  unk: string;
  /** Characters of ids 1, 2, …. */
  chars: string[];
}

/** Options of `CharTokenizer.fromCorpus`. */
export interface CharVocabOptions {
  /** Drop characters seen fewer than this many times (they become unknown); default 1 (keep all). */
  minCount?: number;
}

export class CharTokenizer {
  static readonly UNK_ID = 0;
  private readonly ids: Map<string, number>;

  private constructor(readonly chars: readonly string[]) {
    this.ids = new Map(chars.map((c, i) => [c, i + 1]));
  }

  /** Build the vocabulary from a corpus. */
  static fromCorpus(text: string, options: CharVocabOptions = {}): CharTokenizer {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const min = options.minCount ?? 1;
    const chars = [...counts.entries()].filter(([, n]) => n >= min).map(([c]) => c);
    chars.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars);
  }

  /** Rebuild from `toJSON` output; `source` names the file in errors. */
  static fromJSON(json: unknown, source = 'tokenizer'): CharTokenizer {
    const j = json as Partial<CharTokenizerJSON> | null;
    if (j === null || typeof j !== 'object' || j.kind !== 'char' || j.version !== 1 || !Array.isArray(j.chars)) {
      throw new InputError('not a character tokeniser (expected {"kind":"char","version":1,"chars":[…]})', { file: source });
    }
    const seen = new Set<string>();
    j.chars.forEach((c, i) => {
      if (typeof c !== 'string' || [...c].length !== 1) throw new InputError(`chars[${i}] is not a single character`, { file: source, field: `chars[${i}]` });
      if (seen.has(c)) throw new InputError(`chars[${i}] ${JSON.stringify(c)} appears twice`, { file: source, field: `chars[${i}]` });
      seen.add(c);
    });
    return new CharTokenizer(j.chars as string[]);
  }

  /** Vocabulary size including `<unk>`. */
  get size(): number {
    return this.chars.length + 1;
  }

  /** Id of a character (UNK_ID when unknown). */
  id(ch: string): number {
    return this.ids.get(ch) ?? CharTokenizer.UNK_ID;
  }

  /** Encode text; unknown characters become UNK_ID (or an InputError naming the position when `strict`). */
  encode(text: string, options: { strict?: boolean; source?: string } = {}): Int32Array {
    const out: number[] = [];
    let pos = 0;
    for (const ch of text) {
      const id = this.ids.get(ch);
      if (id === undefined && options.strict) {
        throw new InputError(`character ${JSON.stringify(ch)} at position ${pos + 1} is not in the vocabulary`, options.source === undefined ? {} : { file: options.source });
      }
      out.push(id ?? CharTokenizer.UNK_ID);
      pos++;
    }
    return Int32Array.from(out);
  }

  /** Decode ids; UNK_ID is written as `unk` (default U+FFFD). */
  decode(ids: ArrayLike<number>, unk = '\uFFFD'): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === CharTokenizer.UNK_ID) s += unk;
      else {
        const ch = this.chars[id - 1];
        if (ch === undefined) throw new RangeError(`token id ${id} is outside 0..${this.size - 1}`);
        s += ch;
      }
    }
    return s;
  }

  toJSON(): CharTokenizerJSON {
    return { kind: 'char', version: 1, unk: '<unk>', chars: [...this.chars] };
  }
}
