/**
 * The run registry: one SQLite database (`<home>/sheaf.db`) that records every run — its
 * configuration, dataset, seed and backend, per-epoch and final metrics, artifacts and outcome —
 * plus one folder per run (`<home>/<id>/`) for files the run writes.
 *
 * Several processes may write to the same registry at once (two `sheaf train` runs side by side):
 * the database is in WAL mode, waits on a busy lock instead of failing, and every write is a
 * single `BEGIN IMMEDIATE` transaction, so writers queue rather than interleave or deadlock.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SheafError, UsageError } from '../../util/errors.js';

/** Lifecycle state of a run. `running` until `finish` is called. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** States a run can end in (the `status` argument of `RunRegistry.finish`). */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'interrupted'];

/** What a caller knows when a run starts. */
export interface NewRun {
  /** System name, e.g. `stemgnn`. */
  system: string;
  /** CLI verb that started the run, e.g. `train`, `eval`, `demo`. */
  verb: string;
  /** Full resolved configuration; stored as JSON. */
  config: Record<string, unknown>;
  /** Dataset name (or path) as the user gave it. */
  dataset: string;
  /** SHA-256 of the dataset bytes (see `hashFile`), or null when there is no single file. */
  datasetHash?: string | null;
  /** Seed the run used (a safe integer), or null when unseeded. */
  seed?: number | null;
  /** Tensor backend name, e.g. `wasm` or `cpu`. */
  backend: string;
}

/** A stored run. Timestamps are ISO-8601 UTC strings. */
export interface RunRecord {
  id: string;
  system: string;
  verb: string;
  config: Record<string, unknown>;
  dataset: string;
  datasetHash: string | null;
  seed: number | null;
  backend: string;
  startedAt: string;
  endedAt: string | null;
  status: RunStatus;
  error: string | null;
  /** Folder for this run's files: `<home>/<id>`. */
  dir: string;
}

/** One metric value at the end of one epoch. `value` is NaN when the run logged a non-number (diverged loss). */
export interface EpochMetricRow {
  epoch: number;
  split: string;
  name: string;
  value: number;
}

/** One final metric value of one scorer (the model or a baseline) on a split of a dataset. */
export interface FinalMetricRow {
  split: string;
  /** How the value was computed when a split has several protocols ('' when not). */
  protocol: string;
  dataset: string;
  /** The scorer: the model's or a baseline's label. */
  label: string;
  kind: 'model' | 'baseline';
  name: string;
  value: number;
}

/** A file a run produced (checkpoint, report, predictions …). */
export interface ArtifactRow {
  kind: string;
  path: string;
}

/** Filters for `RunRegistry.list`. */
export interface ListOptions {
  system?: string;
  status?: RunStatus;
  /** Most recent `limit` runs; all when omitted. */
  limit?: number;
}

/** File name of the registry database inside the home folder. */
export const DB_FILE = 'sheaf.db';

/** Milliseconds a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 30_000;

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id           TEXT PRIMARY KEY,
  system       TEXT NOT NULL,
  verb         TEXT NOT NULL,
  config       TEXT NOT NULL,
  dataset      TEXT NOT NULL,
  dataset_hash TEXT,
  seed         INTEGER,
  backend      TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
  error        TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_system ON runs (system, id);
CREATE TABLE IF NOT EXISTS epoch_metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch  INTEGER NOT NULL,
  split  TEXT NOT NULL,
  name   TEXT NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, epoch, split, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS final_metrics (
  run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split    TEXT NOT NULL,
  protocol TEXT NOT NULL DEFAULT '',
  dataset  TEXT NOT NULL,
  label    TEXT NOT NULL DEFAULT '',
  kind     TEXT NOT NULL DEFAULT 'model' CHECK (kind IN ('model', 'baseline')),
  name     TEXT NOT NULL,
  value    REAL,
  PRIMARY KEY (run_id, split, protocol, dataset, label, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS artifacts (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind   TEXT NOT NULL,
  path   TEXT NOT NULL,
  PRIMARY KEY (run_id, kind, path)
) WITHOUT ROWID;
`;

/**
 * The registry home: the explicit argument, else `$SHEAF_HOME`, else `./runs`, as an absolute path.
 */
