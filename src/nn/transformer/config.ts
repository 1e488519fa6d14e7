/**
 * The configuration of a LLaMA-style decoder, with Hugging Face `LlamaConfig`'s meaning for
 * every field, and the closed-form parameter count (docs/research/sequence.md §1(a), §2(a)).
 */

export interface LlamaConfig {
  vocabSize: number;
  /** Model width d. */
  hiddenSize: number;
  /** SwiGLU width F. */
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** Key/value heads (grouped-query attention); default `numAttentionHeads`. */
  numKeyValueHeads?: number;
  /** Per-head width; default hiddenSize / numAttentionHeads. */
  headDim?: number;
  /** RMSNorm ε (default 1e-6). */
  rmsNormEps?: number;
  /** Rotary base θ (default 10000; BSM uses 1e5). */
  ropeTheta?: number;
  /** Share `lm_head` with `model.embed_tokens` (default false). */
  tieWordEmbeddings?: boolean;
  /** Biases on q/k/v/o (default false). */
  attentionBias?: boolean;
  /** Biases on gate/up/down (default false). */
  mlpBias?: boolean;
  /** Std of the N(0, σ) weight init (default 0.02). */
  initializerRange?: number;
  /**
   * RMSNorm divides Σx² by this width instead of the current one. NutePrune's LLaMA divides by
   * the original model width so pruned hidden channels do not change the normalisation
   * (docs/research/sequence.md §2(f)). Default: hiddenSize.
   */
  rmsNormWidth?: number;
  /**
   * Where the per-layer FFN channel mask goes: 'gate_and_up' (default; NutePrune's
   * `down(silu(z⊙gate(x)) ⊙ (z⊙up(x)))`, docs/research/sequence.md §2(a)) or 'product' (CoFi-style
   * `down(z ⊙ silu(gate(x)) ⊙ up(x))`).
   */
  intermediateMaskAt?: 'gate_and_up' | 'product';
}

/** A config with every optional field filled in. */
export type ResolvedLlamaConfig = Required<LlamaConfig>;

export function resolveLlamaConfig(c: LlamaConfig): ResolvedLlamaConfig {
  const headDim = c.headDim ?? c.hiddenSize / c.numAttentionHeads;
  const r: ResolvedLlamaConfig = {
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    intermediateSize: c.intermediateSize,
    numHiddenLayers: c.numHiddenLayers,
    numAttentionHeads: c.numAttentionHeads,
    numKeyValueHeads: c.numKeyValueHeads ?? c.numAttentionHeads,
    headDim,
    rmsNormEps: c.rmsNormEps ?? 1e-6,
    ropeTheta: c.ropeTheta ?? 10000,
    tieWordEmbeddings: c.tieWordEmbeddings ?? false,
    attentionBias: c.attentionBias ?? false,
    mlpBias: c.mlpBias ?? false,
    initializerRange: c.initializerRange ?? 0.02,
    rmsNormWidth: c.rmsNormWidth ?? c.hiddenSize,
    intermediateMaskAt: c.intermediateMaskAt ?? 'gate_and_up',
  };
  const ints: Array<keyof ResolvedLlamaConfig> = ['vocabSize', 'hiddenSize', 'intermediateSize', 'numHiddenLayers', 'numAttentionHeads', 'numKeyValueHeads', 'headDim'];
  for (const k of ints) {
    const v = r[k] as number;
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`LlamaConfig: ${k} must be a positive integer, got ${v}`);
  }
  if (r.numAttentionHeads % r.numKeyValueHeads !== 0) throw new Error(`LlamaConfig: numKeyValueHeads ${r.numKeyValueHeads} must divide numAttentionHeads ${r.numAttentionHeads}`);
  if (r.headDim % 2 !== 0) throw new Error(`LlamaConfig: head width ${r.headDim} must be even for rotary embeddings`);
  if (!['gate_and_up', 'product'].includes(r.intermediateMaskAt)) throw new Error(`LlamaConfig: intermediateMaskAt must be 'gate_and_up' or 'product'`);
  return r;
}

