"""Times the official MTAD-GAT reference (ML4ITS/mtad-gat-pytorch, imported from --official, run unchanged)
on the WSN data: CPU seconds per training epoch (the inner loop of `Trainer.fit`, verbatim), the official
scorer `Predictor.get_score` (2 forward passes per step) over the test series, and a 1-pass forward loop
over the test windows (batch 256). Settings: lookback 50, batch 64, GATv2, hidden 150, 3 forecasting layers,
dropout 0.3, Adam 1e-3, 10 % random validation split (the acceptance setting).

`torch.utils.tensorboard` is stubbed (not in Debian's torch; logging is off).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/torch/mtadgat_torch.py --official DIR --train data/wsn/train.txt --test data/wsn/test.txt
"""
import argparse
import sys
import types

import numpy as np

from _common import setup, cpu, emit, blas_info

p = argparse.ArgumentParser()
p.add_argument('--official', required=True)
p.add_argument('--train', required=True)
p.add_argument('--test', required=True)
p.add_argument('--lookback', type=int, default=50)
p.add_argument('--bs', type=int, default=64)
p.add_argument('--epochs', type=int, default=2)
a = p.parse_args()

torch = setup(a.official)
tb = types.ModuleType('torch.utils.tensorboard')
tb.SummaryWriter = object
sys.modules['torch.utils.tensorboard'] = tb

import torch.nn as nn
from mtad_gat import MTAD_GAT
from prediction import Predictor
from utils import SlidingWindowDataset, create_data_loaders, normalize_data

torch.manual_seed(0)
np.random.seed(0)
x_train, scaler = normalize_data(np.loadtxt(a.train, delimiter=','))
x_test, _ = normalize_data(np.loadtxt(a.test, delimiter=','), scaler=scaler)
x_train = torch.from_numpy(x_train).float()
x_test = torch.from_numpy(x_test).float()
k = x_train.shape[1]
train_dataset = SlidingWindowDataset(x_train, a.lookback, None)
train_loader, val_loader, _ = create_data_loaders(train_dataset, a.bs, 0.1, True)
model = MTAD_GAT(k, a.lookback, k, kernel_size=7, use_gatv2=True, gru_n_layers=1, gru_hid_dim=150,
                 forecast_n_layers=3, forecast_hid_dim=150, recon_n_layers=1, recon_hid_dim=150, dropout=0.3, alpha=0.2)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
forecast_criterion = nn.MSELoss()
recon_criterion = nn.MSELoss()
params = sum(p.numel() for p in model.parameters() if p.requires_grad)

epochs = []
for epoch in range(a.epochs):
    model.train()
    fl, rl = [], []
    c0 = cpu()
    steps = 0
    for x, y in train_loader:  # Trainer.fit's inner loop (target_dims None)
        optimizer.zero_grad()
        preds, recons = model(x)
        if preds.ndim == 3:
            preds = preds.squeeze(1)
        if y.ndim == 3:
            y = y.squeeze(1)
        forecast_loss = torch.sqrt(forecast_criterion(y, preds))
        recon_loss = torch.sqrt(recon_criterion(x, recons))
        loss = forecast_loss + recon_loss
        loss.backward()
        optimizer.step()
        fl.append(forecast_loss.item())
        rl.append(recon_loss.item())
        steps += 1
    t = cpu() - c0
    epochs.append({'cpu_s': t, 'steps': steps, 'loss': float(np.sqrt((np.array(fl) ** 2).mean()) + np.sqrt((np.array(rl) ** 2).mean()))})

pred_args = {'dataset': 'WSN', 'target_dims': None, 'scale_scores': False, 'q': None, 'level': None, 'dynamic_pot': False,
             'use_mov_av': False, 'gamma': 1, 'reg_level': 1, 'save_path': '/tmp'}
predictor = Predictor(model, a.lookback, k, pred_args)
predictor.use_cuda = False
import io, contextlib
c0 = cpu()
with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
    scores = predictor.get_score(x_test)
score_s = cpu() - c0
test_dataset = SlidingWindowDataset(x_test, a.lookback, None)
loader = torch.utils.data.DataLoader(test_dataset, batch_size=256, shuffle=False)
model.eval()
c0 = cpu()
with torch.no_grad():
    for x, y in loader:
        model(x)
forward_s = cpu() - c0
emit({'system': 'mtadgat', 'side': 'torch', 'parameters': params, 'epochs': epochs, 'score_cpu_s': score_s,
      'scored_steps': len(test_dataset), 'forward_cpu_s': forward_s, 'forward_windows': len(test_dataset),
      'threads': torch.get_num_threads(), 'blas': blas_info()})
