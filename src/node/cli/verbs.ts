/**
 * The verbs of `sheaf <system> …`, built from the System: `train`, `eval` and the predict verb
 * (`predict`, `detect`, `recommend`, `label`) for every system, plus the system's own verbs.
 * A verb's options are its schema; the front door (main.ts) parses and validates flags over a
 * config file and runs the verb as a registered run.
 */
import { z } from 'zod';
import { joinPath } from '../../io/path.js';
import { UsageError } from '../../util/errors.js';
import { evalRun, predictRun, splitTrainOptions, trainRun } from '../../system/run.js';
import { validateOptions } from '../../system/schema.js';
import type { AnySystem, SystemVerb, VerbContext, VerbResult } from '../../system/types.js';

/** A verb as the front door runs it. */
export interface CliVerb {
  name: string;
  aliases: readonly string[];
  summary: string;
  /** All options, for help and flag parsing. */
  options: z.ZodObject;
  createsRun: boolean;
  /** Whether `--resume` applies (training verbs). */
  resumable: boolean;
  /**
   * Run with raw option values (flags over the config file, any accepted spelling); `given` lists
   * the options the user set (eval keeps the checkpoint's values for the others).
   */
  run(values: Record<string, unknown>, given: ReadonlySet<string>, ctx: VerbContext): Promise<VerbResult>;
}

const checkpointOption = z.string().describe('run folder or checkpoint folder written by train');

/** Every field optional, shown as "as at training" in help. */
function asStored(schema: z.ZodObject): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, f] of Object.entries(schema.shape)) {
    const field = f as z.ZodType;
    const d = (field as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
    const inner = d.type === 'default' && d.innerType ? d.innerType : field;
    shape[k] = inner.optional().meta({ ...(field.meta?.() ?? {}), description: `${field.description ?? ''} (default: as at training)` });
  }
  return z.object(shape);
}

function pick(values: Record<string, unknown>, keys: Iterable<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in values && values[k] !== undefined) out[k] = values[k];
  return out;
}

/** The CLI verbs of a system. */
export function cliVerbs(sys: AnySystem): CliVerb[] {
  const { config, data, eval: evalS } = sys.schemas;
  const trainSchema = z.object({ ...data.shape, ...config.shape, ...evalS.shape });
  const evalSchema = z.object({ checkpoint: checkpointOption, ...asStored(data).shape, ...asStored(evalS).shape });
  const verbs: CliVerb[] = [
    {
      name: 'train',
      aliases: sys.trainAliases ?? [],
      summary: `train ${sys.title} (${sys.reference.code}'s defaults), report the test scores beside the baselines, save a checkpoint`,
      options: trainSchema,
      createsRun: true,
      resumable: true,
      async run(values, _given, ctx) {
        const o = splitTrainOptions(sys, values, 'options');
        const out = await trainRun(sys, o, ctx);
        try {
          return {
            dataset: out.data,
            metrics: out.evaluation.results,
            sections: out.evaluation.sections,
            notes: [...(out.evaluation.notes ?? []), ...(out.checkpoint ? [`checkpoint: ${out.checkpoint}`] : [])],
            config: { ...o.data, ...o.config, ...o.eval },
            extras: out.result.extras,
          };
        } finally {
          sys.dispose(out.model);
        }
      },
    },
    {
      name: 'eval',
      aliases: [],
      summary: `score ${/^[AEIOU]/.test(sys.title) ? 'an' : 'a'} ${sys.title} checkpoint beside the baselines (on its own split unless told otherwise)`,
      options: evalSchema,
      createsRun: true,
      resumable: false,
      async run(values, given, ctx) {
        const v = validateOptions(evalSchema.partial(), values, 'options') as Record<string, unknown>;
        if (typeof v['checkpoint'] !== 'string') throw new UsageError('eval needs --checkpoint <run folder or checkpoint folder>');
        const g = {
          data: pick(
            v,
            [...given].filter((k) => k in data.shape),
          ),
          eval: pick(
            v,
            [...given].filter((k) => k in evalS.shape),
          ),
        };
        const out = await evalRun(sys, v['checkpoint'], g, ctx);
        try {
          return {
            dataset: out.data,
            metrics: out.evaluation.results,
            sections: out.evaluation.sections,
            notes: out.evaluation.notes,
            config: { checkpoint: v['checkpoint'], ...g.data, ...g.eval },
            extras: out.result.extras,
          };
        } finally {
          sys.dispose(out.model);
        }
      },
    },
  ];
  if (sys.predict) {
    const p = sys.predict;
    const schema = z.object({ checkpoint: checkpointOption, ...p.options.shape });
    verbs.push({
      name: p.verb,
      aliases: p.verb === 'predict' ? [] : ['predict'],
      summary: p.summary,
      options: schema,
      createsRun: true,
      resumable: false,
      async run(values, _given, ctx) {
        const v = validateOptions(schema, values, 'options') as Record<string, unknown>;
        const { checkpoint, ...rest } = v;
        const r = await predictRun(sys, checkpoint as string, rest, ctx);
        return { ...r, config: r.config ?? v };
      },
    });
  }
  for (const extra of sys.verbs ?? []) verbs.push(ownVerb(extra));
  return verbs;
}

function ownVerb(v: SystemVerb): CliVerb {
  return {
    name: v.name,
    aliases: v.aliases ?? [],
    summary: v.summary,
    options: v.options,
    createsRun: v.createsRun,
    resumable: false,
    async run(values, _given, ctx) {
      const o = validateOptions(v.options, values, 'options');
      const r = await v.run(o, ctx);
      return { ...r, config: r.config ?? (o as Record<string, unknown>) };
    },
  };
}

/** Find a verb by name or alias. */
export function findVerb(verbs: readonly CliVerb[], name: string): CliVerb | undefined {
  return verbs.find((v) => v.name === name || v.aliases.includes(name));
}

/** The run folder's resumable-progress folder. */
export function progressDirOf(runDir: string): string {
  return joinPath(runDir, 'progress');
}