/**
 * A config from a Hugging Face `config.json` object (snake_case keys: `vocab_size`,
 * `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`,
 * `num_key_value_heads`, `head_dim`, `rms_norm_eps`, `rope_theta`, `tie_word_embeddings`,
 * `attention_bias`, `mlp_bias`, `initializer_range`). Rope scaling is not supported.
 */
export function llamaConfigFromHF(json: Record<string, unknown>): LlamaConfig {
  const num = (k: string): number | undefined => {
    const v = json[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw new Error(`config.json: ${k} must be a number`);
    return v;
  };
  const req = (k: string): number => {
    const v = num(k);
    if (v === undefined) throw new Error(`config.json: ${k} is missing`);
    return v;
  };
  if (json['rope_scaling']) throw new Error('config.json: rope_scaling is not supported');
  const act = json['hidden_act'];
  if (act !== undefined && act !== 'silu') throw new Error(`config.json: hidden_act '${String(act)}' is not supported (silu only)`);
  const c: LlamaConfig = {
    vocabSize: req('vocab_size'),
    hiddenSize: req('hidden_size'),
    intermediateSize: req('intermediate_size'),
    numHiddenLayers: req('num_hidden_layers'),
    numAttentionHeads: req('num_attention_heads'),
  };
  const opt: Array<[keyof LlamaConfig, string]> = [
    ['numKeyValueHeads', 'num_key_value_heads'],
    ['headDim', 'head_dim'],
    ['rmsNormEps', 'rms_norm_eps'],
    ['ropeTheta', 'rope_theta'],
    ['initializerRange', 'initializer_range'],
  ];
  for (const [ours, theirs] of opt) {
    const v = num(theirs);
    if (v !== undefined) (c as unknown as Record<string, number>)[ours] = v;
  }
  for (const [ours, theirs] of [
    ['tieWordEmbeddings', 'tie_word_embeddings'],
    ['attentionBias', 'attention_bias'],
    ['mlpBias', 'mlp_bias'],
  ] as const) {
    const v = json[theirs];
    if (typeof v === 'boolean') c[ours] = v;
  }
  return c;
}

/** Parameter counts of a LLaMA-style model, by part. */
export interface LlamaParameterCount {
  embedding: number;
  /** q, k, v, o of one layer. */
  attentionPerLayer: number;
  /** gate, up, down of one layer. */
  mlpPerLayer: number;
  /** The two RMSNorm weights of one layer. */
  normsPerLayer: number;
  perLayer: number;
  finalNorm: number;
  /** 0 when tied to the embedding. */
  lmHead: number;
  total: number;
  /** What NutePrune prunes: L·(attention + MLP) weight matrices (docs/research/sequence.md §2(a): L·(4d² + 3dF) without GQA). */
  prunable: number;
}

/** The exact parameter count of `LlamaForCausalLM` with this config (what `numParameters()` returns). */
export function llamaParameterCount(config: LlamaConfig): LlamaParameterCount {
  const c = resolveLlamaConfig(config);
  const d = c.hiddenSize;
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const ab = c.attentionBias ? 1 : 0;
  const mb = c.mlpBias ? 1 : 0;
  const attentionPerLayer = d * q + q * ab + 2 * (d * kv + kv * ab) + q * d + d * ab;
  const F = c.intermediateSize;
  const mlpPerLayer = 2 * (d * F + F * mb) + F * d + d * mb;
  const normsPerLayer = 2 * d;
  const perLayer = attentionPerLayer + mlpPerLayer + normsPerLayer;
  const embedding = c.vocabSize * d;
  const lmHead = c.tieWordEmbeddings ? 0 : c.vocabSize * d;
  const total = embedding + c.numHiddenLayers * perLayer + d + lmHead;
  const weightsOnly = d * q + 2 * d * kv + q * d + 3 * d * F;
  return { embedding, attentionPerLayer, mlpPerLayer, normsPerLayer, perLayer, finalNorm: d, lmHead, total, prunable: c.numHiddenLayers * weightsOnly };
}
