#!/usr/bin/python3
"""Reference values for src/train, written to test/fixtures/optim.json.

Independent of the TypeScript code: every number comes from PyTorch (Debian python3-torch):
  * optimisers: torch.optim SGD / Adam / AdamW / RMSprop (single-tensor path, foreach=False) run for
    5 steps on a fixed smooth loss of two parameters; the parameter values after each step;
  * schedulers: torch.optim.lr_scheduler StepLR and ExponentialLR learning rates;
  * clipping: torch.nn.utils.clip_grad_norm_ (total norm and clipped gradients).

The loss (mirrored in test/train/optimizers.test.ts) of w1 [3] and W2 [2, 3] is
    L = sum(a * (w1 - c)^2) + 0.5 * sum((W2 @ w1 - t)^2) + 0.1 * sum(W2^4)

Run: /usr/bin/python3 scripts/make_optim_fixtures.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'optim.json')
STEPS = 5

W1 = [0.5, -1.25, 2.0]
W2 = [[0.75, -0.5, 0.25], [-1.0, 0.125, 1.5]]
A = [1.0, 2.5, 0.5]
C = [1.0, 0.5, -0.75]
T = [0.25, -1.5]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def loss_fn(w1, w2):
    a = torch.tensor(A)
    c = torch.tensor(C)
    t = torch.tensor(T)
    return (a * (w1 - c) ** 2).sum() + 0.5 * ((w2 @ w1 - t) ** 2).sum() + 0.1 * (w2 ** 4).sum()


# Each case: the TS class, TS-named options, and the same in torch's names. `groups` splits w1 / W2
# into two parameter groups with their own lr and weight decay; `gamma` steps an ExponentialLR after
# every optimiser step (tests that a scheduler scales per-group lrs proportionally).
CASES = [
    ('SGD plain', 'SGD', {'lr': 0.1}, None, None),
    ('SGD momentum+dampening', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1}, None, None),
    ('SGD nesterov+weight_decay', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01}, None, None),
    ('Adam default', 'Adam', {'lr': 0.01}, None, None),
    ('Adam betas+eps+weight_decay+amsgrad', 'Adam',
     {'lr': 0.02, 'betas': (0.8, 0.95), 'eps': 1e-6, 'weight_decay': 0.1, 'amsgrad': True}, None, None),
    # A large eps makes its placement (outside the sqrt, after bias correction) visible.
    ('Adam large eps', 'Adam', {'lr': 0.05, 'eps': 0.1}, None, None),
    ('AdamW', 'AdamW', {'lr': 0.01, 'weight_decay': 0.05}, None, None),
    ('AdamW amsgrad default decay', 'AdamW', {'lr': 0.03, 'amsgrad': True}, None, None),
    ('RMSprop default', 'RMSprop', {'lr': 0.01}, None, None),
    ('RMSprop large eps', 'RMSprop', {'lr': 0.01, 'eps': 0.1}, None, None),
    ('RMSprop centered+momentum+weight_decay', 'RMSprop',
     {'lr': 0.01, 'alpha': 0.9, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.01}, None, None),
    ('Adam param groups + ExponentialLR', 'Adam', {'lr': 0.01},
     [{}, {'lr': 0.05, 'weight_decay': 0.1}], 0.7),
    ('SGD param groups momentum', 'SGD', {'lr': 0.1, 'momentum': 0.5},
     [{'lr': 0.02}, {'weight_decay': 0.2}], None),
]

TS_NAMES = {'weight_decay': 'weightDecay'}


def ts_opts(d):
    out = {}
    for k, v in d.items():
        out[TS_NAMES.get(k, k)] = list(v) if isinstance(v, tuple) else v
    return out


def run_case(name, kind, opts, groups, gamma):
    w1 = torch.tensor(W1, requires_grad=True)
    w2 = torch.tensor(W2, requires_grad=True)
    cls = getattr(torch.optim, kind)
    if groups is None:
        opt = cls([w1, w2], foreach=False, **opts)
    else:
        opt = cls([dict(params=[w1], **groups[0]), dict(params=[w2], **groups[1])], foreach=False, **opts)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma) if gamma is not None else None
    traj = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(w1, w2)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        traj.append({'w1': flat(w1), 'w2': flat(w2), 'loss': float(loss)})
    case = {'name': name, 'optimizer': kind, 'options': ts_opts(opts), 'steps': traj}
    if groups is not None:
        case['groups'] = [ts_opts(g) for g in groups]
    if gamma is not None:
        case['exponentialGamma'] = gamma
    return case


def scheduler_cases():
    out = []
    for kind, kwargs in [('StepLR', {'step_size': 3, 'gamma': 0.5}), ('ExponentialLR', {'gamma': 0.9})]:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.2)
        sched = getattr(torch.optim.lr_scheduler, kind)(opt, **kwargs)
        lrs = [sched.get_last_lr()[0]]
        for _ in range(10):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        ts = {'stepSize': kwargs['step_size'], 'gamma': kwargs['gamma']} if kind == 'StepLR' else {'gamma': kwargs['gamma']}
        out.append({'scheduler': kind, 'baseLr': 0.2, 'options': ts, 'lrs': lrs})
    return out


def clip_cases():
    out = []
    g1 = torch.tensor([[0.5, -1.5, 2.0], [3.0, 0.25, -0.75]])
    g2 = torch.tensor([4.0, -2.0])
    for max_norm in [1.0, 3.5, 100.0]:
        p1 = torch.zeros(2, 3, requires_grad=True)
        p2 = torch.zeros(2, requires_grad=True)
        p1.grad = g1.clone()
        p2.grad = g2.clone()
        total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm)
        out.append({'maxNorm': max_norm, 'grads': [flat(g1), flat(g2)], 'shapes': [[2, 3], [2]],
                    'totalNorm': float(total), 'clipped': [flat(p1.grad), flat(p2.grad)]})
    return out


def main():
    torch.manual_seed(0)
    data = {
        'torch': torch.__version__,
        'init': {'w1': W1, 'w2': W2},
        'constants': {'a': A, 'c': C, 't': T},
        'cases': [run_case(*c) for c in CASES],
        'schedulers': scheduler_cases(),
        'clip': clip_cases(),
    }
    with open(OUT, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
