"""PyTorch modules for makemore.py's bigram, MLP, RNN, GRU and BoW models,
written here from their definitions for the parity tests. The module trees
match makemore.py's, so a state dict of one loads into the other with
load_state_dict(strict=True): same keys, same shapes, buffers included, and
torch's default initialisation draws in the same order.

Every model maps idx (B, T) and optional targets (B, T) to logits (B, T, V)
and the mean cross-entropy over the targets that are not -1.

The RNN also takes makemore.c's dropout (not in makemore.py): a mask for the
embeddings entering the cell, drawn by dropout_masks, an independent writing
of src/nn/dropout.h's hash.
"""
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int  # V
    block_size: int  # T
    n_embd: int = 64  # E
    n_embd2: int = 64  # H


def _loss(logits, targets):
    if targets is None:
        return None
    V = logits.size(-1)
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-1)


_M64 = (1 << 64) - 1


def dropout_masks(key, stream, B, T, width, p, row0=0):
    """(B, T, width) float32 masks, 0 or 1/(1-p): unit j of global row
    r = (row0 + b) * T + t is kept when 16 bits of splitmix64's finaliser of
    key + stream*G + r*2^32 + (j//4)*G2, bits 16*(j%4) up, are at least
    round(p * 65536)"""
    G, G2 = 0x9E3779B97F4A7C15, 0xD1B54A32D192ED03
    u64 = np.uint64
    rows = (np.arange(B, dtype=u64)[:, None] + u64(row0)) * u64(T) + np.arange(T, dtype=u64)[None, :]
    words = np.arange((width + 3) // 4, dtype=u64)
    x = u64((key + stream * G) & _M64) + (rows[:, :, None] << u64(32)) + words[None, None, :] * u64(G2)
    x = (x ^ (x >> u64(30))) * u64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> u64(27))) * u64(0x94D049BB133111EB)
    x = x ^ (x >> u64(31))
    u = np.stack([(x >> u64(16 * k)) & u64(0xFFFF) for k in range(4)], -1).reshape(B, T, -1)[:, :, :width]
    pf = np.float32(p)
    drop = int(pf * np.float32(65536.0) + np.float32(0.5))
    keep = np.float32(1.0) / (np.float32(1.0) - pf)
    return torch.from_numpy(np.where(u >= drop, keep, np.float32(0.0)).astype(np.float32))


class Bigram(nn.Module):
    """next-id logits looked up by the current id"""

    def __init__(self, c):
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(c.vocab_size, c.vocab_size))

    def forward(self, idx, targets=None):
        logits = self.logits[idx]
        return logits, _loss(logits, targets)


class MLP(nn.Module):
    """position t sees ids t, t-1, ..., t-T+1 (nearest first), a blank id V
    before the item's start, through Linear(T*E, H), tanh, Linear(H, V)"""

    def __init__(self, c):
        super().__init__()
        self.block_size, self.vocab_size = c.block_size, c.vocab_size
        self.wte = nn.Embedding(c.vocab_size + 1, c.n_embd)
        self.mlp = nn.Sequential(nn.Linear(c.block_size * c.n_embd, c.n_embd2), nn.Tanh(),
                                 nn.Linear(c.n_embd2, c.vocab_size))

    def forward(self, idx, targets=None):
        b, t = idx.shape
        blank = torch.full((b, self.block_size), self.vocab_size, dtype=idx.dtype)
        padded = torch.cat([blank, idx], 1)  # idx[:, i] is padded[:, i + T]
        T = self.block_size
        ctx = [padded[:, T - k:T - k + t] for k in range(T)]  # k steps back
        x = torch.cat([self.wte(c) for c in ctx], -1)
        logits = self.mlp(x)
        return logits, _loss(logits, targets)


class RNNCell(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.xh_to_h = nn.Linear(c.n_embd + c.n_embd2, c.n_embd2)

    def forward(self, x, h):
        return torch.tanh(self.xh_to_h(torch.cat([x, h], 1)))


class GRUCell(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.xh_to_z = nn.Linear(c.n_embd + c.n_embd2, c.n_embd2)
        self.xh_to_r = nn.Linear(c.n_embd + c.n_embd2, c.n_embd2)
        self.xh_to_hbar = nn.Linear(c.n_embd + c.n_embd2, c.n_embd2)

    def forward(self, x, h):
        xh = torch.cat([x, h], 1)
        r = torch.sigmoid(self.xh_to_r(xh))
        z = torch.sigmoid(self.xh_to_z(xh))
        hbar = torch.tanh(self.xh_to_hbar(torch.cat([x, r * h], 1)))
        return (1 - z) * h + z * hbar


class RNN(nn.Module):
    """a cell run position by position from a learned start state"""

    def __init__(self, c, cell):
        super().__init__()
        self.start = nn.Parameter(torch.zeros(1, c.n_embd2))
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.cell = RNNCell(c) if cell == "rnn" else GRUCell(c)
        self.lm_head = nn.Linear(c.n_embd2, c.vocab_size)

    def forward(self, idx, targets=None, mask=None):
        """mask: None, or the embeddings' dropout mask (B, T, E)"""
        emb = self.wte(idx)
        if mask is not None:
            emb = emb * mask
        h = self.start.expand(idx.size(0), -1)
        states = []
        for i in range(idx.size(1)):
            h = self.cell(emb[:, i], h)
            states.append(h)
        logits = self.lm_head(torch.stack(states, 1))
        return logits, _loss(logits, targets)


class CausalBoW(nn.Module):
    """the mean of positions 0..t, from a stored lower-triangular mask"""

    def __init__(self, c):
        super().__init__()
        T = c.block_size
        self.register_buffer("bias", torch.tril(torch.ones(T, T)).view(1, T, T))

    def forward(self, x):
        t = x.size(1)
        mask = self.bias[:, :t, :t]
        return (mask / mask.sum(-1, keepdim=True)) @ x


class BoWBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.cbow = CausalBoW(c)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(c.n_embd, c.n_embd2),
                                      c_proj=nn.Linear(c.n_embd2, c.n_embd)))

    def forward(self, x):
        x = x + self.cbow(x)
        return x + self.mlp.c_proj(torch.tanh(self.mlp.c_fc(x)))


class BoW(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.block_size, c.n_embd)
        self.context_block = BoWBlock(c)
        self.lm_head = nn.Linear(c.n_embd, c.vocab_size)

    def forward(self, idx, targets=None):
        pos = torch.arange(idx.size(1))
        x = self.context_block(self.wte(idx) + self.wpe(pos))
        logits = self.lm_head(x)
        return logits, _loss(logits, targets)


def build(kind, c):
    """the model of makemore's --model name"""
    if kind in ("rnn", "gru"):
        return RNN(c, kind)
    return {"bigram": Bigram, "makemore-mlp": MLP, "bow": BoW}[kind](c)
