#!/usr/bin/env python3
"""Fixture for Sheaf's CG-KGR: a numpy re-computation of the official TensorFlow 1 graph.

The official code (yankai-chen/CG-KGR, src/model.py and src/aggregators.py) needs TF 1.14, which
Debian does not ship. This script is our own numpy transcription of the graph, op by op, kept
deliberately literal so that it is independent of the TypeScript implementation:

- relation matrices are gathered per sampled edge ([B, n, S, d, d], as TF's embedding_lookup
  of W_R does), multiplied by the signal and the head vector and summed over the last axis;
- heads are formed with split(.., H, axis=-1) + concat(axis=0) and undone with
  split(axis=0) + concat(axis=-1), exactly as the TF graph does;
- softmax over the neighbour axis, tanh/relu placement, the squeeze of the item-side output,
  the L2 terms (W_UI, b_UI excluded) and the sigmoid BCE are those of the official graph.

Weights and inputs are random (seeded); the outputs (logits, u', i', BCE, L2, total loss) are
written with the inputs to test/fixtures/cgkgr/official_forward.json.

Run: /usr/bin/python3 scripts/cgkgr/official_forward.py [out.json]
"""
import json
import sys

import numpy as np

N_USER, N_ITEM, N_ENTITY, N_REL = 6, 5, 11, 3
D, S, B = 8, 3, 7
L2_WEIGHT = 0.01

CONFIGS = [
    dict(name="concat_max_1layer", agg="concat", repr="max", a=0.5, n_layer=1, n_head=2),
    dict(name="sum_mean_2layer", agg="sum", repr="mean", a=0.5, n_layer=2, n_head=4),
    dict(name="ngh_combine_2layer", agg="ngh", repr="combine", a=0.8, n_layer=2, n_head=2),
    dict(name="concat_sum_2layer", agg="concat", repr="sum", a=0.5, n_layer=2, n_head=1),
    dict(name="sum_combine_1layer", agg="sum", repr="combine", a=0.3, n_layer=1, n_head=4),
    dict(name="ngh_max_1layer", agg="ngh", repr="max", a=0.5, n_layer=1, n_head=8),
]


def split_heads(x, h):
    # tf.concat(tf.split(x, h, axis=-1), axis=0)
    return np.concatenate(np.split(x, h, axis=-1), axis=0)


def merge_heads(x, h):
    # tf.concat(tf.split(x, h, axis=0), axis=-1)
    return np.concatenate(np.split(x, h, axis=0), axis=-1)


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def relu(x):
    return np.maximum(x, 0.0)


def user_aggregator(cfg, p, self_emb, item_ngh, W):
    H = cfg["n_head"]
    se = self_emb.reshape(B, 1, D)
    Wr = W.reshape(1, D, D)
    Wu = (Wr * se).sum(-1).reshape(B, 1, D)
    Wu = split_heads(Wu, H)
    ngh = split_heads(item_ngh, H)
    att = (Wu * ngh).sum(-1) / np.sqrt(D / H)
    att = softmax(att, 1)[..., None]
    ego = merge_heads((att * ngh).sum(1), H)
    if cfg["agg"] == "sum":
        out = self_emb + ego
    elif cfg["agg"] == "concat":
        out = np.concatenate([self_emb, ego], -1)
    else:
        out = ego
    out = out @ p["useraggregator_0.weights"] + p["useraggregator_0.bias"]
    return np.tanh(out)


def representative(cfg, u, i):
    if cfg["repr"] == "sum":
        return u + i
    if cfg["repr"] == "mean":
        return (u + i) / 2
    if cfg["repr"] == "max":
        return np.where(u > i, u, i)
    return cfg["a"] * u + (1.0 - cfg["a"]) * i


