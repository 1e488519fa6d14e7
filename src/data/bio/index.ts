/**
 * BSM data layer: sequence file readers (GenBank, EMBL, FASTA), NCBI genetic codes and translation, feature
 * extraction and the pair check, the single-character tokeniser, and the seeded data recipe (samples, windows,
 * packing, three-round schedule, corrupted pairs). Browser-safe: nothing here touches the file system.
 */
export * from './alphabet.js';
export * from './genetic-code.js';
export * from './location.js';
export * from './record.js';
export * from './genbank.js';
export * from './embl.js';
export * from './fasta.js';
export * from './features.js';
export * from './genes.js';
export * from './tokenizer.js';
export * from './samples.js';
export * from './packing.js';
export * from './schedule.js';
export * from './corrupt.js';
export * from './shipped.js';
