#!/usr/bin/python3
"""Reference values for src/nn/transformer and src/nn/peft, written to
test/fixtures/nn/transformer.json.

Plain PyTorch (Debian python3-torch; the transformers package is not used), independent of the
TypeScript code: a transcription of Hugging Face's LlamaForCausalLM forward (RMSNorm pre-norm,
rotate_half RoPE with base rope_theta, repeat_kv grouped-query attention, causal softmax, SwiGLU
MLP, final norm, lm_head / tied embeddings, shifted cross-entropy with ignore_index -100 and
output_hidden_states), and NutePrune's mask-aware variant (models/modeling_llama.py of
Lucius-lsr/NutePrune as docs/research/sequence.md §2(a) describes it: head_z on each head's attention output
before o_proj, intermediate_z on both gate and up outputs, hidden_z on the embeddings and on the
attention / MLP outputs before each residual add, RMSNorm dividing by a fixed width), and
loralib-style LoRA on q_proj / v_proj (W x + (alpha / r) · B A x).

Run: /usr/bin/python3 scripts/nn/make_transformer_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'nn', 'transformer.json')

torch.manual_seed(0)

CFG = dict(vocab=13, d=16, F=24, L=2, H=4, Hkv=2, theta=1e5, eps=1e-6)


def t(x):
    x = x.detach().to(torch.float32)
    return {'shape': list(x.shape), 'data': [float(v) for v in x.reshape(-1).tolist()]}


def make_state(tied=False):
    c = CFG
    hd = c['d'] // c['H']
    s = {'model.embed_tokens.weight': torch.randn(c['vocab'], c['d']) * 0.5}
    for l in range(c['L']):
        p = f'model.layers.{l}.'
        s[p + 'self_attn.q_proj.weight'] = torch.randn(c['H'] * hd, c['d']) * 0.3
        s[p + 'self_attn.k_proj.weight'] = torch.randn(c['Hkv'] * hd, c['d']) * 0.3
        s[p + 'self_attn.v_proj.weight'] = torch.randn(c['Hkv'] * hd, c['d']) * 0.3
        s[p + 'self_attn.o_proj.weight'] = torch.randn(c['d'], c['H'] * hd) * 0.3
        s[p + 'mlp.gate_proj.weight'] = torch.randn(c['F'], c['d']) * 0.3
        s[p + 'mlp.up_proj.weight'] = torch.randn(c['F'], c['d']) * 0.3
        s[p + 'mlp.down_proj.weight'] = torch.randn(c['d'], c['F']) * 0.3
        s[p + 'input_layernorm.weight'] = 1 + 0.2 * torch.randn(c['d'])
        s[p + 'post_attention_layernorm.weight'] = 1 + 0.2 * torch.randn(c['d'])
    s['model.norm.weight'] = 1 + 0.2 * torch.randn(c['d'])
    if not tied:
        s['lm_head.weight'] = torch.randn(c['vocab'], c['d']) * 0.3
    return s


def rms(x, w, width=None):
    var = x.pow(2).sum(-1, keepdim=True) / (width or x.shape[-1])
    return w * (x * torch.rsqrt(var + CFG['eps']))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(T, hd):
    inv = 1.0 / (CFG['theta'] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.outer(torch.arange(T).float(), inv)
    emb = torch.cat((freqs, freqs), -1)
    return emb.cos(), emb.sin()


def lin(x, s, name, lora):
    y = x @ s[name + '.weight'].T
    if lora and name in lora:
        A, B, scale = lora[name]
        y = y + (x @ A.T @ B.T) * scale
    return y


def llama(s, ids, tied=False, head_z=None, inter_z=None, hidden_z=None, width=None, inter_at='gate_and_up', lora=None):
    c = CFG
    B, T = ids.shape
    hd = c['d'] // c['H']
    h = s['model.embed_tokens.weight'][ids]
    if hidden_z is not None:
        h = h * hidden_z
    cos, sin = rope_cos_sin(T, hd)
    causal = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    states = []
    for l in range(c['L']):
        states.append(h)
        p = f'model.layers.{l}.'
        x = rms(h, s[p + 'input_layernorm.weight'], width)
        q = lin(x, s, p + 'self_attn.q_proj', lora).view(B, T, c['H'], hd).transpose(1, 2)
        k = lin(x, s, p + 'self_attn.k_proj', lora).view(B, T, c['Hkv'], hd).transpose(1, 2)
        v = lin(x, s, p + 'self_attn.v_proj', lora).view(B, T, c['Hkv'], hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = c['H'] // c['Hkv']
        k = k[:, :, None].expand(B, c['Hkv'], rep, T, hd).reshape(B, c['H'], T, hd)  # repeat_kv
        v = v[:, :, None].expand(B, c['Hkv'], rep, T, hd).reshape(B, c['H'], T, hd)
        w = (q @ k.transpose(2, 3) / math.sqrt(hd)).masked_fill(causal, torch.finfo(torch.float32).min).softmax(-1)
        o = w @ v
        if head_z is not None:
            o = o * head_z[l].view(1, c['H'], 1, 1)
        o = lin(o.transpose(1, 2).reshape(B, T, c['H'] * hd), s, p + 'self_attn.o_proj', lora)
        if hidden_z is not None:
            o = o * hidden_z
        h = h + o
        x = rms(h, s[p + 'post_attention_layernorm.weight'], width)
        g = x @ s[p + 'mlp.gate_proj.weight'].T
        u = x @ s[p + 'mlp.up_proj.weight'].T
        if inter_z is not None and inter_at == 'gate_and_up':
            g, u = g * inter_z[l], u * inter_z[l]
        m = F.silu(g) * u
        if inter_z is not None and inter_at == 'product':
            m = m * inter_z[l]
        m = m @ s[p + 'mlp.down_proj.weight'].T
        if hidden_z is not None:
            m = m * hidden_z
        h = h + m
    h = rms(h, s['model.norm.weight'], width)
    states.append(h)
    head = s['model.embed_tokens.weight'] if tied else s['lm_head.weight']
    return h @ head.T, states


def lm_loss(logits, labels):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)


def main():
    c = CFG
    s = make_state()
    ids = torch.tensor([[1, 5, 2, 12, 7, 3], [0, 4, 4, 9, 11, 6]])
    out = {'torch': torch.__version__, 'config': c, 'ids': ids.tolist(), 'state': {k: t(v) for k, v in s.items()}}
    with torch.no_grad():
        logits, states = llama(s, ids)
        out['logits'] = t(logits)
        out['hiddenStates'] = [t(h) for h in states]
        labels = ids.clone()
        labels[0, 2] = -100
        labels[1, 4] = -100
        out['labels'] = labels.tolist()
        out['loss'] = float(lm_loss(logits, labels))
        out['lossAll'] = float(lm_loss(logits, ids))
        # NutePrune masks (values in [0, 1] with some exact zeros) and RMSNorm over a fixed width.
        head_z = torch.rand(c['L'], c['H'])
        head_z[0, 1] = 0
        inter_z = torch.rand(c['L'], c['F'])
        inter_z[1, :5] = 0
        hidden_z = torch.rand(c['d'])
        hidden_z[3] = 0
        masked, mstates = llama(s, ids, head_z=head_z, inter_z=inter_z, hidden_z=hidden_z, width=20)
        prod, _ = llama(s, ids, head_z=head_z, inter_z=inter_z, hidden_z=hidden_z, width=20, inter_at='product')
        out['masks'] = {'headZ': t(head_z), 'intermediateZ': t(inter_z), 'hiddenZ': t(hidden_z), 'rmsNormWidth': 20,
                        'logits': t(masked), 'logitsProduct': t(prod), 'hiddenStates': [t(h) for h in mstates]}
        st = make_state(tied=True)
        tl, _ = llama(st, ids, tied=True)
        out['tied'] = {'state': {k: t(v) for k, v in st.items()}, 'logits': t(tl)}
        r, alpha = 4, 16
        lora = {}
        lstate = {}
        for l in range(c['L']):
            for name in ['q_proj', 'v_proj']:
                key = f'model.layers.{l}.self_attn.{name}'
                W = s[key + '.weight']
                A = torch.randn(r, W.shape[1]) * 0.3
                B = torch.randn(W.shape[0], r) * 0.3
                lora[key] = (A, B, alpha / r)
                lstate[key + '.lora_A'] = t(A)
                lstate[key + '.lora_B'] = t(B)
        ll, _ = llama(s, ids, lora=lora)
        out['lora'] = {'r': r, 'alpha': alpha, 'state': lstate, 'logits': t(ll)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
