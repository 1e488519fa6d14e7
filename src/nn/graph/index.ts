/** Graph layers: message passing, GIN (PyG and Hu et al.), the pretrain-gnns backbone, batching, pooling and TGAT blocks. */
export * from './edges.js';
export * from './scatter.js';
export * from './message_passing.js';
export * from './gin.js';
export * from './batch.js';
export * from './pool.js';
export * from './gnn.js';
export * from './temporal.js';
export * from './temporal_view.js';
export * from './tgat.js';
export * from './graphmixer.js';
export * from './etgnn.js';
