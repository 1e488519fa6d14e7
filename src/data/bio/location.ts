/**
 * GenBank/EMBL/DDBJ feature locations (INSDC feature table, section 3.4): `a..b`, single bases `a`, sites between
 * bases `a^b`, the old single-base-within-a-range form `a.b`, partial ends `<a` / `>b`, `complement(…)`, `join(…)`,
 * `order(…)`, nested in any combination, and references into other entries (`J00194.1:100..202`).
 *
 * A parsed location is a flat list of segments in biological (5'→3') order, so `complement(join(1..10,20..30))`
 * becomes [20..30 on −, 1..10 on −] and extraction is a plain concatenation.
 */
import { InputError, type InputLocation } from '../../util/errors.js';
import { reverseComplement } from './alphabet.js';

/** One contiguous piece of a location, in record coordinates (1-based, inclusive). */
export interface LocationSegment {
  /** Lower coordinate (1-based). */
  start: number;
  /** Upper coordinate (1-based, inclusive); equals `start` for a single base. */
  end: number;
  /** +1 = the record's strand, −1 = the reverse complement. */
  strand: 1 | -1;
  /** `<` on the lower coordinate: the feature extends beyond it. */
  startFuzzy: boolean;
  /** `>` on the upper coordinate. */
  endFuzzy: boolean;
  /** `a^b`: a site between two bases, no sequence of its own. */
  between: boolean;
  /** Accession of another entry for a remote segment (`J00194.1:100..202`), else undefined. */
  remote?: string;
}

/** A parsed feature location. */
export interface FeatureLocation {
  /** The location text as written (line breaks and spaces removed). */
  text: string;
  /** Segments in biological order (first = 5' end of the feature). */
  segments: LocationSegment[];
  /** 'order' means the segments need not be joined; 'join' that they are; 'single' for one segment. */
  operator: 'single' | 'join' | 'order';
  /** Strand of the feature: +1, −1, or 0 when segments disagree. */
  strand: 1 | -1 | 0;
  /** The 5' end is partial (`<` on a + strand start, `>` on a − strand end). */
  partial5: boolean;
  /** The 3' end is partial. */
  partial3: boolean;
  /** Smallest and largest record coordinate covered (local segments only). */
  min: number;
  max: number;
}

class Parser {
  private pos = 0;
  sawJoin = false;
  sawOrder = false;
  constructor(
    private readonly s: string,
    private readonly where: InputLocation,
  ) {}

  fail(message: string): never {
    throw new InputError(`bad feature location "${this.s}": ${message} at character ${this.pos + 1}`, this.where);
  }

  parse(): LocationSegment[] {
    const segs = this.location(1);
    if (this.pos !== this.s.length) this.fail(`unexpected "${this.s[this.pos]}"`);
    return segs;
  }

  private peekWord(word: string): boolean {
    return this.s.startsWith(word + '(', this.pos);
  }

  private location(strand: 1 | -1): LocationSegment[] {
    if (this.peekWord('complement')) {
      this.pos += 'complement('.length;
      const inner = this.location(strand === 1 ? -1 : 1);
      this.expect(')');
      // The complement of a list reverses its biological order.
      return inner.reverse();
    }
    for (const op of ['join', 'order'] as const) {
      if (this.peekWord(op)) {
        if (op === 'join') this.sawJoin = true;
        else this.sawOrder = true;
        this.pos += op.length + 1;
        const parts: LocationSegment[][] = [this.location(strand)];
        while (this.s[this.pos] === ',') {
          this.pos++;
          parts.push(this.location(strand));
        }
        this.expect(')');
        const flat = parts.flat();
        // On the minus strand the biological order of join(a,b) (written inside complement) is handled by the
        // enclosing complement; a join *of* complements is already in biological order as written.
        return flat;
      }
    }
    return [this.segment(strand)];
  }

