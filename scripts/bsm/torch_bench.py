"""PyTorch side of the BSM speed comparison (bench/vs_torch.ts, configs bsm-*): the same tiny LLaMA-style
decoder as Sheaf's BSM default (vocab 39, d 64, 3 layers, 4 heads, SwiGLU 168, RMSNorm eps 1e-6, rotary
base 1e5, untied lm_head), AdamW (0.9, 0.95, wd 0.1), global-norm clipping 1.0, on batches of 16 x 80
random tokens; then greedy generation of 64 tokens for 16 prompts of 20 tokens, with and without a KV
cache. Written for Sheaf (no official BSM code exists). Prints one JSON line:
  {"epochs": [{"cpu_s": ..., "steps": N, "loss": ...}], "infer_cpu_s": ..., "infer_windows": tokens, ...}
Run single-threaded with Debian's interpreter:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bsm/torch_bench.py --steps 50
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotary(T, hd, base, offset=0):
    inv = 1.0 / (base ** (torch.arange(0, hd, 2).float() / hd))
    t = torch.arange(offset, offset + T).float()
    f = torch.outer(t, inv)
    emb = torch.cat([f, f], -1)
    return emb.cos(), emb.sin()


def rot_half(x):
    a, b = x.chunk(2, -1)
    return torch.cat([-b, a], -1)


class Layer(nn.Module):
    def __init__(self, d, h, ff):
        super().__init__()
        self.h = h
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.gate = nn.Linear(d, ff, bias=False)
        self.up = nn.Linear(d, ff, bias=False)
        self.down = nn.Linear(ff, d, bias=False)
        self.n1 = RMSNorm(d)
        self.n2 = RMSNorm(d)

    def forward(self, x, cos, sin, cache=None):
        B, T, d = x.shape
        hd = d // self.h
        y = self.n1(x)
        q = self.q(y).view(B, T, self.h, hd).transpose(1, 2)
        k = self.k(y).view(B, T, self.h, hd).transpose(1, 2)
        v = self.v(y).view(B, T, self.h, hd).transpose(1, 2)
        q = q * cos + rot_half(q) * sin
        k = k * cos + rot_half(k) * sin
        if cache is not None:
            if 'k' in cache:
                k = torch.cat([cache['k'], k], 2)
                v = torch.cat([cache['v'], v], 2)
            cache['k'], cache['v'] = k, v
        S = k.shape[2]
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
        att = att.masked_fill(~mask, float('-inf')).softmax(-1)
        z = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + self.o(z)
        y = self.n2(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class LM(nn.Module):
    def __init__(self, V=39, d=64, L=3, h=4, ff=168, base=1e5):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.layers = nn.ModuleList([Layer(d, h, ff) for _ in range(L)])
        self.norm = RMSNorm(d)
        self.head = nn.Linear(d, V, bias=False)
        self.base = base
        self.hd = d // h

    def forward(self, ids, caches=None, offset=0):
        x = self.emb(ids)
        cos, sin = rotary(ids.shape[1], self.hd, self.base, offset)
        for i, l in enumerate(self.layers):
            x = l(x, cos, sin, None if caches is None else caches[i])
        return self.head(self.norm(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=50)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--context', type=int, default=80)
    ap.add_argument('--new-tokens', type=int, default=64)
    args = ap.parse_args()
    torch.manual_seed(0)
    m = LM()
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3, betas=(0.9, 0.95), weight_decay=0.1)
    g = torch.Generator().manual_seed(1)
    batches = [torch.randint(7, 39, (args.batch, args.context + 1), generator=g) for _ in range(8)]
    def step(i):
        b = batches[i % len(batches)]
        logits = m(b[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), b[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        return loss.item()
    for i in range(5):  # warm-up, not timed
        step(i)
    c0 = time.process_time()
    loss = 0.0
    for i in range(args.steps):
        loss = step(i)
    train_cpu = time.process_time() - c0
    m.eval()
    prompts = torch.randint(7, 39, (16, 20), generator=g)

    @torch.no_grad()
    def generate(use_cache):
        ids = prompts.clone()
        caches = [dict() for _ in m.layers] if use_cache else None
        feed, off = ids, 0
        for _ in range(args.new_tokens):
            logits = m(feed, caches, off) if use_cache else m(ids)
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            ids = torch.cat([ids, nxt], 1)
            if use_cache:
                off += feed.shape[1]
                feed = nxt
        return ids
    generate(True)
    c1 = time.process_time()
    generate(True)
    gen_cache = time.process_time() - c1
    c2 = time.process_time()
    generate(False)
    gen_nocache = time.process_time() - c2
    toks = 16 * args.new_tokens
    print(json.dumps({'side': 'torch', 'torch': torch.__version__, 'parameters': sum(p.numel() for p in m.parameters()),
                      'epochs': [{'cpu_s': train_cpu, 'steps': args.steps, 'loss': loss}],
                      'train_tokens_per_cpu_s': args.steps * args.batch * args.context / train_cpu,
                      'infer_cpu_s': gen_cache, 'infer_windows': toks,
                      'generate_tokens_per_cpu_s_cache': toks / gen_cache, 'generate_tokens_per_cpu_s_no_cache': toks / gen_nocache}))


if __name__ == '__main__':
    main()
