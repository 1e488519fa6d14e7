/**
 * GraphMixer (Cong et al. 2023) as DyGLib implements it and TGSL's copy uses it
 * (`GraphMixer+TGSL/models/GraphMixer.py`, docs/research/graph.md §2a). Link encoder: the n
 * sampled (most recent) interactions of v before t as tokens [e ‖ cos-free sin(Δt·ω)] (fixed
 * ω = 10^−linspace(0, 9, d); the time code is zeroed for padding; TGSL's copy uses sin where DyGLib
 * uses cos), projected to the edge width, `num_layers` MLP-Mixer blocks, mean over tokens. Node
 * encoder: the mean of the raw features of the `time_gap` most recent neighbours (with DyGLib's
 * softmax-then-mean weighting) plus the node's own. Output Linear([link ‖ node] → D). TGSL's edge
 * weights multiply the tokens and the neighbour features. Link score: DyGLib's MergeLayer
 * D + D → D → 1 (nn.Linear's init).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../module.js';
import { Linear } from '../linear.js';
import { MLPMixer } from '../mixer.js';
import { MergeLayer, TimeEncode } from './temporal.js';
import { blockDeltas, blockRows, type TemporalBackbone, type TemporalGraphView } from './temporal_view.js';
import type { Rng } from '../../util/random.js';

export interface GraphMixerOptions {
  /** Node feature width (default: the edge width). */
  nodeDim?: number;
  /** Time code width (default 100, DyGLib's time_feat_dim). */
  timeDim?: number;
  /** Tokens = interactions per node (default 20; DyGLib's best configuration uses 30, 10 on Reddit). */
  numNeighbors?: number;
  /** MLP-Mixer blocks (default 2). */
  numLayers?: number;
  /** Neighbours averaged by the node encoder (default 2000, DyGLib's time_gap). */
  timeGap?: number;
  tokenDimExpansionFactor?: number;
  channelDimExpansionFactor?: number;
  /** Dropout (default 0.1; DyGLib's best configuration 0.5). */
  dropout?: number;
}

export class GraphMixer extends Module implements TemporalBackbone {
  readonly nodeDim: number;
  readonly timeDim: number;
  readonly numNeighbors: number;
  readonly timeGap: number;
  readonly timeEncoder: TimeEncode;
  readonly projectionLayer: Linear;
  readonly mlpMixers: ModuleList<MLPMixer>;
  readonly outputLayer: Linear;
  readonly linkPredictor: MergeLayer;

  constructor(
    readonly edgeDim: number,
    rng: Rng,
    opts: GraphMixerOptions = {},
  ) {
    super();
    this.nodeDim = opts.nodeDim ?? edgeDim;
    this.timeDim = opts.timeDim ?? 100;
    this.numNeighbors = opts.numNeighbors ?? 20;
    this.timeGap = opts.timeGap ?? 2000;
    const dropout = opts.dropout ?? 0.1;
    this.timeEncoder = this.module('time_encoder', new TimeEncode(this.timeDim, { frequencies: 'tgat', learnable: false, fn: 'sin' }));
    this.projectionLayer = this.module('projection_layer', new Linear(edgeDim + this.timeDim, edgeDim, rng));
    const blocks: MLPMixer[] = [];
    for (let l = 0; l < (opts.numLayers ?? 2); l++) {
      blocks.push(
        new MLPMixer(this.numNeighbors, edgeDim, rng, {
          tokenDimExpansionFactor: opts.tokenDimExpansionFactor ?? 0.5,
          channelDimExpansionFactor: opts.channelDimExpansionFactor ?? 4,
          dropout,
          ...(dropout > 0 ? { dropoutRng: rng.fork() } : {}),
        }),
      );
    }
    this.mlpMixers = this.module('mlp_mixers', new ModuleList(blocks));
    this.outputLayer = this.module('output_layer', new Linear(edgeDim + this.nodeDim, this.nodeDim, rng));
    this.linkPredictor = this.module('link_predictor', new MergeLayer(this.nodeDim, this.nodeDim, this.nodeDim, 1, rng, 'torch'));
  }

  get embedDim(): number {
    return this.nodeDim;
  }

  embed(nodes: Int32Array, times: Float64Array, view: TemporalGraphView): tf.Tensor2D {
    const B = nodes.length;
    const n = this.numNeighbors;
    const blk = view.finder.sample(nodes, times, n, 'recent');
    return tf.tidy(() => {
      const pad = tf.reshape(
        tf.tensor2d(
          Float32Array.from(blk.nodes, (v) => (v === 0 ? 0 : 1)),
          [B, n],
        ),
        [B, n, 1],
      );
      const e = blockRows(view.edgeTable, blk.eids, B, n);
      const tc = tf.mul(this.timeEncoder.forward(blockDeltas(blk, times)), pad);
      let tokens = tf.concat([e, tc], 2);
      if (view.edgeWeight) tokens = tf.mul(tokens, tf.reshape(tf.gather(view.edgeWeight, tf.tensor1d(blk.eids, 'int32')), [B, n, 1]));
      let h = this.projectionLayer.forward(tokens) as tf.Tensor3D;
      for (const m of this.mlpMixers.items) h = m.forward(h);
      const link = tf.mean(h, 1);
      return this.outputLayer.forward(tf.concat([link, this.nodeEncoding(nodes, times, view)], 1)) as tf.Tensor2D;
    });
  }

  /**
   * DyGLib's node encoder: softmax over the valid ones of the `time_gap` most recent neighbours
   * (weight 1/k each), averaged over all `time_gap` slots, plus the node's own feature. With no
   * node features this is exactly zero and is skipped.
   */
  private nodeEncoding(nodes: Int32Array, times: Float64Array, view: TemporalGraphView): tf.Tensor2D {
    const B = nodes.length;
    if (!view.nodeTable) return tf.zeros([B, this.nodeDim]);
    const rows: number[] = [];
    const nbrs: number[] = [];
    const eids: number[] = [];
    const scale: number[] = [];
    for (let i = 0; i < B; i++) {
      const b = view.finder.before(nodes[i]!, times[i]!);
      const k = Math.min(b.nodes.length, this.timeGap);
      for (let j = b.nodes.length - k; j < b.nodes.length; j++) {
        if (b.nodes[j] === 0) continue;
        rows.push(i);
        nbrs.push(b.nodes[j]!);
        eids.push(b.eids[j]!);
        scale.push(1 / (k * this.timeGap));
      }
    }
    return tf.tidy(() => {
      const own = tf.gather(view.nodeTable!, tf.tensor1d(nodes, 'int32')) as tf.Tensor2D;
      if (rows.length === 0) return own;
      let w = tf.tensor1d(scale);
      if (view.edgeWeight) w = tf.mul(w, tf.gather(view.edgeWeight, tf.tensor1d(eids, 'int32')));
      const x = tf.mul(tf.gather(view.nodeTable!, tf.tensor1d(nbrs, 'int32')), tf.reshape(w, [-1, 1]));
      return tf.add(own, tf.unsortedSegmentSum(x, tf.tensor1d(rows, 'int32'), B)) as tf.Tensor2D;
    });
  }

  linkLogits(src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.linkPredictor.forward(src, dst), [-1]) as tf.Tensor1D);
  }
}
