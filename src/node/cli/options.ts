/**
 * Command-line flags → a validated options object. Flags are `--name value`, `--name=value`,
 * `--flag` / `--no-flag` for booleans; `--foo-bar` maps to the schema field `fooBar`. A JSON config
 * file (`--config file.json`) supplies values under the flags. Everything is checked by the
 * verb's zod schema; any problem is a UsageError (exit code 2) naming the option and what is
 * accepted.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { z } from 'zod';
import { UsageError } from '../../util/errors.js';

/** A field's zod type name after unwrapping default/optional/pipe wrappers. */
export function baseType(field: z.ZodType): { type: string; def: Record<string, unknown> } {
  let d = (field as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  for (let i = 0; i < 10; i++) {
    const t = d['type'] as string;
    if ((t === 'default' || t === 'optional' || t === 'nullable' || t === 'prefault') && d['innerType']) {
      d = (d['innerType'] as { _zod: { def: Record<string, unknown> } })._zod.def;
    } else if (t === 'pipe' && d['in']) {
      d = (d['in'] as { _zod: { def: Record<string, unknown> } })._zod.def;
    } else break;
  }
  return { type: d['type'] as string, def: d };
}

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

/**
 * Split argv into positionals and flags. `booleanFlags` are the names (camelCase) that take no
 * value. Values are kept as strings; the schema coerces them.
 */
export function parseArgv(argv: string[], booleanFlags: Set<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      if (a.startsWith('-') && a.length > 1 && a !== '-h' && Number.isNaN(Number(a))) {
        throw new UsageError(`unknown option '${a}' (options are written --name value)`);
      }
      positionals.push(a === '-h' ? '--help' : a);
      continue;
    }
    let body = a.slice(2);
    let value: string | boolean | undefined;
    const eq = body.indexOf('=');
    if (eq >= 0) {
      value = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
    const name = camel(body);
    if (value === undefined && name.startsWith('no') && booleanFlags.has(name[2]!.toLowerCase() + name.slice(3))) {
      flags[name[2]!.toLowerCase() + name.slice(3)] = false;
      continue;
    }
    if (value === undefined) {
      if (booleanFlags.has(name) || name === 'help' || name === 'quick' || name === 'json') value = true;
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`option --${body} needs a value`);
        value = next;
        i++;
      }
    }
    if (name in flags) throw new UsageError(`option --${body} given twice`);
    flags[name] = value;
  }
  return { positionals, flags };
}

/** Read a JSON config file; errors name the file and what is wrong. */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`config file ${path} does not exist`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`config file ${path} must hold a JSON object of options`);
  }
  return value as Record<string, unknown>;
}

/** Render zod issues as one message naming each option and what it accepts. */
export function describeIssues(issues: z.core.$ZodIssue[], schema: z.ZodObject, source: string): string {
  const lines = issues.map((iss) => {
    if (iss.code === 'unrecognized_keys') {
      const known = Object.keys(schema.shape).map((k) => '--' + kebab(k));
      return iss.keys.map((k) => `unknown option --${kebab(k)} (accepted: ${known.join(', ')})`).join('\n');
    }
    const key = iss.path.map(String).join('.');
    const flag = '--' + kebab(key);
    const field = schema.shape[key] as z.ZodType | undefined;
    let accepted = '';
    if (field) {
      const { type, def } = baseType(field);
      if (type === 'enum') accepted = ` (accepted: ${Object.values(def['entries'] as Record<string, string>).join(', ')})`;
      else if (type === 'number') accepted = ' (a number)';
      else if (type === 'boolean') accepted = ' (true or false)';
    }
    return `invalid value for ${flag}: ${iss.message}${accepted}`;
  });
  return `${source}: ${lines.join('\n')}`;
}

/** Validate flags (over an optional config file) with the schema. */
export function validateOptions<S extends z.ZodObject>(schema: S, flags: Record<string, string | boolean>, config: Record<string, unknown> = {}, source = 'options'): z.infer<S> {
  const merged: Record<string, unknown> = { ...config };
  for (const [k, v] of Object.entries(flags)) {
    const field = schema.shape[k] as z.ZodType | undefined;
    // Booleans arrive as strings from --x=true; convert before the schema sees them.
    if (field && baseType(field).type === 'boolean' && typeof v === 'string') {
      if (v === 'true' || v === '1') merged[k] = true;
      else if (v === 'false' || v === '0') merged[k] = false;
      else throw new UsageError(`invalid value for --${kebab(k)}: expected true or false, got '${v}'`);
    } else merged[k] = v;
  }
  const strict = (schema as unknown as { strict(): z.ZodObject }).strict();
  const r = strict.safeParse(merged);
  if (!r.success) throw new UsageError(describeIssues(r.error.issues, schema, source));
  return r.data as z.infer<S>;
}

/** Help text for a verb's options, one per line: flag, type/accepted values, default, description. */
export function optionsHelp(schema: z.ZodObject): string {
  const rows: Array<[string, string]> = [];
  for (const [k, f] of Object.entries(schema.shape)) {
    const field = f as z.ZodType;
    const { type, def } = baseType(field);
    const outer = (field as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    let kind = type === 'enum' ? Object.values(def['entries'] as Record<string, string>).join('|') : type;
    if (type === 'boolean') kind = 'flag';
    const dflt = outer['type'] === 'default' ? ` (default ${JSON.stringify(outer['defaultValue'])})` : outer['type'] === 'optional' ? ' (optional)' : ' (required)';
    const desc = (field as unknown as { description?: string }).description ?? '';
    rows.push([`  --${kebab(k)} ${type === 'boolean' ? '' : '<' + kind + '>'}`, `${desc}${dflt}`]);
  }
  const w = Math.min(40, Math.max(...rows.map((r) => r[0].length), 0));
  return rows.map(([a, b]) => (a.length > w ? `${a}\n${' '.repeat(w + 2)}${b}` : `${a.padEnd(w)}  ${b}`)).join('\n');
}

/** Names (camelCase) of the boolean fields of a schema. */
export function booleanFields(schema: z.ZodObject): Set<string> {
  const s = new Set<string>();
  for (const [k, f] of Object.entries(schema.shape)) if (baseType(f as z.ZodType).type === 'boolean') s.add(k);
  return s;
}
