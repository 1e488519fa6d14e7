/**
 * The NCBI genetic codes and translation.
 *
 * The table rows are the facts of NCBI's genetic-code file `gc.prt` (version 4.6: ids 1–6, 9–16, 21–33; ids 7, 8
 * and 17–20 do not exist). Each row gives, for the 64 codons in TCAG order (TTT, TTC, TTA, TTG, TCT, …, GGG),
 * `ncbieaa` = the amino acid (`*` = stop) and `sncbieaa` = `M` for an initiation codon, `*` for a stop
 * codon, `-` otherwise. Where `sncbieaa` has `*` but `ncbieaa` a letter (codes 27, 28, 31), the codon is a
 * stop at the end of a CDS and that amino acid inside it. The Debian `ncbi-data` copy of gc.prt is version 4.2
 * (no 32/33, and CTG = A in codes 27–30, corrected to L since); `scripts/data/check_genetic_codes.py` compares
 * this table with gc.prt and with Biopython 1.80's `Bio/Data/CodonTable.py` (generated from gc.prt 4.6).
 */
import { IUPAC_DNA } from './alphabet.js';

/** One NCBI genetic code. */
export interface GeneticCode {
  /** NCBI transl_table id. */
  readonly id: number;
  /** NCBI name (alternative names joined by "; "). */
  readonly name: string;
  /** 64 amino acids in TCAG codon order; `*` = stop. */
  readonly ncbieaa: string;
  /** 64 start/stop marks in TCAG codon order: M = initiation codon, * = stop codon, - = neither. */
  readonly sncbieaa: string;
}

