/**
 * Command-line flags → raw option values. Flags are `--name value`, `--name=value`, `--flag` /
 * `--no-flag` for booleans; `--foo-bar` is the field `fooBar`. A JSON config file (`--config
 * file.json`) supplies values under the flags. The verb's schema validates them (src/system/schema.ts).
 */
import { readFileSync, existsSync } from 'node:fs';
import { UsageError } from '../../util/errors.js';
import { camel } from '../../system/schema.js';

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
