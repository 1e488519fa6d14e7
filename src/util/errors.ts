/**
 * Errors a user sees. Every error carries the exit code the CLI uses, and input errors name
 * where the problem is (file, line, column/field) so the message alone is enough to fix it.
 */

/** Base class for errors that are the user's to fix (bad input, bad options), not bugs. */
export class SheafError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'SheafError';
    this.exitCode = exitCode;
  }
}

/** Wrong command-line usage or configuration: unknown option, wrong type, value out of range. Exit code 2. */
export class UsageError extends SheafError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** Where in an input file a problem is. Line and column are 1-based. */
export interface InputLocation {
  file?: string;
  line?: number;
  column?: number | string;
  field?: string;
}

/** Malformed or unusable input data (ragged rows, NaN, wrong length, empty split). Exit code 1. */
export class InputError extends SheafError {
  readonly location: InputLocation;
  constructor(message: string, location: InputLocation = {}) {
    super(formatLocation(location) + message, 1);
    this.name = 'InputError';
    this.location = location;
  }
}

function formatLocation(loc: InputLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  if (loc.field !== undefined) parts.push(`field "${loc.field}"`);
  return parts.length > 0 ? parts.join(', ') + ': ' : '';
}
