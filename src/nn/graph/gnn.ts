/**
 * The molecular GNN of Hu et al. 2020 (the pretrain-gnns `GNN` and `GNN_graphpred`), which
 * AdapterGNN fine-tunes (docs/research/graph.md §1a). Parameter names match the
 * official state dicts (`x_embedding1.weight`, `gnns.0.mlp.0.weight`,
 * `gnns.0.edge_embedding1.weight`, `batch_norms.0.running_mean`, …), so the published
 * checkpoints (`model_gin/*.pth`, a `GNN` state dict) load once converted to tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../module.js';
import { Linear } from '../linear.js';
import { Embedding } from '../embedding.js';
import { Dropout } from '../dropout.js';
import { BatchNorm1d } from '../norm.js';
import { xavierUniform } from '../init.js';
import type { Layer } from '../sequential.js';
import { gatherRows } from '../../engine/ops.js';
import type { Rng } from '../../util/random.js';
import type { EdgeIndex } from './edges.js';
import { GINEdgeConv } from './gin.js';
import { isLoRAParameter } from '../peft/lora.js';
import { GlobalAttention, globalPool, type GraphPooling } from './pool.js';
import type { GraphBatch } from './batch.js';

/** Jumping-knowledge readout over [h⁰ (the input embedding), h¹, …, h^L]. */
export type JKMode = 'last' | 'concat' | 'max' | 'sum';

/** Where a side branch of a layer reads from (see `GNN.addBranch`). */
export type BranchSource = 'input' | 'aggregate' | 'output';

export interface GNNOptions {
  /** Default 'last'. */
  JK?: JKMode;
  /** Dropout after every layer (default 0; 0.5 in the official fine-tuning). */
  dropRatio?: number;
  /** Rows of the node-feature tables (default [120, 3]: atom type incl. the mask token, chirality tag). */
  nodeVocab?: number[];
  /** Rows of the edge-feature tables of every layer (default [6, 3]: bond type, bond direction). */
  edgeVocab?: number[];
  /** Edge features of the self-loops (default [4, 0]). */
  selfLoopAttr?: number[];
}

interface Branch {
  source: BranchSource;
  modules: ModuleList<Layer>;
}

/**
 * `GNN(num_layer, emb_dim, JK, drop_ratio, gnn_type='gin')`: node embedding
 * h⁰ = Σ_k x_embedding{k}[x[:, k]] (Xavier-uniform tables), then per layer l
 *   h = BN_l(GIN_l(h^{l−1})),  ReLU except after the last layer,  dropout;
 * output by `JK`: 'last' h^L, 'concat' [h⁰ ‖ … ‖ h^L], 'max' / 'sum' element-wise over h⁰…h^L.
 * (The official 'sum' returns `torch.sum(...)[0]`, the first node's row only — a bug; this is
 * the intended sum.) x int32 [N, K] → [N, D] ([N, (L+1)·D] for 'concat').
 *
 * Side branches (`addBranch`) add s·f(·) terms after each layer's BatchNorm, before the ReLU:
 * the hook AdapterGNN's two parallel adapters need.
 */
export class GNN extends Module {
  readonly JK: JKMode;
  readonly dropRatio: number;
  readonly xEmbeddings: Embedding[] = [];
  readonly gnns: ModuleList<GINEdgeConv>;
  readonly batchNorms: ModuleList<BatchNorm1d>;
  private readonly drop: Dropout | null;
  private readonly branches: Branch[] = [];

  constructor(
    readonly numLayer: number,
    readonly embDim: number,
    rng: Rng,
    opts: GNNOptions = {},
  ) {
    super();
    if (!(Number.isInteger(numLayer) && numLayer >= 2)) throw new Error(`GNN: number of layers must be an integer ≥ 2, got ${numLayer}`);
    this.JK = opts.JK ?? 'last';
    if (!['last', 'concat', 'max', 'sum'].includes(this.JK)) throw new Error(`GNN: unknown JK '${this.JK}' (last, concat, max, sum)`);
    this.dropRatio = opts.dropRatio ?? 0;
    (opts.nodeVocab ?? [120, 3]).forEach((rows, k) => {
      this.xEmbeddings.push(this.module(`x_embedding${k + 1}`, new Embedding(rows, embDim, rng, (r, s) => xavierUniform(r, s))));
    });
    const convOpts = { ...(opts.edgeVocab ? { edgeVocab: opts.edgeVocab } : {}), ...(opts.selfLoopAttr ? { selfLoopAttr: opts.selfLoopAttr } : {}) };
    this.gnns = this.module('gnns', new ModuleList(Array.from({ length: numLayer }, () => new GINEdgeConv(embDim, rng, convOpts))));
    this.batchNorms = this.module('batch_norms', new ModuleList(Array.from({ length: numLayer }, () => new BatchNorm1d(embDim))));
    this.drop = this.dropRatio > 0 ? this.module('dropout', new Dropout(this.dropRatio, rng.fork())) : null;
  }

