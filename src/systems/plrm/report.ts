/**
 * PLRM's report content: the label models (and end model) side by side per split, the label
 * graph and distinguishability pre-flight, the learned factor weights, the ILF analysis, and the
 * validation curves of the fits.
 */
import { escapeHtml, lineChart, type MetricRow, type MetricsComparison, type ReportSection, type Table } from '../../report/index.js';
import { describeFactor } from './factor_graph.js';
import { LABEL_MODELS, type LabelModels } from './label_models.js';
import type { LfAnalysis } from './lf_analysis.js';
import type { TaskScores } from './pipeline.js';
import type { SplitName } from './task.js';

/** One comparison table per scored split: accuracy and macro-F1 (fractions) of every model. */
export function metricsComparisons(scores: TaskScores, dataset: string, endLabel?: string): MetricsComparison[] {
  const out: MetricsComparison[] = [];
  for (const split of ['test', 'valid'] as const) {
    const s = scores[split];
    if (!s) continue;
    const rows: MetricRow[] = LABEL_MODELS.filter((m) => s[m]).map((m) => ({
      label: m as string,
      kind: m === 'PLRM' ? ('model' as const) : ('baseline' as const),
      values: { accuracy: s[m]!.accuracy, 'macro-F1': s[m]!.macroF1 },
    }));
    if (s['end model']) rows.push({ label: endLabel ?? 'end model', kind: 'baseline', values: { accuracy: s['end model'].accuracy, 'macro-F1': s['end model'].macroF1 } });
    out.push({
      split,
      dataset,
      rows,
      metrics: ['accuracy', 'macro-F1'],
      better: { accuracy: 'higher', 'macro-F1': 'higher' },
      note:
        split === 'valid'
          ? 'LFPGM/PLRM weights and label permutation were selected on this split, so these scores are optimistic.'
          : 'Model selection and the label-permutation fix used the validation split only.',
    });
  }
  return out;
}

/** The label graph summary and the distinguishability report. */
export function preflightSection(models: LabelModels): ReportSection {
  const c = models.graph.originCounts();
  const rows = models.graph.triples().map((t) => [models.labels[t.a]!, t.relation, models.labels[t.b]!, t.origin]);
  return {
    title: 'Label graph and distinguishability',
    description: `${models.labels.length} labels; pairs: ${c.given} given, ${c.implied} implied, ${c.default} by the default ` + `(${models.graph.defaultRelation}), ${c.ambiguous} open.`,
    tables: [{ caption: 'Relations (a, relation, b, where it came from)', columns: ['a', 'relation', 'b', 'origin'], rows }],
    html: `<pre>${escapeHtml(models.preflight.lines.join('\n'))}</pre>`,
  };
}

/** Learned weights of LFPGM and PLRM, one row per factor. */
export function weightsSection(models: LabelModels): ReportSection {
  const table = (name: 'LFPGM' | 'PLRM'): Table => {
    const f = name === 'LFPGM' ? models.lfpgm : models.plrm;
    return {
      caption: `${name}: ${f.spec.factors.length} factors (kept step ${f.bestStep}; label order ${f.perm.map((p) => models.labels[models.desired[p]!]).join(', ')})`,
      columns: ['factor', 'kind', 'weight'],
      rows: f.spec.factors.map((fac, i) => [describeFactor(fac, models.labels, models.desired), fac.kind, f.theta[i]!]),
    };
  };
  return {
    title: 'Learned factor weights',
    description:
      'Relation factors penalise (exclusive, subsuming, subsumed, equal) or reward (overlap) label combinations; accuracy factors reward an ILF ' +
      'whose vote agrees with its seen-label node; pseudo-accuracy factors reward agreement between a vote for a seen label and a related desired label.',
    tables: [table('LFPGM'), table('PLRM')],
  };
}

/** Per-ILF coverage/overlap/conflict (and consistency with gold) for the given splits. */
export function ilfSection(analysis: Partial<Record<SplitName, LfAnalysis>>): ReportSection {
  const tables: Table[] = [];
  for (const s of ['train', 'valid', 'test'] as const) {
    const a = analysis[s];
    if (!a) continue;
    tables.push({
      caption: `${s} split: ${a.rows} rows; covered ${(100 * a.coverage).toFixed(1)} %, overlap ${(100 * a.overlap).toFixed(1)} %, conflict ${(100 * a.conflict).toFixed(1)} %`,
      columns: ['ILF', 'labels', 'coverage', 'overlaps', 'conflicts', 'consistent with gold'],
      rows: a.perIlf.map((p) => [p.ilf, p.labels.join(' | '), p.coverage, p.overlaps, p.conflicts, p.consistency]),
    });
  }
  return {
    title: 'ILF analysis',
    description:
      "Like Snorkel's LF analysis, adapted to WIS: a conflict is a vote that another ILF contradicts with an exclusive label; " +
      '"consistent with gold" is the share of votes not exclusive with the gold desired label.',
    tables,
  };
}

/** Validation macro-F1 over the fitting steps of LFPGM and PLRM. */
export function historySection(models: LabelModels): ReportSection | null {
  const pts = (f: LabelModels['lfpgm']) => f.history.filter((h) => h.validMacroF1 !== undefined);
  const lf = pts(models.lfpgm);
  const pl = pts(models.plrm);
  if (lf.length < 2 && pl.length < 2) return null;
  return {
    title: 'Fitting',
    charts: [
      lineChart({
        title: 'Validation macro-F1 (after the label-permutation fix) during fitting',
        xLabel: 'step',
        yLabel: 'macro-F1',
        series: [
          { name: 'LFPGM', x: lf.map((h) => h.step), values: lf.map((h) => h.validMacroF1!) },
          { name: 'PLRM', x: pl.map((h) => h.step), values: pl.map((h) => h.validMacroF1!) },
        ],
      }),
    ],
  };
}