def entity_aggregator(cfg, p, l, act, self_emb, ngh_user, ngh_entity, user_emb, item_emb, W_r, W_ui, is_item_layer):
    H = cfg["n_head"]
    pre = "entityaggregator.%d." % l
    # _compute_user_ego_embedding
    ie = item_emb.reshape(B, 1, D)
    Wi = (W_ui.reshape(1, D, D) * ie).sum(-1).reshape(B, 1, D)
    Wi = split_heads(Wi, H)
    nu = split_heads(ngh_user, H)
    att = softmax((Wi * nu).sum(-1) / np.sqrt(D / H), 1)[..., None]
    user_ego = merge_heads((att * nu).sum(1), H)[:, None, :]  # [B, 1, D]
    if cfg["agg"] == "sum":
        o = (ie + user_ego).reshape(-1, D) @ p[pre + "weights_UI"] + p[pre + "bias_UI"]
    elif cfg["agg"] == "concat":
        o = np.concatenate([ie, user_ego], -1).reshape(-1, 2 * D) @ p[pre + "weights_UI"] + p[pre + "bias_UI"]
    else:
        o = user_ego.reshape(-1, D) @ p[pre + "weights_UI"] + p[pre + "bias_UI"]
    item_ui = np.squeeze(act(o.reshape(B, -1, D)))  # [B, D]
    # _compute_entity_ego_embedding
    signal = representative(cfg, user_emb, item_ui).reshape(B, 1, 1, 1, D)
    W_rui = W_r * signal
    se = self_emb.reshape(B, -1, 1, 1, D)
    key = (W_rui * se).sum(-1)  # [B, n, S, D]
    key = split_heads(key, H)
    ne = split_heads(ngh_entity, H)
    att = softmax((key * ne).sum(-1) / np.sqrt(D / H), -1)[..., None]
    ego = merge_heads((att * ne).sum(2), H)  # [B, n, D]
    if not is_item_layer:
        if cfg["agg"] == "sum":
            out = (self_emb + ego).reshape(-1, D) @ p[pre + "weights"] + p[pre + "bias"]
        elif cfg["agg"] == "concat":
            out = np.concatenate([self_emb, ego], -1).reshape(-1, 2 * D) @ p[pre + "weights_1"] + p[pre + "bias_1"]
        else:
            out = ego.reshape(-1, D) @ p[pre + "weights"] + p[pre + "bias"]
    else:
        if cfg["agg"] == "sum":
            out = (self_emb + user_ego + ego).reshape(-1, D) @ p[pre + "weights"] + p[pre + "bias"]
        elif cfg["agg"] == "concat":
            out = np.concatenate([self_emb, user_ego, ego], -1).reshape(-1, 3 * D) @ p[pre + "weights_2"] + p[pre + "bias_2"]
        else:
            out = (ego + user_ego).reshape(-1, D) @ p[pre + "weights"] + p[pre + "bias"]
    return act(out.reshape(B, -1, D))


def forward(cfg, p, inp):
    users, items = inp["users"], inp["items"]
    adj_u2i, adj_i2u, adj_e2e, adj_rel = inp["adj_u2i"], inp["adj_i2u"], inp["adj_e2e"], inp["adj_rel"]
    U, E, WR = p["user_emb_matrix"], p["entity_emb_matrix"], p["transform_weight"]
    L = cfg["n_layer"]
    # aggregate_for_users
    item_ngh_index = adj_u2i[users].reshape(B, -1)
    user_embedding = U[users]
    W_ui = WR[N_REL]
    new_user = user_aggregator(cfg, p, user_embedding, E[item_ngh_index], W_ui)
    # aggregate_for_items
    ngh_user_index = adj_i2u[items].reshape(B, -1)
    item_embeddings = E[items]
    ngh_user_embeddings = U[ngh_user_index]
    entities = [items[:, None]]
    relations = []
    for i in range(L):
        entities.append(adj_e2e[entities[i]].reshape(B, -1))
        relations.append(adj_rel[entities[i]].reshape(B, -1))
    vecs = [E[e] for e in entities]
    for i in range(L):
        is_item_layer = i == L - 1
        act = np.tanh if is_item_layer else relu
        nxt = []
        for hop in range(L - i):
            tmp_index = relations[hop].reshape(B, -1, S)
            W_r = WR[tmp_index]  # [B, n, S, D, D]
            nxt.append(entity_aggregator(cfg, p, i, act, vecs[hop], ngh_user_embeddings,
                                         vecs[hop + 1].reshape(B, -1, S, D), new_user, item_embeddings,
                                         W_r, W_ui, is_item_layer))
        vecs = nxt
    new_item = vecs[0].reshape(B, D)
    logits = (new_user * new_item).sum(-1)
    return new_user, new_item, logits