export function resolveHome(home?: string): string {
  const env = process.env.SHEAF_HOME;
  const chosen = home ?? (env !== undefined && env !== '' ? env : 'runs');
  return resolve(chosen);
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Folder of a run's files, `<home>/<id>`. Rejects ids that could escape the home folder. */
export function runDir(home: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw new UsageError(`invalid run id "${id}"`);
  return join(home, id);
}

/**
 * A new run id: UTC start time plus a random suffix, `YYYYMMDD-HHMMSS-xxxx` (e.g.
 * `20261126-041500-ab12`), so ids sort by start time. The suffix comes from `crypto.randomBytes`:
 * it only has to be unique, and must not disturb any seeded generator.
 */
export function newRunId(now: Date = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}

interface RunRow {
  id: string;
  system: string;
  verb: string;
  config: string;
  dataset: string;
  dataset_hash: string | null;
  seed: number | null;
  backend: string;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  error: string | null;
}

/** SQLite stores NaN as NULL; map it back so callers always get numbers. */
function fromDb(value: number | null): number {
  return value === null ? Number.NaN : value;
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`run registry: "${field}" must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireMetrics(metrics: Record<string, number>, where: string): [string, number][] {
  const entries = Object.entries(metrics);
  for (const [name, value] of entries) {
    if (name === '') throw new UsageError(`run registry: empty metric name in ${where}`);
    if (typeof value !== 'number') {
      throw new UsageError(`run registry: metric "${name}" in ${where} must be a number, got ${typeof value}`);
    }
  }
  return entries;
}

/** Handle on a registry database. Open with `RunRegistry.open`, close with `close()`. */
export class RunRegistry {
  /** Absolute path of the home folder (database and run folders). */
  readonly home: string;
  /** Absolute path of the database file. */
  readonly dbPath: string;
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<RunRegistry['prepare']>;

  private constructor(home: string) {
    this.home = home;
    this.dbPath = join(home, DB_FILE);
    try {
      mkdirSync(home, { recursive: true });
      // `timeout` sets SQLite's busy_timeout: a writer waits for a concurrent one instead of failing.
      this.db = new Database(this.dbPath, { timeout: BUSY_TIMEOUT_MS });
    } catch (err) {
      throw new SheafError(`cannot open run registry ${this.dbPath}: ${(err as Error).message}`);
    }
    this.db.pragma('journal_mode = WAL');
    // NORMAL is crash-safe in WAL mode (at worst the last commit is lost on power failure).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > SCHEMA_VERSION) {
          throw new SheafError(`run registry ${this.dbPath} has schema version ${version}, newer than this Sheaf (${SCHEMA_VERSION})`);
        }
        if (version === 1) {
          // Version 1 kept only the model's final numbers, without a scorer label or protocol.
          this.db.exec('ALTER TABLE final_metrics RENAME TO final_metrics_v1');
          this.db.exec(SCHEMA);
          this.db.exec(
            `INSERT INTO final_metrics (run_id, split, protocol, dataset, label, kind, name, value)
             SELECT f.run_id, f.split, '', f.dataset, r.system, 'model', f.name, f.value FROM final_metrics_v1 f JOIN runs r ON r.id = f.run_id`,
          );
          this.db.exec('DROP TABLE final_metrics_v1');
        }
        this.db.exec(SCHEMA);
        if (version < SCHEMA_VERSION) this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
    this.stmts = this.prepare();
  }

  /**
   * Open (creating if needed) the registry in `home` — default `$SHEAF_HOME`, else `./runs`.
   * The database is `<home>/sheaf.db`.
   */
  static open(home?: string): RunRegistry {
    return new RunRegistry(resolveHome(home));
  }

  private prepare() {
    const db = this.db;
    return {
      insertRun: db.prepare(
        `INSERT INTO runs (id, system, verb, config, dataset, dataset_hash, seed, backend, started_at, status)
         VALUES (@id, @system, @verb, @config, @dataset, @dataset_hash, @seed, @backend, @started_at, 'running')`,
      ),
      exists: db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck(),
      getRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
      upsertEpoch: db.prepare(
        `INSERT INTO epoch_metrics (run_id, epoch, split, name, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, epoch, split, name) DO UPDATE SET value = excluded.value`,
      ),
      upsertFinal: db.prepare(
        `INSERT INTO final_metrics (run_id, split, protocol, dataset, label, kind, name, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, split, protocol, dataset, label, name) DO UPDATE SET value = excluded.value, kind = excluded.kind`,
      ),
      insertArtifact: db.prepare('INSERT OR IGNORE INTO artifacts (run_id, kind, path) VALUES (?, ?, ?)'),
      finish: db.prepare('UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ?'),
      deleteEpochs: db.prepare('DELETE FROM epoch_metrics WHERE run_id = ?'),
      deleteFinals: db.prepare('DELETE FROM final_metrics WHERE run_id = ?'),
      deleteArtifacts: db.prepare('DELETE FROM artifacts WHERE run_id = ?'),
      deleteRun: db.prepare('DELETE FROM runs WHERE id = ?'),
      reopen: db.prepare("UPDATE runs SET status = 'running', ended_at = NULL, error = NULL WHERE id = ?"),
      setDataset: db.prepare('UPDATE runs SET dataset = ? WHERE id = ?'),
      epochRows: db.prepare('SELECT epoch, split, name, value FROM epoch_metrics WHERE run_id = ? ORDER BY epoch, split, name'),
      finalRows: db.prepare(
        `SELECT split, protocol, dataset, label, kind, name, value FROM final_metrics WHERE run_id = ?
         ORDER BY dataset, split, protocol, kind DESC, label, name`,
      ),
      artifactRows: db.prepare('SELECT kind, path FROM artifacts WHERE run_id = ? ORDER BY kind, path'),
    };
  }

  /** Run `fn` as one write transaction that takes the write lock up front (BEGIN IMMEDIATE). */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private requireRun(runId: string): void {
    if (this.stmts.exists.get(runId) === undefined) {
      throw new UsageError(`no run "${runId}" in registry ${this.dbPath}`);
    }
  }

  /**
   * Record a new run with status `running`, create its folder `<home>/<id>/` and return it.
   * `startedAt` is now.
   */
  createRun(run: NewRun): RunRecord {
    const system = requireText(run.system, 'system');
    const verb = requireText(run.verb, 'verb');
    const dataset = requireText(run.dataset, 'dataset');
    const backend = requireText(run.backend, 'backend');
    const seed = run.seed ?? null;
    if (seed !== null && !Number.isSafeInteger(seed)) {
      throw new UsageError(`run registry: "seed" must be an integer, got ${seed}`);
    }
    if (run.config === null || typeof run.config !== 'object' || Array.isArray(run.config)) {
      throw new UsageError('run registry: "config" must be an object');
    }
    const config = JSON.stringify(run.config);
    const now = new Date();
    for (let attempt = 0; ; attempt++) {
      const id = newRunId(now);
      try {
        this.write(() =>
          this.stmts.insertRun.run({
            id,
            system,
            verb,
            config,
            dataset,
            dataset_hash: run.datasetHash ?? null,
            seed,
            backend,
            started_at: now.toISOString(),
          }),
        );
      } catch (err) {
        // Two runs started in the same second drew the same suffix: draw again.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY' && attempt < 8) continue;
        throw err;
      }
      mkdirSync(runDir(this.home, id), { recursive: true });
      const record = this.get(id);
      if (record === undefined) throw new Error(`run ${id} vanished right after insert`);
      return record;
    }
  }

  /**
   * Record the metrics of one epoch on one split (e.g. `{loss: 0.31, mae: 0.12}` for `val`).
   * Logging the same (epoch, split, name) again overwrites the value. NaN is stored (as NULL).
   */
  logEpoch(runId: string, epoch: number, split: string, metrics: Record<string, number>): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) {
      throw new UsageError(`run registry: epoch must be a non-negative integer, got ${epoch}`);
    }
    requireText(split, 'split');
    const entries = requireMetrics(metrics, `epoch ${epoch} (${split})`);
    this.write(() => {
      this.requireRun(runId);
      for (const [name, value] of entries) this.stmts.upsertEpoch.run(runId, epoch, split, name, value);
    });
  }

  /**
   * Record final metrics of one scorer on `split` of `dataset` (`label` the model's or a
   * baseline's name). Re-logging a name overwrites it.
   */
  logFinal(runId: string, split: string, dataset: string, metrics: Record<string, number>, scorer: { label?: string; kind?: 'model' | 'baseline'; protocol?: string } = {}): void {
    requireText(split, 'split');
    requireText(dataset, 'dataset');
    const entries = requireMetrics(metrics, `final ${split} metrics`);
    const kind = scorer.kind ?? 'model';
    if (kind !== 'model' && kind !== 'baseline') throw new UsageError(`run registry: kind must be model or baseline, got "${String(kind)}"`);
    this.write(() => {
      this.requireRun(runId);
      for (const [name, value] of entries) this.stmts.upsertFinal.run(runId, split, scorer.protocol ?? '', dataset, scorer.label ?? '', kind, name, value);
    });
  }

  /** Record a run's results: the model and every baseline on every split (see `RunResult`). */
  logResults(
    runId: string,
    results: ReadonlyArray<{
      split: string;
      protocol: string | null;
      dataset: string;
      model: { label: string; metrics: Record<string, number | null> } | null;
      baselines: ReadonlyArray<{ label: string; metrics: Record<string, number | null> }>;
    }>,
  ): void {
    const num = (m: Record<string, number | null>): Record<string, number> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? Number.NaN]));
    for (const r of results) {
      const protocol = r.protocol ?? '';
      if (r.model) this.logFinal(runId, r.split, r.dataset, num(r.model.metrics), { label: r.model.label, kind: 'model', protocol });
      for (const b of r.baselines) this.logFinal(runId, r.split, r.dataset, num(b.metrics), { label: b.label, kind: 'baseline', protocol });
    }
  }

  /** Name a run's dataset once its verb has read it (a run started on a default or shipped data set). */
  setDataset(runId: string, dataset: string): void {
    requireText(dataset, 'dataset');
    this.write(() => {
      this.requireRun(runId);
      this.stmts.setDataset.run(dataset, runId);
    });
  }

  /** Record a file the run produced; `kind` is free text such as `checkpoint` or `report`. */
  addArtifact(runId: string, kind: string, path: string): void {
    requireText(kind, 'kind');
    requireText(path, 'path');
    this.write(() => {
      this.requireRun(runId);
      this.stmts.insertArtifact.run(runId, kind, path);
    });
  }

  /** Mark a run as ended (`completed`, `failed` or `interrupted`), with an optional error message. */
  finish(runId: string, status: RunStatus, error?: string): void {
    if (!FINAL_STATUSES.includes(status)) {
      throw new UsageError(`run registry: final status must be one of ${FINAL_STATUSES.join(', ')}, got "${status}"`);
    }
    this.write(() => {
      this.requireRun(runId);
      this.stmts.finish.run(status, new Date().toISOString(), error ?? null, runId);
    });
  }

  /**
   * Remove a run and everything logged for it (used when a run fails on the user's input before
   * producing anything, so no half-made run is left). The caller removes the folder.
   */
  deleteRun(runId: string): void {
    this.write(() => {
      this.stmts.deleteEpochs.run(runId);
      this.stmts.deleteFinals.run(runId);
      this.stmts.deleteArtifacts.run(runId);
      this.stmts.deleteRun.run(runId);
    });
  }

  /** Mark an ended run as running again (resuming a killed or interrupted run in its own folder). */
  reopen(runId: string): RunRecord {
    this.write(() => {
      this.requireRun(runId);
      this.stmts.reopen.run(runId);
    });
    return this.get(runId)!;
  }

  /** The run with this id, or undefined. */
  get(id: string): RunRecord | undefined {
    const row = this.stmts.getRun.get(id) as RunRow | undefined;
    return row === undefined ? undefined : this.toRecord(row);
  }

  /** Runs, newest first, optionally filtered by system and status and capped at `limit`. */
  list(options: ListOptions = {}): RunRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.system !== undefined) {
      where.push('system = ?');
      params.push(options.system);
    }
    if (options.status !== undefined) {
      where.push('status = ?');
      params.push(options.status);
    }
    let sql = 'SELECT * FROM runs';
    if (where.length > 0) sql += ' WHERE ' + where.join(' AND ');
    sql += ' ORDER BY id DESC';
    if (options.limit !== undefined) {
      if (!Number.isSafeInteger(options.limit) || options.limit < 0) {
        throw new UsageError(`run registry: limit must be a non-negative integer, got ${options.limit}`);
      }
      sql += ' LIMIT ?';
      params.push(options.limit);
    }
    const rows = this.db.prepare(sql).all(...params) as RunRow[];
    return rows.map((r) => this.toRecord(r));
  }

  /** Per-epoch metrics of a run, ordered by epoch, split, name. */
  epochMetrics(runId: string): EpochMetricRow[] {
    const rows = this.stmts.epochRows.all(runId) as (Omit<EpochMetricRow, 'value'> & { value: number | null })[];
    return rows.map((r) => ({ ...r, value: fromDb(r.value) }));
  }

  /** Final metrics of a run, ordered by dataset, split, name. */
  finalMetrics(runId: string): FinalMetricRow[] {
    const rows = this.stmts.finalRows.all(runId) as (Omit<FinalMetricRow, 'value'> & { value: number | null })[];
    return rows.map((r) => ({ ...r, value: fromDb(r.value) }));
  }

  /** Artifacts of a run, ordered by kind, path. */
  artifacts(runId: string): ArtifactRow[] {
    return this.stmts.artifactRows.all(runId) as ArtifactRow[];
  }

  /** Close the database. The handle is unusable afterwards. */
  close(): void {
    this.db.close();
  }

  private toRecord(row: RunRow): RunRecord {
    return {
      id: row.id,
      system: row.system,
      verb: row.verb,
      config: JSON.parse(row.config) as Record<string, unknown>,
      dataset: row.dataset,
      datasetHash: row.dataset_hash,
      seed: row.seed,
      backend: row.backend,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      status: row.status,
      error: row.error,
      dir: runDir(this.home, row.id),
    };
  }
}
