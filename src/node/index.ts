/**
 * `sheaf/node`: the Node-only parts — the `sheaf` command line, the run registry, files as a
 * `Storage`, and the engine's Node start-up (gradient bundle, threaded WASM).
 */
import './setup.js';
export { initNodeEngine, GRADIENT_BUNDLE } from './setup.js';
export { NodeStorage, nodeStorage, localPath, PACKAGE_ROOT, SHIPPED_DATA_DIR } from './storage.js';
export { saveSafetensorsFile, loadSafetensorsFile } from './safetensors.js';
export { loadRDKit, rdkitWasmPath } from './chem.js';
export { writeFileAtomic, writeJsonAtomic } from './fs.js';
export { main, globalOptions, type CliIO } from './cli/main.js';
export {
  RunRegistry,
  resolveHome,
  runDir,
  newRunId,
  hashFile,
  hashBuffer,
  formatRunsTable,
  formatRunsJson,
  type RunRecord,
  type RunStatus,
  type FinalMetricRow,
  type EpochMetricRow,
} from './registry/index.js';
