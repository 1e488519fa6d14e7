"""Official-weights fixture for MTAD-GAT, produced by the reference code itself.

Builds ML4ITS/mtad-gat-pytorch's `MTAD_GAT` (unmodified, imported from a checkout given as
argv[1]) in two small configurations, perturbs every parameter (so zero-initialised biases are
exercised), and records, in eval mode:
  * the forward outputs (forecast, reconstruction) on fixed input windows, and
  * `Predictor.get_score` (prediction.py) on a short series: per-feature and global scores,
    with and without `scale_scores`.
Weights are written as safetensors (our own writer below; the reference's parameter names),
the numbers as JSON, under argv[2]. Only numbers are written.

usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/mtadgat/make_official_fixture.py \
         /tmp/mtadgat-official test/fixtures/mtadgat
"""
import contextlib
import io
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, sys.argv[1])
from mtad_gat import MTAD_GAT  # noqa: E402  (reference code)
from prediction import Predictor  # noqa: E402

OUT = sys.argv[2]
torch.set_num_threads(1)


def write_safetensors(path, tensors):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


CONFIGS = [
    dict(name="gatv2_all_targets", seed=0, k=5, n=12, target_dims=None,
         kw=dict(kernel_size=7, use_gatv2=True, feat_gat_embed_dim=None, time_gat_embed_dim=None,
                 gru_n_layers=1, gru_hid_dim=32, forecast_n_layers=3, forecast_hid_dim=32,
                 recon_n_layers=1, recon_hid_dim=32, dropout=0.3, alpha=0.2)),
    dict(name="gat_target0_deep", seed=1, k=4, n=10, target_dims=[0],
         kw=dict(kernel_size=5, use_gatv2=False, feat_gat_embed_dim=6, time_gat_embed_dim=3,
                 gru_n_layers=2, gru_hid_dim=24, forecast_n_layers=2, forecast_hid_dim=20,
                 recon_n_layers=2, recon_hid_dim=16, dropout=0.3, alpha=0.15)),
]

summary = {"source": "ML4ITS/mtad-gat-pytorch@a371941 mtad_gat.py/modules.py/prediction.py, torch " + torch.__version__,
           "cases": []}
for c in CONFIGS:
    torch.manual_seed(c["seed"])
    np.random.seed(c["seed"])
    out_dim = c["k"] if c["target_dims"] is None else len(c["target_dims"])
    model = MTAD_GAT(c["k"], c["n"], out_dim, **c["kw"])
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    model.eval()
    x = torch.rand(3, c["n"], c["k"])
    with torch.no_grad():
        preds, recons = model(x)
    series = np.random.rand(c["n"] + 9, c["k"]).astype(np.float32)
    series[c["n"] + 4] += 1.5  # one spike so the scores are not all alike
    scores = {}
    for scale in (False, True):
        pred_args = {"dataset": "custom", "target_dims": c["target_dims"], "scale_scores": scale, "q": 1e-3,
                     "level": 0.99, "dynamic_pot": False, "use_mov_av": False, "gamma": 0.7, "reg_level": 1,
                     "save_path": "/tmp"}
        pr = Predictor(model, c["n"], c["k"], pred_args)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            df = pr.get_score(torch.from_numpy(series))
        scores["scaled" if scale else "plain"] = {
            "feature": np.stack([df[f"A_Score_{i}"].values for i in range(out_dim)], 1).tolist(),
            "global": df["A_Score_Global"].values.tolist(),
            "forecast": np.stack([df[f"Forecast_{i}"].values for i in range(out_dim)], 1).tolist(),
            "recon": np.stack([df[f"Recon_{i}"].values for i in range(out_dim)], 1).tolist(),
        }
    wfile = f"official_{c['name']}.safetensors"
    write_safetensors(os.path.join(OUT, wfile), model.state_dict())
    cfg = dict(c["kw"])
    summary["cases"].append({
        "name": c["name"], "weights": wfile, "n_features": c["k"], "window_size": c["n"],
        "target_dims": c["target_dims"], "out_dim": out_dim, "config": cfg,
        "n_parameters": int(sum(p.numel() for p in model.parameters())),
        "x": x.numpy().tolist(), "forecast": preds.numpy().tolist(), "recon": recons.numpy().tolist(),
        "series": series.tolist(), "gamma": 0.7, "scores": scores,
    })
    print(c["name"], "params", summary["cases"][-1]["n_parameters"])

with open(os.path.join(OUT, "official.json"), "w") as f:
    json.dump(summary, f)
print("wrote", OUT)
