/** Data basics: numeric CSV and label files, chronological splits, missing-value filling, windows, batches, scalers. */
export { readNumericCsv, parseNumericCsv, writeCsv, formatCsv, formatFloat32, splitCells, LineCursor, MISSING_TOKENS } from './csv.js';
export type { Delimiter, NumericCsvOptions, ParseNumericCsvOptions, NumericTable, WriteCsvOptions } from './csv.js';
export { readLabels, parseLabels } from './labels.js';
export type { LabelsOptions } from './labels.js';
export { chronologicalSplit, rangeLength, splitView, SPLIT_NAMES } from './splits.js';
export type { RowRange, ChronologicalSplit, SplitName } from './splits.js';
export { fillForwardBackward, countMissing } from './missing.js';
export type { FillOptions } from './missing.js';
export { batchIndices } from './batches.js';
export type { BatchOptions } from './batches.js';
export { slidingWindowStarts, splitWindowStarts, windowBatches, gatherWindows, WindowDataset } from './windows.js';
export type { WindowStartOptions, SplitWindowOptions, WindowBatch } from './windows.js';
export { Scaler, ZScoreScaler, MinMaxScaler, fitScaler, scalerFromJSON } from './scalers.js';
export type { ScalerKind, ScalerJSON, ZScoreJSON, MinMaxJSON, FitOptions, MinMaxOptions } from './scalers.js';
/** Biological sequences (GenBank, EMBL, FASTA, genetic codes, the BSM recipe). */
export * as bio from './bio/index.js';
/** Text for language models (character tokeniser, KJV reader, LM windows, cloze tasks). */
export * as text from './text/index.js';
/** Molecules (RDKit-read SMILES as Hu et al. graphs, scaffolds and scaffold splits, Morgan fingerprints, MoleculeNet-style tables). */
export * as chem from './chem/index.js';
/** Temporal interaction graphs (JODIE and edge CSVs, temporal neighbour finding, the TGAT split, a synthetic generator). */
export * as temporal from './temporal/index.js';
