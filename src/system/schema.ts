/**
 * One zod schema per system is the single source of its options: the TypeScript type, defaults,
 * validation, the CLI flags and their help, the README's option tables and (later) the
 * dashboard's forms all come from it. Field `batchSize` is the flag `--batch-size` and the JSON
 * key `batchSize` (or `batch-size`); a field may list other names users know from the official
 * code in `.meta({ aliases: ['bs'] })`.
 */
import { z } from 'zod';
import { UsageError } from '../util/errors.js';

type Def = Record<string, unknown>;

function defOf(field: z.ZodType): Def {
  return (field as unknown as { _zod: { def: Def } })._zod.def;
}

/** A field's zod type after unwrapping default/optional/pipe wrappers, and its definition. */
export function baseType(field: z.ZodType): { type: string; def: Def } {
  let d = defOf(field);
  for (let i = 0; i < 10; i++) {
    const t = d['type'] as string;
    if ((t === 'default' || t === 'optional' || t === 'nullable' || t === 'prefault') && d['innerType']) d = defOf(d['innerType'] as z.ZodType);
    else if (t === 'pipe' && d['in']) d = defOf(d['in'] as z.ZodType);
    else break;
  }
  return { type: d['type'] as string, def: d };
}

/** `batchSize` → `batch-size`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** `batch-size` → `batchSize`. */
export function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Metadata of a field and of the types it wraps (outer wins). */
function metaOf(field: z.ZodType): { aliases?: string[]; kind?: string; description?: string } {
  const chain: z.ZodType[] = [];
  let f: z.ZodType | undefined = field;
  for (let i = 0; f && i < 10; i++) {
    chain.push(f);
    const d = defOf(f);
    f = (d['innerType'] ?? d['in']) as z.ZodType | undefined;
  }
  const out: Record<string, unknown> = {};
  for (const c of chain.reverse()) Object.assign(out, c.meta?.() ?? {});
  return out as { aliases?: string[]; kind?: string; description?: string };
}

/** What help, docs and forms need to know about one option. */
export interface OptionInfo {
  /** Field name (camelCase), also the JSON key. */
  name: string;
  /** `--batch-size`. */
  flag: string;
  /** Other accepted names (camelCase). */
  aliases: string[];
  /** `integer`, `number`, `string`, `boolean`, `enum`, `ratios`, … */
  type: string;
  /** Accepted values of an enum. */
  values?: string[];
  /** Default value (undefined when optional or required). */
  default?: unknown;
  required: boolean;
  description: string;
}

/** Describe every field of a schema. */
export function optionInfos(schema: z.ZodObject): OptionInfo[] {
  return Object.entries(schema.shape).map(([name, f]) => {
    const field = f as z.ZodType;
    const { type, def } = baseType(field);
    const outer = defOf(field);
    const meta = metaOf(field);
    const checks = (def['checks'] as Array<{ _zod: { def: Def } }> | undefined) ?? [];
    const isInt = checks.some((c) => c._zod.def['check'] === 'number_format' && String(c._zod.def['format']).includes('int'));
    const info: OptionInfo = {
      name,
      flag: '--' + kebab(name),
      aliases: meta.aliases ?? [],
      type: meta.kind ?? (type === 'number' && isInt ? 'integer' : type),
      required: outer['type'] !== 'default' && outer['type'] !== 'optional',
      description: field.description ?? meta.description ?? '',
    };
    if (type === 'enum') info.values = Object.values(def['entries'] as Record<string, string>);
    if (outer['type'] === 'default') info.default = typeof outer['defaultValue'] === 'function' ? (outer['defaultValue'] as () => unknown)() : outer['defaultValue'];
    return info;
  });
}

/** Names (camelCase) of the boolean fields. */
export function booleanFields(schema: z.ZodObject): Set<string> {
  return new Set(
    optionInfos(schema)
      .filter((o) => o.type === 'boolean')
      .map((o) => o.name),
  );
}

/** Alias or kebab/camel spelling → field name, for the fields of `schema`. */
export function nameMap(schema: z.ZodObject): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of optionInfos(schema)) {
    m.set(o.name, o.name);
    m.set(kebab(o.name), o.name);
    for (const a of o.aliases) {
      m.set(a, o.name);
      m.set(kebab(a), o.name);
      m.set(camel(a), o.name);
    }
  }
  return m;
}

/** Rename the keys of `values` (flags, a config file) to field names; unknown keys are kept as they are. */
export function canonicalKeys(schema: z.ZodObject, values: Record<string, unknown>, source: string): Record<string, unknown> {
  const names = nameMap(schema);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const name = names.get(k) ?? names.get(camel(k)) ?? k;
    if (name in out) throw new UsageError(`${source}: option --${kebab(name)} given twice (as '${k}' and another spelling)`);
    out[name] = v;
  }
  return out;
}

