"""A PyTorch reference for makemore.c's transformer kind, written for our
tests from the definitions makemore.py uses: GPT-2-style blocks with
LayerNorm before attention and before the MLP, causal multi-head
self-attention (one Linear for q, k, v; scores scaled by 1/sqrt(head size);
a lower-triangular mask kept as the buffer `bias`), a 4x MLP with the tanh
approximation of GELU, a final LayerNorm and an output Linear without bias.
Module and buffer names give makemore.py's state_dict() keys, so a state
dict moves between this module, makemore.py's Transformer and our
safetensors files unchanged."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


class Attention(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        mask = torch.tril(torch.ones(block_size, block_size))
        self.register_buffer("bias", mask.reshape(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, E = x.shape
        hs = E // self.n_head
        # (B, T, 3E) -> three (B, heads, T, hs)
        q, k, v = (z.reshape(B, T, self.n_head, hs).permute(0, 2, 1, 3)
                   for z in self.c_attn(x).chunk(3, dim=-1))
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(hs)
        scores = scores.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        y = torch.matmul(torch.softmax(scores, dim=-1), v)
        return self.c_proj(y.permute(0, 2, 1, 3).reshape(B, T, E))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = Attention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.ModuleDict({"c_fc": nn.Linear(n_embd, 4 * n_embd),
                                  "c_proj": nn.Linear(4 * n_embd, n_embd)})

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp["c_proj"](gelu_tanh(self.mlp["c_fc"](self.ln_2(x))))


class Transformer(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd, n_layer, n_head):
        super().__init__()
        self.transformer = nn.ModuleDict({
            "wte": nn.Embedding(vocab_size, n_embd),
            "wpe": nn.Embedding(block_size, n_embd),
            "h": nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
            "ln_f": nn.LayerNorm(n_embd),
        })
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets=None):
        """logits (B, T, V) and, with targets, the mean cross-entropy over
        the targets that are not -1"""
        t = idx.shape[1]
        x = self.transformer["wte"](idx) + self.transformer["wpe"](torch.arange(t))
        for block in self.transformer["h"]:
            x = block(x)
        logits = self.lm_head(self.transformer["ln_f"](x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)
        return logits, loss
