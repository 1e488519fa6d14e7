/**
 * NutePrune text data: character tokeniser, KJV reader, position split, LM windows with the perplexity protocol,
 * and cloze / last-word multiple-choice builders. Browser-safe: nothing here touches the file system.
 */
export * from './char-tokenizer.js';
export * from './kjv.js';
export * from './split.js';
export * from './windows.js';
export * from './cloze.js';
