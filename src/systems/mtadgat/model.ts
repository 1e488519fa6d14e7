/**
 * The MTAD-GAT model (ML4ITS `mtad_gat.py`): conv → [conv ‖ feature-GAT ‖ temporal-GAT] → GRU →
 * forecasting MLP on the last hidden state, and a reconstruction model on the same state.
 * Input x (b, n, k) (min–max scaled windows); outputs the next-step forecast (b, out) and the
 * window reconstruction (b, n, out), out = number of target features.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../../nn/module.js';
import { Rng } from '../../util/random.js';
import { type ModelConfig, outDim, resolveModelConfig } from './config.js';
import { ConvLayer, FeatureAttentionLayer, ForecastingModel, GRULayer, ReconstructionModel, TemporalAttentionLayer, VaeReconstructionModel } from './layers.js';

/** One forward pass. Tensors belong to the caller. */
export interface MtadGatOutput {
  /** Next-step forecast ŷ (b, out). */
  forecast: tf.Tensor2D;
  /** Reconstructed window x̂ (b, n, out) (the VAE's decoder mean for `recon: 'vae'`). */
  recon: tf.Tensor3D;
  /** VAE only: decoder log-variance (b, n, out) and latent posterior (b, latent). */
  reconLogVar?: tf.Tensor3D;
  zMean?: tf.Tensor2D;
  zLogVar?: tf.Tensor2D;
  /** Feature attention (b, k, k), when asked for. */
  featureAttention?: tf.Tensor3D;
  /** Temporal attention (b, n, n), when asked for. */
  temporalAttention?: tf.Tensor3D;
}

/** MTAD-GAT with the reference's parameter names (`conv.conv.weight`, `feature_gat.lin.weight`, …). */
export class MtadGatNet extends Module {
  readonly config: ModelConfig;
  readonly conv: ConvLayer;
  readonly featureGat: FeatureAttentionLayer;
  readonly temporalGat: TemporalAttentionLayer;
  readonly gru: GRULayer;
  readonly forecastingModel: ForecastingModel;
  readonly reconModel: ReconstructionModel | VaeReconstructionModel;

  /** `config` needs at least nFeatures; the rest defaults to the reference's. `rng` draws the initial weights and dropout masks. */
  constructor(config: Partial<ModelConfig> & { nFeatures: number }, rng: Rng = new Rng(0)) {
    super();
    const c = resolveModelConfig(config);
    this.config = c;
    const k = c.nFeatures;
    const n = c.lookback;
    const out = outDim(c);
    // Creation order = the reference's, so parameter names list in the same order.
    this.conv = this.module('conv', new ConvLayer(k, c.kernelSize, rng));
    this.featureGat = this.module('feature_gat', new FeatureAttentionLayer(k, n, c.dropout, c.alpha, c.featGatEmbedDim, c.useGatv2, rng));
    this.temporalGat = this.module('temporal_gat', new TemporalAttentionLayer(k, n, c.dropout, c.alpha, c.timeGatEmbedDim, c.useGatv2, rng));
    this.gru = this.module('gru', new GRULayer(3 * k, c.gruHidDim, c.gruNLayers, c.dropout, rng));
    this.forecastingModel = this.module('forecasting_model', new ForecastingModel(c.gruHidDim, c.fcHidDim, out, c.fcNLayers, c.dropout, rng));
    this.reconModel =
      c.recon === 'vae'
        ? this.module('recon_model', new VaeReconstructionModel(n, c.gruHidDim, c.reconHidDim, c.vaeLatentDim ?? c.reconHidDim, out, rng))
        : this.module('recon_model', new ReconstructionModel(n, c.gruHidDim, c.reconHidDim, out, c.reconNLayers, c.dropout, c.decoderInput, rng));
  }

  /** x (b, n, k) → forecast and reconstruction; `opts.attention` also returns both attention maps. */
  forward(x: tf.Tensor3D, opts: { attention?: boolean } = {}): MtadGatOutput {
    const c = this.config;
    if (x.rank !== 3 || x.shape[1] !== c.lookback || x.shape[2] !== c.nFeatures) {
      throw new Error(`MTAD-GAT: expected input (b, ${c.lookback}, ${c.nFeatures}), got [${x.shape}]`);
    }
    const keep = opts.attention === true;
    return tf.tidy(() => {
      const xc = this.conv.forward(x);
      const f = this.featureGat.forward(xc, keep);
      const t = this.temporalGat.forward(xc, keep);
      const hCat = tf.concat([xc, f.h, t.h], 2) as tf.Tensor3D; // (b, n, 3k)
      const hEnd = this.gru.forward(hCat);
      const forecast = this.forecastingModel.forward(hEnd);
      const out: MtadGatOutput = { forecast, recon: undefined as unknown as tf.Tensor3D };
      if (this.reconModel instanceof VaeReconstructionModel) {
        const v = this.reconModel.forward(hEnd);
        out.recon = v.mean;
        out.reconLogVar = v.logVar;
        out.zMean = v.zMean;
        out.zLogVar = v.zLogVar;
      } else {
        out.recon = this.reconModel.forward(hEnd);
      }
      if (keep) {
        out.featureAttention = f.attention!;
        out.temporalAttention = t.attention!;
      }
      return out as unknown as tf.TensorContainerObject;
    }) as unknown as MtadGatOutput;
  }
}

/**
 * Parameter count of the GRU-decoder model by the closed forms of docs/research/timeseries.md §2.6 (used to
 * check the built model): conv 7k²+k; feature-GATv2 (2n)²+2n + 2n + k²; temporal-GATv2
 * (2k)²+2k + 2k + n²; GRU 3(H·3k + H² + 2H); forecast …; recon ….
 */
export function expectedParameterCount(c: ModelConfig): number {
  const k = c.nFeatures;
  const n = c.lookback;
  const out = outDim(c);
  const K = c.kernelSize;
  const conv = K * k * k + k;
  const gat = (nodes: number, dim: number, embed: number | null): number => {
    if (c.useGatv2) {
      const e = 2 * (embed ?? dim);
      return e * 2 * dim + e + e + nodes * nodes;
    }
    const e = embed ?? dim;
    return e * dim + e + 2 * e + nodes * nodes;
  };
  const gru = (inp: number, H: number, layers: number): number => {
    let s = 0;
    for (let l = 0; l < layers; l++) s += 3 * H * (l === 0 ? inp : H) + 3 * H * H + 6 * H;
    return s;
  };
  const H = c.gruHidDim;
  let forecast = H * c.fcHidDim + c.fcHidDim;
  forecast += (c.fcNLayers - 1) * (c.fcHidDim * c.fcHidDim + c.fcHidDim);
  forecast += c.fcHidDim * out + out;
  let recon: number;
  if (c.recon === 'gru') recon = gru(H, c.reconHidDim, c.reconNLayers) + c.reconHidDim * out + out;
  else {
    const d = c.reconHidDim;
    const z = c.vaeLatentDim ?? d;
    recon = H * d + d + 2 * (d * z + z) + z * d + d + 2 * (d * n * out + n * out);
  }
  return conv + gat(k, n, c.featGatEmbedDim) + gat(n, k, c.timeGatEmbedDim) + gru(3 * k, H, c.gruNLayers) + forecast + recon;
}
