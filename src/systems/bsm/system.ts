/**
 * BSM as a Sheaf system: GenBank / EMBL records in (or the shipped sets), a small LLaMA-style
 * decoder pre-trained on single-modal and mixed-modal samples (`mix`) or single-modal only (`uni`),
 * scored on a held-out organism — translation accuracy, Central-Dogma AUC at k shots, single-modal
 * NLL — beside the majority residue and a unigram letter model; checkpoints, `generate` (continue
 * sequences in one modality's alphabet), `score` (log-probabilities of targets after prompts) and
 * `compare` (mix and uni at an equal token budget, side by side).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { formatCsvRows, parseTextCsv } from '../../data/csv.js';
import { BOS_ID, SEP_ID, decodeString, encodeSequence, parseFasta, type Modality } from '../../data/bio/index.js';
import { joinPath } from '../../io/path.js';
import { loadWeights } from '../../train/checkpoint.js';
import { InputError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { opt, mergeSchemas } from '../../system/schema.js';
import { saveModel, loadModel } from '../../system/run.js';
import { defineSystem, defineVerb, trainCallOptions, type Evaluation, type RunEnv, type VerbResult } from '../../system/types.js';
import { lineChart, type MetricsComparison, type ReportSection } from '../../report/index.js';
import type { LlamaForCausalLM } from '../../nn/transformer/index.js';
import { configSchema, dataSchema, evalSchema, evalCodons, shotList, type BSMConfig, type BSMEvalOptions } from './config.js';
import { loadBSMData, type BSMData } from './data.js';
import { alphabetIds, buildBSM, continuationLogProbsAny } from './model.js';
import { trainBSM, type FittedBSM } from './train.js';
import { centralDogmaScores, fitUnigram, heldoutWindows, singleModalNll, translationScores, unigramNll, validationWindows } from './evaluate.js';

const MODALITIES = ['dna', 'rna', 'protein'] as const;

/** Display name of a trained model. */
export function bsmLabel(cfg: Pick<BSMConfig, 'corpus' | 'size'>): string {
  return `BSM-${cfg.size} (${cfg.corpus})`;
}

/** Every held-out number of one model. */
export interface BSMScores {
  translation: ReturnType<typeof translationScores>;
  centralDogma: ReturnType<typeof centralDogmaScores>;
  nll: { protein: number; dna: number };
  unigramNll: { protein: number; dna: number };
}

/** Score a model on the held-out organism (items drawn from `seed`, so every model of a seed sees the same ones). */
export function scoreBSM(net: LlamaForCausalLM, data: BSMData, cfg: BSMConfig, ev: BSMEvalOptions, seed: number): BSMScores {
  net.eval();
  const unigram = fitUnigram(data.train);
  const windows = heldoutWindows(data.heldout, evalCodons(cfg), ev.translationWindows, new Rng(seed ^ 0x7e57));
  const translation = translationScores(net, windows, unigram.majorityResidue);
  const centralDogma = centralDogmaScores(net, data.heldout, cfg, ev.cdPositives, shotList(ev), unigram, new Rng(seed ^ 0xcd));
  const w = validationWindows(data.heldout, cfg, new Rng(seed ^ 0x11), ev.nllWindows);
  return { translation, centralDogma, nll: singleModalNll(net, w), unigramNll: unigramNll(unigram, w) };
}

