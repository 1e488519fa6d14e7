/**
 * Pre-trained backbones: the checkpoints `sheaf adaptergnn pretrain` writes, the ones Sheaf
 * ships, and pretrain-gnns state dicts (`masking.pth`, `contextpred.pth`, … converted to
 * safetensors with their parameter names) — all under the official names (`x_embedding1.weight`,
 * `gnns.0.mlp.0.weight`, `batch_norms.0.running_var`, …).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkpointTensors, isCheckpoint, loadCheckpoint, resolveCheckpoint } from '../../train/checkpoint.js';
import { loadSafetensors } from '../../io/safetensors.js';
import type { Storage } from '../../io/storage.js';
import { InputError, UsageError } from '../../util/errors.js';
import { SHIPPED_BACKBONES, type AdapterGNNConfig } from './config.js';

/** What `config.json` of a backbone checkpoint holds as its configuration. */
export interface BackboneConfig {
  kind: 'adaptergnn-backbone';
  strategy: string;
  numLayer: number;
  embDim: number;
  JK: string;
  dropRatio: number;
  epochs: number;
  batchSize: number;
  lr: number;
  maskRate: number;
  data: string;
  molecules: number;
}

export interface BackboneInfo {
  /** Where it came from. */
  source: string;
  /** e.g. "masking, 1 epoch on 20 000 molecules". */
  note: string;
  /** The GNN state dict (owned by the caller). */
  tensors: Map<string, tf.Tensor>;
}

/** The shipped backbone for a size, or null. */
export function shippedBackbone(numLayer: number, embDim: number): string | null {
  return SHIPPED_BACKBONES[`${numLayer}x${embDim}`] ?? null;
}

/**
 * The backbone `spec` names ('auto', 'none', a checkpoint folder or a safetensors file), checked
 * against the configured size; null for 'none'.
 */
export async function loadBackbone(storage: Storage, spec: string, cfg: Pick<AdapterGNNConfig, 'numLayer' | 'embDim'>): Promise<BackboneInfo | null> {
  if (spec === 'none') return null;
  let path = spec;
  if (spec === 'auto') {
    const shipped = shippedBackbone(cfg.numLayer, cfg.embDim);
    if (!shipped) {
      const sizes = Object.keys(SHIPPED_BACKBONES).join(', ');
      throw new UsageError(
        `no backbone ships for ${cfg.numLayer} layers × ${cfg.embDim} (shipped: ${sizes}); pre-train one with \`sheaf adaptergnn pretrain --num-layer ${cfg.numLayer} --emb-dim ${cfg.embDim}\` and pass --pretrained <its checkpoint>, pass a converted pretrain-gnns state dict, or use --pretrained none (or --mode scratch)`,
      );
    }
    path = shipped;
  }
  const stat = await storage.stat(path);
  if (!stat) throw new InputError('backbone not found (--pretrained)', { file: path });
  if (stat.kind === 'dir' || (await isCheckpoint(storage, path))) {
    const ck = await loadCheckpoint(storage, await resolveCheckpoint(storage, path));
    const c = ck.config as Partial<BackboneConfig> | null;
    if (c?.kind !== 'adaptergnn-backbone') throw new InputError('not a backbone checkpoint of `sheaf adaptergnn pretrain` (a fine-tuned model is loaded with --checkpoint)', { file: path });
    if (c.numLayer !== cfg.numLayer || c.embDim !== cfg.embDim) {
      throw new UsageError(
        `the backbone in ${path} has ${c.numLayer} layers × ${c.embDim}; the configuration asks for ${cfg.numLayer} × ${cfg.embDim} (set --num-layer ${c.numLayer} --emb-dim ${c.embDim})`,
      );
    }
    const note = `${c.strategy}, ${c.epochs} epoch${c.epochs === 1 ? '' : 's'} on ${c.molecules} molecules`;
    return { source: spec === 'auto' ? `shipped ${path.replace(/^shipped:/, '')}` : path, note, tensors: checkpointTensors(ck) };
  }
  const tensors = await loadSafetensors(storage, path);
  const emb = tensors.get('x_embedding1.weight');
  const layers = new Set([...tensors.keys()].map((k) => /^gnns\.(\d+)\./.exec(k)?.[1]).filter((x): x is string => x !== undefined)).size;
  if (!emb || emb.shape[1] !== cfg.embDim || layers !== cfg.numLayer) {
    tensors.forEach((t) => t.dispose());
    throw new InputError(
      `expected a pretrain-gnns GNN state dict of ${cfg.numLayer} layers × ${cfg.embDim} (x_embedding1.weight [120, ${cfg.embDim}], gnns.0…${cfg.numLayer - 1}.*); found ${layers} layers${emb ? ` × ${emb.shape[1]}` : ' and no x_embedding1.weight'}`,
      { file: path },
    );
  }
  return { source: path, note: 'pretrain-gnns state dict', tensors };
}
