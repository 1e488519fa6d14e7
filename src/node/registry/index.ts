/** Run registry: SQLite record of runs, their metrics and artifacts, plus dataset hashing. */
export {
  RunRegistry,
  resolveHome,
  runDir,
  newRunId,
  DB_FILE,
  FINAL_STATUSES,
  type RunStatus,
  type NewRun,
  type RunRecord,
  type EpochMetricRow,
  type FinalMetricRow,
  type ArtifactRow,
  type ListOptions,
} from './registry.js';
export { hashFile, hashBuffer } from './hash.js';
export { writeLock, readLock, removeLock, lockIsLive, assertNotLive, assertWritableHome, isStale, LOCK_FILE, type RunLock } from './lock.js';
export { formatRunsTable, formatRunsJson, formatDuration } from './format.js';
