/** Temporal interaction graphs: readers, neighbour finding, the TGAT split, a synthetic generator. */
export * from './graph.js';
export * from './read.js';
export * from './neighbors.js';
export * from './split.js';
export * from './synthetic.js';