function comparisons(label: string, s: BSMScores, data: BSMData, cfg: BSMConfig, ev: BSMEvalOptions, withBaselines: boolean): MetricsComparison[] {
  const held = `${data.heldout.source.replace(/^shipped:bio\//, '')} (held-out organism)`;
  const t = s.translation;
  const cd = s.centralDogma;
  const shotKeys = cd.shots.map((k) => `AUC ${k}-shot`);
  const res: MetricsComparison[] = [
    {
      split: 'test',
      protocol: `translation: greedy decoding of ${evalCodons(cfg)}-codon windows after <bos> DNA|RNA <sep>, residues only`,
      dataset: held,
      metrics: ['DNA→protein residue accuracy', 'RNA→protein residue accuracy', 'exact windows (DNA)'],
      better: { 'DNA→protein residue accuracy': 'higher', 'RNA→protein residue accuracy': 'higher', 'exact windows (DNA)': 'higher' },
      rows: [
        { label, kind: 'model', values: { 'DNA→protein residue accuracy': t.dnaResidueAccuracy, 'RNA→protein residue accuracy': t.rnaResidueAccuracy, 'exact windows (DNA)': t.dnaExact } },
        ...(withBaselines
          ? [
              {
                label: 'always the commonest training residue',
                kind: 'baseline' as const,
                values: { 'DNA→protein residue accuracy': t.majorityAccuracy, 'RNA→protein residue accuracy': t.majorityAccuracy, 'exact windows (DNA)': 0 },
              },
            ]
          : []),
      ],
      note: `${t.windows} windows of distinct held-out genes.`,
    },
    {
      split: 'test',
      protocol: 'Central Dogma: AUC of the mean log-probability of the protein after <bos> DNA <sep>, after k demonstration pairs',
      dataset: held,
      metrics: shotKeys,
      better: Object.fromEntries(shotKeys.map((k) => [k, 'higher' as const])),
      rows: [
        { label, kind: 'model', values: Object.fromEntries(shotKeys.map((k, i) => [k, cd.auc[i]!])) },
        ...(withBaselines ? [{ label: 'unigram letter model (training frequencies)', kind: 'baseline' as const, values: Object.fromEntries(shotKeys.map((k) => [k, cd.unigramAuc])) }] : []),
      ],
      note: `${cd.items} items: ${cd.items / 2} true (DNA, protein) windows and as many corrupted (half 2 residue substitutions, half a 1-nt deletion in the DNA); demonstrations are true pairs of other held-out genes.`,
    },
    {
      split: 'test',
      protocol: 'single-modal NLL per token (nats), held-out windows as <bos> seq <eos>',
      dataset: held,
      metrics: ['protein NLL', 'DNA NLL'],
      better: { 'protein NLL': 'lower', 'DNA NLL': 'lower' },
      rows: [
        { label, kind: 'model', values: { 'protein NLL': s.nll.protein, 'DNA NLL': s.nll.dna } },
        ...(withBaselines ? [{ label: 'unigram letter model (training frequencies)', kind: 'baseline' as const, values: { 'protein NLL': s.unigramNll.protein, 'DNA NLL': s.unigramNll.dna } }] : []),
      ],
      note: `${ev.nllWindows} protein and ${ev.nllWindows} DNA windows of distinct held-out genes.`,
    },
  ];
  return res;
}

function historySection(runs: ReadonlyArray<{ name: string; m: FittedBSM }>): ReportSection {
  const steps = (m: FittedBSM) => m.history.map((r) => Math.min(m.config.steps, r.epoch * m.config.evalEvery));
  return {
    title: 'Pre-training',
    description: `Training loss (mean over each interval of --eval-every steps) and the held-out single-modal NLL after it (the paper's Fig. 1). Rounds: ${runs
      .map((r) => `${r.name}: ${r.m.rounds.map((x) => `${x.name} ${x.steps} steps, ${x.tokens} tokens`).join('; ')}`)
      .join(' | ')}.`,
    charts: [
      lineChart({ title: 'training loss', xLabel: 'step', yLabel: 'loss', series: runs.map((r) => ({ name: r.name, x: steps(r.m), values: r.m.history.map((h) => h.train['loss'] ?? null) })) }),
      lineChart({
        title: 'held-out single-modal NLL',
        xLabel: 'step',
        yLabel: 'nats per token',
        series: runs.flatMap((r) => [
          { name: `${r.name} protein`, x: steps(r.m), values: r.m.history.map((h) => h.valid?.proteinNll ?? null) },
          { name: `${r.name} DNA`, x: steps(r.m), values: r.m.history.map((h) => h.valid?.dnaNll ?? null) },
        ]),
      }),
    ],
  };
}

