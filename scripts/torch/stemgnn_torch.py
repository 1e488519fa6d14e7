"""Times the official StemGNN code (microsoft/StemGNN, imported from --official, run unchanged) on a CSV:
CPU seconds per training epoch (the official `handler.train` inner loop; validation and saving excluded)
and per inference window (the official `handler.inference` over the test split, batch 32, eval mode).

Shims for current torch/numpy (see scripts/torch/README.md): torch.rfft/irfft (removed in
torch 1.8) are replaced by their exact equivalents, and np.float is aliased to float64.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/torch/stemgnn_torch.py --official DIR --data data/chicago-ridership/ridership.csv
"""
import argparse

import numpy as np

from _common import setup, cpu, emit, blas_info

p = argparse.ArgumentParser()
p.add_argument('--official', required=True)
p.add_argument('--data', required=True)
p.add_argument('--multi_layer', type=int, default=5)
p.add_argument('--lr', type=float, default=1e-4)
p.add_argument('--epochs', type=int, default=2)
p.add_argument('--window_size', type=int, default=12)
p.add_argument('--horizon', type=int, default=3)
p.add_argument('--batch_size', type=int, default=32)
a = p.parse_args()

torch = setup(a.official)
np.float = np.float64  # removed in numpy 1.24; the official inference uses it
if not hasattr(torch, 'rfft'):
    torch.rfft = lambda x, signal_ndim, onesided=False: torch.view_as_real(torch.fft.fft(x, dim=-1))
    torch.irfft = lambda z, signal_ndim, onesided=False: torch.fft.irfft(torch.view_as_complex(z.contiguous()), n=z.shape[-2], dim=-1)

import pandas as pd
import torch.nn as nn
import torch.utils.data as torch_data
from data_loader.forecast_dataloader import ForecastDataset
from models.base_model import Model
from models.handler import inference

torch.manual_seed(0)  # as main.py
data = pd.read_csv(a.data).values  # as main.py (header row taken as column names)
n = len(data)
train = data[:int(0.7 * n)]
valid_end = int((0.7 + 0.2) * n)
test = data[valid_end:]
node_cnt = train.shape[1]
model = Model(node_cnt, 2, a.window_size, a.multi_layer, horizon=a.horizon)
stat = {"mean": np.mean(train, axis=0).tolist(), "std": np.std(train, axis=0).tolist()}
optim = torch.optim.RMSprop(params=model.parameters(), lr=a.lr, eps=1e-08)
train_set = ForecastDataset(train, window_size=a.window_size, horizon=a.horizon, normalize_method='z_score', norm_statistic=stat)
test_set = ForecastDataset(test, window_size=a.window_size, horizon=a.horizon, normalize_method='z_score', norm_statistic=stat)
train_loader = torch_data.DataLoader(train_set, batch_size=a.batch_size, drop_last=False, shuffle=True, num_workers=0)
test_loader = torch_data.DataLoader(test_set, batch_size=a.batch_size, shuffle=False, num_workers=0)
loss_fn = nn.MSELoss(reduction='mean')
params = sum(p.numel() for p in model.parameters() if p.requires_grad)

epochs = []
for epoch in range(a.epochs):
    model.train()
    loss_total, cnt = 0.0, 0
    c0 = cpu()
    for i, (inputs, target) in enumerate(train_loader):  # handler.train's inner loop
        model.zero_grad()
        forecast, _ = model(inputs)
        loss = loss_fn(forecast, target)
        cnt += 1
        loss.backward()
        optim.step()
        loss_total += float(loss)
    epochs.append({'cpu_s': cpu() - c0, 'steps': cnt, 'loss': loss_total / cnt})

c0 = cpu()
forecast, target = inference(model, test_loader, 'cpu', node_cnt, a.window_size, a.horizon)
infer = cpu() - c0
emit({'system': 'stemgnn', 'side': 'torch', 'multi_layer': a.multi_layer, 'parameters': params, 'epochs': epochs,
      'infer_cpu_s': infer, 'infer_windows': int(forecast.shape[0]), 'threads': torch.get_num_threads(), 'blas': blas_info()})