def losses(cfg, p, logits, labels):
    x, z = logits, labels
    bce = np.mean(np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))))
    l2 = lambda t: (t ** 2).sum() / 2
    names = ["user_emb_matrix", "entity_emb_matrix", "transform_weight", "useraggregator_0.weights", "useraggregator_0.bias"]
    for l in range(cfg["n_layer"]):
        pre = "entityaggregator.%d." % l
        if cfg["agg"] == "concat":
            names += [pre + "weights_1", pre + "bias_1", pre + "weights_2", pre + "bias_2"]
        else:
            names += [pre + "weights", pre + "bias"]
    reg = sum(l2(p[n]) for n in names)
    return bce, reg, bce + L2_WEIGHT * reg


def shapes(cfg):
    s = {
        "user_emb_matrix": [N_USER, D],
        "entity_emb_matrix": [N_ENTITY, D],
        "transform_weight": [N_REL + 1, D, D],
        "useraggregator_0.weights": [2 * D if cfg["agg"] == "concat" else D, D],
        "useraggregator_0.bias": [D],
    }
    for l in range(cfg["n_layer"]):
        pre = "entityaggregator.%d." % l
        if cfg["agg"] == "concat":
            s.update({pre + "weights_1": [2 * D, D], pre + "bias_1": [D], pre + "weights_2": [3 * D, D],
                      pre + "bias_2": [D], pre + "weights_UI": [2 * D, D], pre + "bias_UI": [D]})
        else:
            s.update({pre + "weights": [D, D], pre + "bias": [D], pre + "weights_UI": [D, D], pre + "bias_UI": [D]})
    return s


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/cgkgr/official_forward.json"
    rng = np.random.RandomState(2021)
    inp = {
        "users": rng.randint(0, N_USER, size=B),
        "items": rng.randint(0, N_ITEM, size=B),
        "labels": rng.randint(0, 2, size=B).astype(np.float64),
        "adj_u2i": rng.randint(0, N_ITEM, size=(N_USER, S)),
        "adj_i2u": rng.randint(0, N_USER, size=(N_ITEM, S)),
        "adj_e2e": rng.randint(0, N_ENTITY, size=(N_ENTITY, S)),
        "adj_rel": rng.randint(0, N_REL, size=(N_ENTITY, S)),
    }
    cases = []
    for cfg in CONFIGS:
        # float32 weights (what the TS model stores); computation in float64.
        p = {n: rng.uniform(-0.6, 0.6, size=s).astype(np.float32).astype(np.float64) for n, s in shapes(cfg).items()}
        new_user, new_item, logits = forward(cfg, p, inp)
        bce, reg, total = losses(cfg, p, logits, inp["labels"])
        cases.append({
            "config": cfg,
            "params": {n: {"shape": list(v.shape), "data": v.reshape(-1).tolist()} for n, v in p.items()},
            "user_repr": new_user.reshape(-1).tolist(),
            "item_repr": new_item.reshape(-1).tolist(),
            "logits": logits.tolist(),
            "bce": float(bce),
            "l2": float(reg),
            "loss": float(total),
        })
    doc = {
        "about": "numpy re-computation of the official CG-KGR TF graph (scripts/cgkgr/official_forward.py)",
        "sizes": {"n_user": N_USER, "n_item": N_ITEM, "n_entity": N_ENTITY, "n_relation": N_REL, "dim": D,
                  "sample_size": S, "batch": B, "l2_weight": L2_WEIGHT},
        "inputs": {k: (v.reshape(-1).tolist()) for k, v in inp.items()},
        "cases": cases,
    }
    with open(out_path, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print("wrote", out_path, len(cases), "cases")


if __name__ == "__main__":
    main()