function shotsSection(runs: ReadonlyArray<{ name: string; s: BSMScores }>): ReportSection {
  return {
    title: 'In-context demonstrations',
    description:
      'Central-Dogma AUC against the number of true demonstration pairs in the prompt. At this scale few-shot gains are not expected (docs/research/sequence.md §1(e)); the curve is reported, not a bar.',
    charts: [
      lineChart({
        title: 'Central-Dogma AUC by shots',
        xLabel: 'shots',
        yLabel: 'AUC',
        points: true,
        series: runs.map((r) => ({ name: r.name, x: r.s.centralDogma.shots, values: r.s.centralDogma.auc })),
      }),
    ],
    tables: [
      {
        columns: ['DNA window', 'true protein', 'predicted (greedy)'],
        rows: runs[0]!.s.translation.examples.map((e) => [e.dna, e.protein, e.predicted]),
      },
    ],
  };
}

async function evaluate(m: FittedBSM, data: BSMData, ev: BSMEvalOptions, _env: RunEnv): Promise<Evaluation> {
  const s = scoreBSM(m.net, data, m.config, ev, m.seed);
  const label = bsmLabel(m.config);
  const sections: ReportSection[] = [];
  if (m.history.length) sections.push(historySection([{ name: label, m }]));
  sections.push(shotsSection([{ name: label, s }]));
  return {
    results: comparisons(label, s, data, m.config, ev, ev.baselines),
    sections,
    notes: [
      `${label}: ${m.parameters} parameters, ${m.config.steps} steps of ${m.config.batchSize} × ${m.config.context} tokens (${m.rounds.map((r) => `${r.name}: ${r.tokens} tokens`).join(', ')})${m.interrupted ? '; interrupted' : ''}; training ${data.train.source} (${data.train.genes.length} genes), held out ${data.heldout.source} (${data.heldout.genes.length} genes)`,
    ],
    extras: { translation: s.translation, centralDogma: s.centralDogma, nll: s.nll, unigramNll: s.unigramNll, parameters: m.parameters, rounds: m.rounds },
  };
}

interface SavedExtra {
  history: FittedBSM['history'];
  seed: number;
  parameters: number;
  rounds: FittedBSM['rounds'];
  interrupted: boolean;
}

/** Prompts of `generate` / `score`: a sequence given on the command line or every record of a FASTA file. */
async function readPrompts(env: RunEnv, o: { prompt?: string | undefined; data?: string | undefined }): Promise<Array<{ id: string; sequence: string }>> {
  if (o.prompt !== undefined && o.data !== undefined) throw new UsageError('give --prompt or --data, not both');
  if (o.prompt !== undefined) return [{ id: 'prompt', sequence: o.prompt.trim().toUpperCase() }];
  if (o.data === undefined) throw new UsageError('give a sequence with --prompt or a FASTA file with --data');
  const recs = parseFasta(await env.storage.readText(o.data), o.data);
  if (!recs.length) throw new InputError('no FASTA records', { file: o.data });
  return recs.map((r) => ({ id: r.id, sequence: r.sequence }));
}

async function writeOut(env: RunEnv, out: string | undefined, name: string, text: string, verb: string): Promise<string> {
  if (out) {
    await env.storage.write(out, text);
    return out;
  }
  const p = await env.artifact(name, text, verb);
  if (!p) throw new UsageError(`bsm ${verb} needs --out when no run folder is created`);
  return p;
}

const generateOptions = z.object({
  prompt: z.string().optional().describe('the sequence to continue from (e.g. a DNA window)'),
  data: z.string().optional().describe('or a FASTA file: one prompt per record'),
  from: z.enum(MODALITIES).default('dna').describe('modality of the prompt'),
  to: z.enum(MODALITIES).default('protein').describe('modality to produce: decoding is restricted to its alphabet'),
  length: opt.int().min(1).optional().describe('letters to produce (default: the prompt length / 3 for DNA|RNA → protein, × 3 for protein → DNA|RNA, else the same)'),
  strategy: z.enum(['greedy', 'sample']).default('greedy').describe('greedy decoding or sampling'),
  temperature: opt.num().positive().default(1).describe('sampling temperature'),
  topK: opt.int().min(1).optional().describe('sample among the k most likely letters'),
  cache: z.boolean().default(true).describe('decode with the KV cache (--no-cache recomputes the prefix each step)'),
  out: z.string().optional().describe('CSV to write (default: generated.csv in the run folder)'),
});

const scoreOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by train'),
  data: z.string().describe('CSV with prompt and target columns (optional prompt_modality, target_modality: dna|rna|protein; default dna and protein)'),
  wildType: z.string().optional().describe('zero-shot fitness: the wild-type target; each row also gets its log-probability minus the wild type’s after the same prompt'),
  out: z.string().optional().describe('CSV to write (default: scores.csv in the run folder)'),
});

const compareOptions = mergeSchemas(configSchema.omit({ corpus: true }), dataSchema, evalSchema);

function lengthFor(from: Modality, to: Modality, n: number): number {
  if (from !== 'protein' && to === 'protein') return Math.max(1, Math.floor(n / 3));
  if (from === 'protein' && to !== 'protein') return 3 * n;
  return n;
}

/** BSM. */
export const bsmSystem = defineSystem({
  name: 'bsm',
  title: 'BSM',
  summary: 'one small language model over DNA, RNA and protein, pre-trained on mixed-modal samples (translate, score, generate)',
  reference: {
    paper: 'Xiang, Han, Chai & Bai, Small but Powerful: a Biological Sequence Model for genes and proteins (BSM), 2024',
    code: 'none released (docs/research/sequence.md §1 describes the method; this is a port by description)',
  },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  trainAliases: ['pretrain'],
  async loadData(o, env) {
    const d = await loadBSMData(env.storage, o);
    env.log(
      `BSM data: ${d.train.genes.length} training genes on ${d.train.records.length} records (${d.train.failures} CDS failed the pair check), ${d.heldout.genes.length} held-out genes (${d.heldout.source})`,
    );
    return d;
  },
  describeData: (d: BSMData) => ({ name: d.name, hash: d.train.hash }),
  train: (data, cfg, _ev, env) => trainBSM(data, cfg, trainCallOptions(env)),
  evaluate,
  configOf: (m: FittedBSM) => m.config,
  save: (m: FittedBSM) => ({
    tensors: m.net.stateDict() as Map<string, tf.Tensor>,
    config: m.config,
    epoch: m.history.length,
    extra: { history: m.history, seed: m.seed, parameters: m.parameters, rounds: m.rounds, interrupted: m.interrupted } satisfies SavedExtra,
  }),
  async load(ck) {
    const cfg = configSchema.parse(ck.config) as BSMConfig;
    const ex = (ck.extra as { model?: SavedExtra } | null)?.model;
    if (!ex || typeof ex.seed !== 'number') throw new InputError('not a BSM checkpoint (no stored model description)', { file: ck.dir });
    const net = buildBSM(cfg, ex.seed);
    try {
      loadWeights(net, ck);
    } catch (e) {
      net.dispose();
      throw e;
    }
    net.eval();
    return { net, config: cfg, history: ex.history ?? [], seed: ex.seed, parameters: ex.parameters, rounds: ex.rounds ?? [], interrupted: ex.interrupted ?? false } satisfies FittedBSM;
  },
  dispose: (m: FittedBSM) => m.net.dispose(),
  predict: {
    verb: 'generate',
    summary: 'continue sequences (e.g. translate DNA to protein) with decoding restricted to one modality’s alphabet',
    options: generateOptions,
    async run(m: FittedBSM, o: z.output<typeof generateOptions>, env) {
      const prompts = await readPrompts(env, o);
      const rng = new Rng(env.seed);
      const rows: string[][] = [];
      const allowed = alphabetIds(o.to);
      for (const p of prompts) {
        const ids = [BOS_ID, ...encodeSequence(p.sequence, o.from, { file: o.data ?? '--prompt' }), SEP_ID];
        const n = o.length ?? lengthFor(o.from, o.to, p.sequence.length);
        const out = m.net.generate([ids], {
          maxNewTokens: n,
          allowedTokens: allowed,
          strategy: o.strategy,
          temperature: o.temperature,
          ...(o.topK !== undefined ? { topK: o.topK } : {}),
          ...(o.strategy === 'sample' ? { rng } : {}),
          useCache: o.cache,
        });
        rows.push([p.id, p.sequence, decodeString(out[0]!).toUpperCase()]);
      }
      const path = await writeOut(env, o.out, 'generated.csv', formatCsvRows(['id', 'prompt', 'generated'], rows), 'generate');
      return {
        dataset: { name: o.data ?? '--prompt' },
        artifacts: o.out ? [{ kind: 'generated', path }] : [],
        notes: [`${rows.length} ${o.from} prompt${rows.length === 1 ? '' : 's'} continued as ${o.to} (${o.strategy}) → ${path}`, ...rows.slice(0, 3).map((r) => `${r[0]}: ${r[2]}`)],
      };
    },
  },
  verbs: [
    defineVerb({
      name: 'score',
      summary: 'log-probabilities of targets after prompts (zero-shot fitness with --wild-type: mutant minus wild type)',
      options: scoreOptions,
      createsRun: false,
      async run(o, ctx): Promise<VerbResult> {
        const table = parseTextCsv(await ctx.storage.readText(o.data), o.data, ['prompt', 'target'], ['prompt_modality', 'target_modality']);
        const loaded = await loadModel(ctx.storage, o.checkpoint, [bsmSystem], { expect: 'bsm' });
        const m = loaded.model as FittedBSM;
        try {
          m.net.eval();
          const mod = (v: string | undefined, dflt: Modality, line: number, field: string): Modality => {
            const x = (v ?? '').trim().toLowerCase() || dflt;
            if (!(MODALITIES as readonly string[]).includes(x)) throw new InputError(`'${v}' is not dna, rna or protein`, { file: o.data, line, field });
            return x as Modality;
          };
          const prompts: number[][] = [];
          const targets: number[][] = [];
          const wild: number[][] = [];
          for (const r of table.rows) {
            const pm = mod(r.cells['prompt_modality'], 'dna', r.line, 'prompt_modality');
            const tm = mod(r.cells['target_modality'], 'protein', r.line, 'target_modality');
            const p = [BOS_ID, ...encodeSequence(r.cells['prompt']!.toUpperCase(), pm, { file: o.data, line: r.line }), SEP_ID];
            prompts.push(p);
            targets.push(encodeSequence(r.cells['target']!.toUpperCase(), tm, { file: o.data, line: r.line }));
            if (o.wildType) wild.push(encodeSequence(o.wildType.toUpperCase(), tm, { file: '--wild-type' }));
          }
          const s = continuationLogProbsAny(m.net, prompts, targets);
          const w = o.wildType ? continuationLogProbsAny(m.net, prompts, wild) : null;
          const rows = table.rows.map((r, i) => [
            String(r.line),
            r.cells['prompt']!,
            r.cells['target']!,
            s.sum[i]!.toFixed(6),
            s.mean[i]!.toFixed(6),
            ...(w ? [(s.sum[i]! - w.sum[i]!).toFixed(6)] : []),
          ]);
          const text = formatCsvRows(['line', 'prompt', 'target', 'log_prob', 'mean_log_prob', ...(w ? ['minus_wild_type'] : [])], rows);
          const out = o.out ?? (ctx.runDir ? joinPath(ctx.runDir, 'scores.csv') : null);
          if (!out) throw new UsageError('bsm score needs --out');
          await ctx.storage.write(out, text);
          return { dataset: { name: o.data }, artifacts: [{ kind: 'scores', path: out }], notes: [`${rows.length} targets scored by ${bsmLabel(m.config)} → ${out}`] };
        } finally {
          bsmSystem.dispose(m);
        }
      },
    }),
    defineVerb({
      name: 'compare',
      summary: 'pre-train mix and uni at an equal token budget from the same seed and score them side by side on the held-out organism',
      options: compareOptions,
      createsRun: true,
      async run(o, ctx): Promise<VerbResult> {
        const pick = <S extends z.ZodObject>(sch: S) => sch.parse(Object.fromEntries(Object.keys(sch.shape).map((k) => [k, (o as Record<string, unknown>)[k]]))) as z.output<S>;
        const data = await loadBSMData(ctx.storage, pick(dataSchema));
        const ev = pick(evalSchema);
        const runs: Array<{ name: string; m: FittedBSM; s: BSMScores }> = [];
        const artifacts: Array<{ kind: string; path: string }> = [];
        try {
          for (const corpus of ['mix', 'uni'] as const) {
            const cfg = configSchema.parse({ ...pick(configSchema.omit({ corpus: true })), corpus }) as BSMConfig;
            ctx.log(`— ${bsmLabel(cfg)} —`);
            const m = await trainBSM(data, cfg, { ...trainCallOptions(ctx, corpus) });
            runs.push({ name: bsmLabel(cfg), m, s: scoreBSM(m.net, data, cfg, ev, ctx.seed) });
            if (ctx.runDir)
              artifacts.push({ kind: `${corpus} checkpoint`, path: await saveModel(ctx.storage, joinPath(ctx.runDir, 'checkpoints', corpus), bsmSystem, m, { data: pick(dataSchema), eval: ev }) });
            if (ctx.signal?.aborted) break;
          }
          // One table per protocol: both models as model rows, the baselines once.
          const tables = runs.map((r, i) => comparisons(r.name, r.s, data, r.m.config, ev, i === 0));
          const metrics = tables[0]!.map((c, j) => ({ ...c, rows: [...tables.flatMap((t) => t[j]!.rows.filter((x) => x.kind === 'model')), ...c.rows.filter((x) => x.kind !== 'model')] }));
          return {
            dataset: { name: data.name, hash: data.train.hash },
            metrics,
            sections: [historySection(runs), shotsSection(runs)],
            artifacts,
            config: { ...o, seed: ctx.seed },
            extras: Object.fromEntries(runs.map((r) => [r.m.config.corpus, { translation: r.s.translation, centralDogma: r.s.centralDogma, nll: r.s.nll, tokens: r.m.rounds.map((x) => x.tokens) }])),
            notes: [`mix and uni from seed ${ctx.seed} at ${runs.map((r) => r.m.rounds.reduce((a, x) => a + x.tokens, 0)).join(' / ')} training tokens; scored on the same held-out items`],
          };
        } finally {
          for (const r of runs) r.m.net.dispose();
        }
      },
    }),
  ],
  demo: (quick) => ({
    data: {},
    // docs/research/sequence.md §1(e) configuration B (the acceptance setting, one seed); quick: 120 steps, fewer items.
    config: quick ? { steps: 120, evalEvery: 40, warmup: 20 } : {},
    eval: quick ? { translationWindows: 40, cdPositives: 30, nllWindows: 30 } : {},
    note: quick
      ? 'quick demo: tiny BSM (d 64, 3 layers), 120 steps of 16 × 80 tokens on the shipped records, scored on C. trachomatis (not the acceptance setting)'
      : 'demo: tiny BSM (d 64, 3 layers), 800 steps of 16 × 80 tokens, 70 % gene–protein pairs (sequence.md §1(e) configuration B, one seed), scored on C. trachomatis',
  }),
  async conformance() {
    return {
      data: {},
      config: { hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 24, steps: 6, evalEvery: 3, warmup: 2, batchSize: 4, context: 40 },
      eval: { translationWindows: 6, cdPositives: 4, shots: '0,1', nllWindows: 6 },
      note: 'a 1-layer, 16-wide decoder for 6 steps on the shipped records',
      resumable: true,
    };
  },
});