  /** Width of the output node representation. */
  get outDim(): number {
    return this.JK === 'concat' ? (this.numLayer + 1) * this.embDim : this.embDim;
  }

  /**
   * Add one module per layer, child `name` (`name.0…`, `name.1…`): layer l adds
   * `make(l)`(source) to its BatchNorm output before the ReLU, where source is the layer input
   * h^{l−1} ('input'), the summed messages a^l that feed the GIN-MLP ('aggregate'), or the
   * BatchNorm output itself after the 'input'/'aggregate' branches ('output', a sequential
   * adapter). A branch module returns its own scaled term, e.g.
   * `new Adapter(D, 15, rng, { residual: false, scale: { learnable: 0.01 }, norm: 'batchnorm' })`.
   */
  addBranch(name: string, source: BranchSource, make: (layer: number) => Layer): ModuleList<Layer> {
    const modules = this.registerModule(name, new ModuleList(Array.from({ length: this.numLayer }, (_, l) => make(l))));
    modules.train(this.training); // join the backbone's current mode
    this.branches.push({ source, modules });
    return modules;
  }

  /** Names of the branch children added with `addBranch`. */
  branchNames(): string[] {
    const mine = new Set(this.branches.map((b) => b.modules));
    return this.children()
      .filter(([, c]) => mine.has(c as ModuleList<Layer>))
      .map(([n]) => n);
  }

  /** h⁰ = Σ_k x_embedding{k}[x[:, k]], x int32 [N, K] → [N, D]. */
  embed(x: tf.Tensor2D): tf.Tensor2D {
    const K = this.xEmbeddings.length;
    if (x.rank !== 2 || x.shape[1] !== K || x.dtype !== 'int32') throw new Error(`GNN: node features must be int32 [N, ${K}], got ${x.dtype} [${x.shape}]`);
    return tf.tidy(() => {
      const cols = K === 1 ? [x] : tf.split(x, K, 1);
      let h: tf.Tensor = gatherRows(this.xEmbeddings[0]!.weight, tf.reshape(cols[0]!, [-1]));
      for (let k = 1; k < K; k++) h = tf.add(h, gatherRows(this.xEmbeddings[k]!.weight, tf.reshape(cols[k]!, [-1])));
      return h as tf.Tensor2D;
    });
  }

  /** [h⁰, h¹, …, h^L], each [N, D] (new tensors the caller owns). */
  layerOutputs(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D): tf.Tensor2D[] {
    const hs: tf.Tensor2D[] = [this.embed(x)];
    for (let l = 0; l < this.numLayer; l++) {
      hs.push(
        tf.tidy(() => {
          const hin = hs[l]!;
          const conv = this.gnns.at(l);
          const a = conv.mlpInput(hin, edgeIndex, edgeAttr);
          let h: tf.Tensor = this.batchNorms.at(l).forward(conv.mlp.forward(a));
          for (const b of this.branches) {
            if (b.source === 'input') h = tf.add(h, b.modules.at(l).forward(hin));
            else if (b.source === 'aggregate') h = tf.add(h, b.modules.at(l).forward(a));
          }
          for (const b of this.branches) if (b.source === 'output') h = tf.add(h, b.modules.at(l).forward(h));
          if (l < this.numLayer - 1) h = tf.relu(h);
          if (this.drop) h = this.drop.forward(h);
          return h as tf.Tensor2D;
        }),
      );
    }
    return hs;
  }

  /** Node representations after the JK readout. */
  forward(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const hs = this.layerOutputs(x, edgeIndex, edgeAttr);
      switch (this.JK) {
        case 'last':
          return hs[hs.length - 1]!;
        case 'concat':
          return tf.concat(hs, 1) as tf.Tensor2D;
        case 'max':
          return tf.max(tf.stack(hs), 0) as tf.Tensor2D;
        case 'sum':
          return tf.addN(hs) as tf.Tensor2D;
      }
    });
  }
}