const ROWS: readonly GeneticCode[] = [
  { id: 1, name: 'Standard', ncbieaa: 'FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '---M------**--*----M---------------M----------------------------' },
  {
    id: 2,
    name: 'Vertebrate Mitochondrial',
    ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG',
    sncbieaa: '----------**--------------------MMMM----------**---M------------',
  },
  { id: 3, name: 'Yeast Mitochondrial', ncbieaa: 'FFLLSSSSYY**CCWWTTTTPPPPHHQQRRRRIIMMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '----------**----------------------MM---------------M------------' },
  {
    id: 4,
    name: 'Mold Mitochondrial; Protozoan Mitochondrial; Coelenterate Mitochondrial; Mycoplasma; Spiroplasma',
    ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '--MM------**-------M------------MMMM---------------M------------',
  },
  {
    id: 5,
    name: 'Invertebrate Mitochondrial',
    ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSSSSVVVVAAAADDEEGGGG',
    sncbieaa: '---M------**--------------------MMMM---------------M------------',
  },
  {
    id: 6,
    name: 'Ciliate Nuclear; Dasycladacean Nuclear; Hexamita Nuclear',
    ncbieaa: 'FFLLSSSSYYQQCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '--------------*--------------------M----------------------------',
  },
  {
    id: 9,
    name: 'Echinoderm Mitochondrial; Flatworm Mitochondrial',
    ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNNKSSSSVVVVAAAADDEEGGGG',
    sncbieaa: '----------**-----------------------M---------------M------------',
  },
  { id: 10, name: 'Euplotid Nuclear', ncbieaa: 'FFLLSSSSYY**CCCWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '----------**-----------------------M----------------------------' },
  {
    id: 11,
    name: 'Bacterial, Archaeal and Plant Plastid',
    ncbieaa: 'FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '---M------**--*----M------------MMMM---------------M------------',
  },
  {
    id: 12,
    name: 'Alternative Yeast Nuclear',
    ncbieaa: 'FFLLSSSSYY**CC*WLLLSPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '----------**--*----M---------------M----------------------------',
  },
  { id: 13, name: 'Ascidian Mitochondrial', ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSSGGVVVVAAAADDEEGGGG', sncbieaa: '---M------**----------------------MM---------------M------------' },
  {
    id: 14,
    name: 'Alternative Flatworm Mitochondrial',
    ncbieaa: 'FFLLSSSSYYY*CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNNKSSSSVVVVAAAADDEEGGGG',
    sncbieaa: '-----------*-----------------------M----------------------------',
  },
  {
    id: 15,
    name: 'Blepharisma Macronuclear',
    ncbieaa: 'FFLLSSSSYY*QCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '----------*---*--------------------M----------------------------',
  },
  {
    id: 16,
    name: 'Chlorophycean Mitochondrial',
    ncbieaa: 'FFLLSSSSYY*LCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '----------*---*--------------------M----------------------------',
  },
  {
    id: 21,
    name: 'Trematode Mitochondrial',
    ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNNKSSSSVVVVAAAADDEEGGGG',
    sncbieaa: '----------**-----------------------M---------------M------------',
  },
  {
    id: 22,
    name: 'Scenedesmus obliquus Mitochondrial',
    ncbieaa: 'FFLLSS*SYY*LCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '------*---*---*--------------------M----------------------------',
  },
  {
    id: 23,
    name: 'Thraustochytrium Mitochondrial',
    ncbieaa: 'FF*LSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '--*-------**--*-----------------M--M---------------M------------',
  },
  {
    id: 24,
    name: 'Pterobranchia Mitochondrial',
    ncbieaa: 'FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSSKVVVVAAAADDEEGGGG',
    sncbieaa: '---M------**-------M---------------M---------------M------------',
  },
  {
    id: 25,
    name: 'Candidate Division SR1 and Gracilibacteria',
    ncbieaa: 'FFLLSSSSYY**CCGWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '---M------**-----------------------M---------------M------------',
  },
  {
    id: 26,
    name: 'Pachysolen tannophilus Nuclear',
    ncbieaa: 'FFLLSSSSYY**CC*WLLLAPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '----------**--*----M---------------M----------------------------',
  },
  { id: 27, name: 'Karyorelict Nuclear', ncbieaa: 'FFLLSSSSYYQQCCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '--------------*--------------------M----------------------------' },
  { id: 28, name: 'Condylostoma Nuclear', ncbieaa: 'FFLLSSSSYYQQCCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '----------**--*--------------------M----------------------------' },
  { id: 29, name: 'Mesodinium Nuclear', ncbieaa: 'FFLLSSSSYYYYCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '--------------*--------------------M----------------------------' },
  { id: 30, name: 'Peritrich Nuclear', ncbieaa: 'FFLLSSSSYYEECC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG', sncbieaa: '--------------*--------------------M----------------------------' },
  {
    id: 31,
    name: 'Blastocrithidia Nuclear',
    ncbieaa: 'FFLLSSSSYYEECCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '----------**-----------------------M----------------------------',
  },
  {
    id: 32,
    name: 'Balanophoraceae Plastid',
    ncbieaa: 'FFLLSSSSYY*WCC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG',
    sncbieaa: '---M------*---*----M------------MMMM---------------M------------',
  },
  {
    id: 33,
    name: 'Cephalodiscidae Mitochondrial',
    ncbieaa: 'FFLLSSSSYYY*CCWWLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSSKVVVVAAAADDEEGGGG',
    sncbieaa: '---M-------*-------M---------------M---------------M------------',
  },
];

const BY_ID = new Map<number, GeneticCode>(ROWS.map((r) => [r.id, r]));

/** Every NCBI genetic code, by increasing id. */
export const GENETIC_CODES: readonly GeneticCode[] = ROWS;

/** The ids of all NCBI genetic codes (1–6, 9–16, 21–33). */
export const GENETIC_CODE_IDS: readonly number[] = ROWS.map((r) => r.id);

/** The genetic code with NCBI id `id`; a RangeError names the valid ids when it does not exist. */
export function geneticCode(id: number): GeneticCode {
  const code = BY_ID.get(id);
  if (code === undefined) {
    throw new RangeError(`no NCBI genetic code ${id}; valid ids are ${GENETIC_CODE_IDS.join(', ')}`);
  }
  return code;
}

const BASE_INDEX: Readonly<Record<string, number>> = { T: 0, U: 0, C: 1, A: 2, G: 3 };

/** Index 0–63 of an unambiguous codon in TCAG order, or -1 when it holds anything but A C G T/U. */
export function codonIndex(codon: string): number {
  if (codon.length !== 3) return -1;
  const a = BASE_INDEX[codon[0]!];
  const b = BASE_INDEX[codon[1]!];
  const c = BASE_INDEX[codon[2]!];
  if (a === undefined || b === undefined || c === undefined) return -1;
  return a * 16 + b * 4 + c;
}

const TCAG = 'TCAG';

/** The 64 codons in TCAG order (DNA spelling). */
export const CODONS: readonly string[] = (() => {
  const out: string[] = [];
  for (const a of TCAG) for (const b of TCAG) for (const c of TCAG) out.push(a + b + c);
  return out;
})();

/** Codons (DNA spelling) that are initiation codons in `code`. */
export function startCodons(code: GeneticCode | number): string[] {
  const g = typeof code === 'number' ? geneticCode(code) : code;
  return CODONS.filter((_, i) => g.sncbieaa[i] === 'M');
}

/** Codons (DNA spelling) that are stop codons in `code` (including those that are also sense codons). */
export function stopCodons(code: GeneticCode | number): string[] {
  const g = typeof code === 'number' ? geneticCode(code) : code;
  return CODONS.filter((_, i) => g.sncbieaa[i] === '*' || g.ncbieaa[i] === '*');
}

/** What a codon means in a code: its sense amino acid (or `*`), and whether it can start or stop a CDS. */
export interface CodonMeaning {
  aa: string;
  isStart: boolean;
  isStop: boolean;
}

/**
 * Meaning of one codon (DNA or RNA spelling, upper case). Ambiguous IUPAC codons are resolved when every base they
 * stand for gives the same amino acid (e.g. GCN → A, TTY → F, TAR → stop in code 1); otherwise aa = 'X'.
 */
export function codonMeaning(codon: string, code: GeneticCode): CodonMeaning {
  const i = codonIndex(codon);
  if (i >= 0) {
    const aa = code.ncbieaa[i]!;
    const mark = code.sncbieaa[i]!;
    return { aa, isStart: mark === 'M', isStop: mark === '*' || aa === '*' };
  }
  if (codon.length !== 3) return { aa: 'X', isStart: false, isStop: false };
  const sets: string[] = [];
  for (let k = 0; k < 3; k++) {
    const ch = codon[k] === 'U' ? 'T' : codon[k]!;
    const set = IUPAC_DNA[ch];
    if (set === undefined) return { aa: 'X', isStart: false, isStop: false };
    sets.push(set);
  }
  let aa: string | null = null;
  let allStart = true;
  let allStop = true;
  for (const a of sets[0]!) {
    for (const b of sets[1]!) {
      for (const c of sets[2]!) {
        const m = codonMeaning(a + b + c, code);
        if (aa === null) aa = m.aa;
        else if (aa !== m.aa) aa = 'X';
        allStart &&= m.isStart;
        allStop &&= m.isStop;
      }
    }
  }
  return { aa: aa ?? 'X', isStart: allStart, isStop: allStop };
}

/** Options of `translate`. */
export interface TranslateOptions {
  /** NCBI genetic code id (default 1) or a code object. */
  table?: number | GeneticCode;
  /** 1-based reading-frame offset, as GenBank's /codon_start (1, 2 or 3; default 1). */
  codonStart?: number;
  /**
   * Translate the first codon as M when it is an initiation codon of the table (default true), as NCBI does for a
   * CDS whose 5' end is complete. Set false for a 5'-partial CDS or for an arbitrary in-frame window.
   */
  firstCodonIsStart?: boolean;
  /**
   * What to do with stop codons: 'keep' writes `*` (default), 'trim' drops one terminal stop and keeps internal
   * ones as `*`, 'to-stop' ends the translation at the first stop (not included).
   */
  stop?: 'keep' | 'trim' | 'to-stop';
  /**
   * Translate a final incomplete codon (1–2 bases) when the present bases fix the amino acid (e.g. GC → A), as
   * NCBI does for some 3'-partial CDS (default false: the incomplete codon is dropped).
   */
  partialCodon?: boolean;
}

/**
 * Translate a nucleotide sequence (DNA or RNA spelling; case-insensitive). Codons that are both stop and sense in the
 * table (codes 27, 28, 31) are read as sense except as the very last complete codon. Ambiguity codes give the amino
 * acid all their expansions agree on, else X.
 */
export function translate(seq: string, options: TranslateOptions = {}): string {
  const code = typeof options.table === 'object' ? options.table : geneticCode(options.table ?? 1);
  const codonStart = options.codonStart ?? 1;
  if (codonStart !== 1 && codonStart !== 2 && codonStart !== 3) {
    throw new RangeError(`translate: codonStart must be 1, 2 or 3, got ${codonStart}`);
  }
  const stopMode = options.stop ?? 'keep';
  const s = seq.toUpperCase();
  const begin = codonStart - 1;
  const nCodons = Math.max(0, Math.floor((s.length - begin) / 3));
  let out = '';
  for (let k = 0; k < nCodons; k++) {
    const codon = s.slice(begin + 3 * k, begin + 3 * k + 3);
    const m = codonMeaning(codon, code);
    const last = k === nCodons - 1;
    let aa: string;
    if (k === 0 && (options.firstCodonIsStart ?? true) && m.isStart) aa = 'M';
    else if (m.isStop && (m.aa === '*' || last)) aa = '*';
    else aa = m.aa;
    if (aa === '*') {
      if (stopMode === 'to-stop') return out;
      if (stopMode === 'trim' && last) continue;
    }
    out += aa;
  }
  const rest = s.length - begin - 3 * nCodons;
  if (options.partialCodon && rest > 0 && rest < 3) {
    const m = codonMeaning(s.slice(begin + 3 * nCodons) + 'N'.repeat(3 - rest), code);
    if (m.aa !== 'X' && m.aa !== '*') out += m.aa;
  }
  return out;
}
