/**
 * GIN convolutions now live in ./graph/gin.ts on the message-passing base; this file keeps the
 * old import path working.
 */
export { GINConv, GINEdgeConv, ginMlp } from './graph/gin.js';
export type { GINConvOptions, GINEdgeConvOptions } from './graph/gin.js';
export { edgeEndpoints } from './graph/edges.js';
export type { EdgeIndex } from './graph/edges.js';
