/** Molecules for graph models: RDKit-read SMILES as Hu et al. graphs, Bemis–Murcko scaffolds and splits, Morgan fingerprints, MoleculeNet-style tables. */
export type { RDKitModule, RDKitMol, RDKitLog } from './rdkit.js';
export { MoleculeError, parseMol } from './mol.js';
export type { MoleculeErrorKind, ParsedMol } from './mol.js';
export { featurise, featuriseParsed, featuriseAll, bondDirections } from './featurise.js';
export type { MolGraph, FeaturiseAllOptions, FeaturisedSet, SkippedMolecule } from './featurise.js';
export { murckoScaffold, murckoFromParsed } from './scaffold.js';
export { scaffoldGroups, scaffoldSplit, randomScaffoldSplit, randomSplit } from './split.js';
export type { MoleculeSplitIndices, SplitFractions } from './split.js';
export { morganFingerprint, onBits } from './fingerprint.js';
export type { MorganOptions } from './fingerprint.js';
export { readMoleculeCsv, readMoleculeSdf, readSdfRecords, readSmilesList } from './table.js';
export type { MoleculeCsvOptions, MoleculeTable, SmilesListOptions } from './table.js';
export { packGraphs, unpackGraphs } from './pack.js';
export type { PackedGraphs } from './pack.js';
export { provideRDKit, hasRDKit, getRDKit } from './provider.js';