export interface GNNGraphPredOptions extends GNNOptions {
  /** Readout (default 'mean'). Set2Set is not implemented. */
  graphPooling?: GraphPooling;
}

/**
 * `GNN_graphpred(num_layer, emb_dim, num_tasks, JK, drop_ratio, graph_pooling)`: the backbone
 * (child `gnn`), a global readout (for 'attention' the child `pool` = GlobalAttention with
 * `gate_nn` Linear(D', 1)) and `graph_pred_linear` Linear(D', num_tasks), D' = gnn.outDim.
 * Output: one row of task logits per graph.
 */
export class GNNGraphPred extends Module {
  readonly gnn: GNN;
  readonly pool: GlobalAttention | null;
  readonly graphPooling: GraphPooling;
  readonly graphPredLinear: Linear;

  constructor(
    numLayer: number,
    embDim: number,
    readonly numTasks: number,
    rng: Rng,
    opts: GNNGraphPredOptions = {},
  ) {
    super();
    this.graphPooling = opts.graphPooling ?? 'mean';
    if (!['sum', 'add', 'mean', 'max', 'attention'].includes(this.graphPooling)) throw new Error(`GNNGraphPred: unknown graph pooling '${this.graphPooling}' (sum, mean, max, attention)`);
    this.gnn = this.module('gnn', new GNN(numLayer, embDim, rng, opts));
    const d = this.gnn.outDim;
    // Registered before the head, as in the official module's attribute order.
    this.pool = this.graphPooling === 'attention' ? this.module('pool', new GlobalAttention(new Linear(d, 1, rng))) : null;
    this.graphPredLinear = this.module('graph_pred_linear', new Linear(d, numTasks, rng));
  }

  /** Graph representations [numGraphs, D'] before the head. */
  graphEmbedding(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D, batch: tf.Tensor1D, numGraphs: number): tf.Tensor2D {
    return tf.tidy(() => {
      const h = this.gnn.forward(x, edgeIndex, edgeAttr);
      return (this.pool ? this.pool.forward(h, batch, numGraphs) : globalPool(this.graphPooling as Exclude<GraphPooling, 'attention'>, h, batch, numGraphs)) as tf.Tensor2D;
    });
  }

  /** Task logits [numGraphs, numTasks]. */
  forward(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D, batch: tf.Tensor1D, numGraphs: number): tf.Tensor2D {
    return tf.tidy(() => this.graphPredLinear.forward(this.graphEmbedding(x, edgeIndex, edgeAttr, batch, numGraphs)) as tf.Tensor2D);
  }

  /** `forward` on a collated batch (needs its `x` and `edgeAttr`). */
  forwardBatch(b: GraphBatch): tf.Tensor2D {
    if (!b.x || !b.edgeAttr) throw new Error('GNNGraphPred: the batch has no node or edge features');
    return this.forward(b.x, b.edgeIndex, b.edgeAttr, b.batch, b.numGraphs);
  }

  /**
   * Load a pretrained backbone (a pretrain-gnns `GNN` state dict: `x_embedding1.weight`, …)
   * into `gnn`, as the official `from_pretrained`. Every key must match; the only parameters
   * allowed to be missing are those of branches added with `gnn.addBranch` (adapters are not
   * in a pretrained checkpoint) and LoRA factors. Returns the names left at their initial values.
   */
  loadPretrained(dict: Map<string, tf.Tensor> | Record<string, tf.Tensor>): string[] {
    const branchPrefixes = this.gnn.branchNames().map((n) => n + '.');
    const src = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = [...this.gnn.stateDict().keys()];
    const missing = own.filter((k) => !src.has(k));
    const unexpected = [...src.keys()].filter((k) => !own.includes(k));
    // LoRA factors (the `lora_A` / `lora_B` of a LoRALinear in the flat layout) are new too.
    const bad = missing.filter((k) => !branchPrefixes.some((p) => k.startsWith(p)) && !isLoRAParameter(k));
    // Check before copying anything, so a wrong checkpoint leaves the model untouched.
    if (unexpected.length || bad.length) throw new Error(`GNNGraphPred.loadPretrained: missing [${bad.join(', ')}], unexpected [${unexpected.join(', ')}]`);
    this.gnn.loadStateDict(src, { strict: false });
    return missing;
  }
}