function formatValue(v: unknown): string {
  return Array.isArray(v) ? v.join(':') : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Render zod issues as one message naming each option and what it accepts. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodObject, source: string): string {
  const infos = new Map(optionInfos(schema).map((o) => [o.name, o]));
  const lines = issues.map((iss) => {
    if (iss.code === 'unrecognized_keys') {
      const known = [...infos.values()].map((o) => o.flag);
      return iss.keys.map((k) => `unknown option --${kebab(k)} (accepted: ${known.join(', ')})`).join('\n');
    }
    const key = iss.path.map(String).join('.');
    const o = infos.get(String(iss.path[0] ?? ''));
    let accepted = '';
    if (o?.type === 'enum') accepted = ` (accepted: ${o.values!.join(', ')})`;
    else if (o?.type === 'number' || o?.type === 'integer') accepted = ` (${o.type === 'integer' ? 'an integer' : 'a number'})`;
    else if (o?.type === 'boolean') accepted = ' (true or false)';
    return `invalid value for --${kebab(key)}: ${iss.message}${accepted}`;
  });
  return `${source}: ${lines.join('\n')}`;
}

/**
 * Validate values (flags over a config file, keys in any accepted spelling) with the schema; an
 * unknown option, a wrong type or an out-of-range value is a UsageError naming the option and
 * what it accepts.
 */
export function validateOptions<S extends z.ZodObject>(schema: S, values: Record<string, unknown>, source = 'options'): z.output<S> {
  const merged = canonicalKeys(schema, values, source);
  const infos = new Map(optionInfos(schema).map((o) => [o.name, o]));
  for (const [k, v] of Object.entries(merged)) {
    // Booleans arrive as strings from --x=true or a hand-written config; convert before zod.
    if (infos.get(k)?.type === 'boolean' && typeof v === 'string') {
      if (v === 'true' || v === '1') merged[k] = true;
      else if (v === 'false' || v === '0') merged[k] = false;
      else throw new UsageError(`${source}: invalid value for --${kebab(k)}: expected true or false, got '${v}'`);
    }
  }
  const r = schema.strict().safeParse(merged);
  if (!r.success) throw new UsageError(describeIssues(r.error.issues, schema, source));
  return r.data as z.output<S>;
}

/** Help text: one line per option with its type or values, default and description. */
export function optionsHelp(schema: z.ZodObject): string {
  const rows: Array<[string, string]> = optionInfos(schema).map((o) => {
    const kind = o.type === 'enum' ? o.values!.join('|') : o.type;
    const dflt = o.default !== undefined ? ` (default ${formatValue(o.default)})` : o.required ? ' (required)' : ' (optional)';
    const alias = o.aliases.length ? ` [also ${o.aliases.map((a) => '--' + kebab(a)).join(', ')}]` : '';
    return [`  ${o.flag}${o.type === 'boolean' ? '' : ` <${kind}>`}`, `${o.description}${dflt}${alias}`];
  });
  const w = Math.min(40, Math.max(0, ...rows.map((r) => r[0].length)));
  return rows.map(([a, b]) => (a.length > w ? `${a}\n${' '.repeat(w + 2)}${b}` : `${a.padEnd(w)}  ${b}`)).join('\n');
}

/** A Markdown table of the options (the README's option tables are generated from it). */
export function optionsMarkdown(schema: z.ZodObject): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| option | type | default | description |', '| --- | --- | --- | --- |'];
  for (const o of optionInfos(schema)) {
    const kind = o.type === 'enum' ? o.values!.join(' \\| ') : o.type;
    const names = [o.flag, ...o.aliases.map((a) => '--' + kebab(a))].map((n) => `\`${n}\``).join(', ');
    const dflt = o.default !== undefined ? `\`${esc(formatValue(o.default))}\`` : o.required ? 'required' : '—';
    lines.push(`| ${names} | ${kind} | ${dflt} | ${esc(o.description)} |`);
  }
  return lines.join('\n');
}

/** Join schemas into one (their fields must be disjoint). */
export function mergeSchemas(...schemas: z.ZodObject[]): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const s of schemas) {
    for (const [k, f] of Object.entries(s.shape)) {
      if (k in shape) throw new Error(`option '${k}' is defined twice`);
      shape[k] = f as z.ZodType;
    }
  }
  return z.object(shape);
}

/** Option helpers with the flag semantics every system shares. */
export const opt = {
  /** An integer flag (strings from argv are coerced). */
  int: () => z.coerce.number().int(),
  /** A number flag. */
  num: () => z.coerce.number(),
  /**
   * Split weights such as `7:2:1` (or `0.7,0.2,0.1`, or a JSON array) → a tuple of `n`
   * non-negative numbers, the first positive.
   */
  ratios: (n: 3 | 2 = 3) =>
    z
      .union([z.string(), z.array(z.number())])
      .transform((v, ctx) => {
        const parts = typeof v === 'string' ? v.split(/[:,/]/).map((p) => Number(p.trim())) : v;
        if (parts.length !== n || parts.some((p) => !Number.isFinite(p) || p < 0) || !(parts[0]! > 0)) {
          ctx.addIssue({ code: 'custom', message: `expected ${n} non-negative weights like ${n === 3 ? '7:2:1' : '9:1'}, got '${Array.isArray(v) ? v.join(':') : v}'` });
          return z.NEVER;
        }
        return parts as number[];
      })
      .meta({ kind: 'ratios' }),
};