  private expect(ch: string): void {
    if (this.s[this.pos] !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  private number(): number {
    const m = /^\d+/.exec(this.s.slice(this.pos));
    if (m === null) this.fail('expected a base number');
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (n < 1) this.fail('base numbers start at 1');
    return n;
  }

  private segment(strand: 1 | -1): LocationSegment {
    let remote: string | undefined;
    const acc = /^([A-Za-z][A-Za-z0-9_]*(?:\.\d+)?):/.exec(this.s.slice(this.pos));
    if (acc !== null) {
      remote = acc[1]!;
      this.pos += acc[0].length;
    }
    if (this.peekWord('one-of')) this.fail('one-of() locations are not supported');
    let startFuzzy = false;
    if (this.s[this.pos] === '<') {
      startFuzzy = true;
      this.pos++;
    }
    let start = this.number();
    let end = start;
    let endFuzzy = false;
    let between = false;
    if (this.s.startsWith('..', this.pos)) {
      this.pos += 2;
      if (this.s[this.pos] === '>') {
        endFuzzy = true;
        this.pos++;
      } else if (this.s[this.pos] === '<') {
        // `a..<b` occurs in old entries; it means the same as `a..b` with an uncertain end.
        endFuzzy = true;
        this.pos++;
      }
      end = this.number();
    } else if (this.s[this.pos] === '^') {
      this.pos++;
      end = this.number();
      between = true;
    } else if (this.s[this.pos] === '.' && /^\.\d/.test(this.s.slice(this.pos))) {
      // `102.110`: one base somewhere in 102..110 (obsolete); keep the span and mark both ends uncertain.
      this.pos++;
      end = this.number();
      startFuzzy = true;
      endFuzzy = true;
    } else if (this.s[this.pos] === '>') {
      // `>500` alone: a single base with an uncertain upper end.
      this.fail('unexpected ">"');
    }
    if (start > end && !between) this.fail(`start ${start} is after end ${end}`);
    // `a^b` names two adjacent bases; `n^1` is the site across the origin of a circular sequence.
    if (between && end !== start + 1 && end !== 1) this.fail(`${start}^${end} does not name adjacent bases`);
    if (start > end) [start, end] = [end, start];
    const seg: LocationSegment = { start, end, strand, startFuzzy, endFuzzy, between };
    if (remote !== undefined) seg.remote = remote;
    return seg;
  }
}

/**
 * Parse a feature location. `where` (file, line) is used in the InputError for bad syntax; `sequenceLength`, when
 * given, makes positions beyond the sequence an error too.
 */
export function parseLocation(text: string, where: InputLocation = {}, sequenceLength?: number): FeatureLocation {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) throw new InputError('empty feature location', where);
  const p = new Parser(compact, where);
  const segments = p.parse();
  const strands = new Set(segments.map((s) => s.strand));
  const strand: 1 | -1 | 0 = strands.size === 1 ? segments[0]!.strand : 0;
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const partial5 = first.strand === 1 ? first.startFuzzy : first.endFuzzy;
  const partial3 = last.strand === 1 ? last.endFuzzy : last.startFuzzy;
  const local = segments.filter((s) => s.remote === undefined);
  const min = local.length > 0 ? Math.min(...local.map((s) => s.start)) : 0;
  const max = local.length > 0 ? Math.max(...local.map((s) => s.end)) : 0;
  if (sequenceLength !== undefined && sequenceLength > 0 && max > sequenceLength) {
    throw new InputError(`feature location "${compact}" ends at ${max}, beyond the sequence (${sequenceLength} bp)`, where);
  }
  const operator = p.sawOrder ? 'order' : segments.length > 1 || p.sawJoin ? 'join' : 'single';
  return { text: compact, segments, operator, strand, partial5, partial3, min, max };
}

/**
 * The sequence a location covers, 5'→3' on the feature's strand: segments cut from `sequence` (1-based inclusive),
 * minus-strand segments reverse-complemented, concatenated in biological order. Sites between bases contribute
 * nothing. A remote segment is an InputError (its sequence is in another entry).
 */
export function extractLocation(sequence: string, loc: FeatureLocation, where: InputLocation = {}): string {
  let out = '';
  for (const seg of loc.segments) {
    if (seg.remote !== undefined) {
      throw new InputError(`feature location "${loc.text}" refers to another entry (${seg.remote})`, where);
    }
    if (seg.between) continue;
    if (seg.end > sequence.length) {
      throw new InputError(`feature location "${loc.text}" ends at ${seg.end}, beyond the sequence (${sequence.length} bp)`, where);
    }
    const piece = sequence.slice(seg.start - 1, seg.end);
    out += seg.strand === 1 ? piece : reverseComplement(piece);
  }
  return out;
}

/** Total length of the local, non-site segments of a location. */
export function locationLength(loc: FeatureLocation): number {
  let n = 0;
  for (const seg of loc.segments) if (!seg.between) n += seg.end - seg.start + 1;
  return n;
}

function formatSegment(s: LocationSegment, shift: number): string {
  const a = s.start + shift;
  const b = s.end + shift;
  const prefix = s.remote !== undefined ? `${s.remote}:` : '';
  if (s.between) return `${prefix}${a}^${b}`;
  if (a === b && !s.startFuzzy && !s.endFuzzy) return `${prefix}${a}`;
  return `${prefix}${s.startFuzzy ? '<' : ''}${a}..${s.endFuzzy ? '>' : ''}${b}`;
}

/**
 * Write a location back in INSDC syntax, coordinates moved by `shift` (e.g. −offset when cutting a region out of a
 * longer entry). All-minus locations are written `complement(join(…))`, mixed ones as a join of per-segment
 * complements; `parseLocation(formatLocation(l)).segments` equals `l.segments`. (The obsolete `a.b` form comes back
 * as `<a..>b`.)
 */
export function formatLocation(loc: Pick<FeatureLocation, 'segments' | 'operator'>, shift = 0): string {
  const segs = loc.segments;
  const op = loc.operator === 'order' ? 'order' : 'join';
  if (segs.length === 0) throw new RangeError('formatLocation: no segments');
  if (segs.every((s) => s.strand === -1)) {
    const inner = [...segs].reverse().map((s) => formatSegment(s, shift));
    return inner.length === 1 ? `complement(${inner[0]})` : `complement(${op}(${inner.join(',')}))`;
  }
  const parts = segs.map((s) => (s.strand === -1 ? `complement(${formatSegment(s, shift)})` : formatSegment(s, shift)));
  return parts.length === 1 && loc.operator === 'single' ? parts[0]! : `${op}(${parts.join(',')})`;
}
