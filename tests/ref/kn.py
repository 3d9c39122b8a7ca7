"""Interpolated modified Kneser-Ney (Chen & Goodman 1998), a plain-Python
reference for src/models/ngram.h, written from the definitions and not from
the C code: n-grams are tuples in dictionaries, one per length.

Items are lists of ids 1..V-1; id 0 is the start/stop token. Each item
contributes one event per id and one for the stop token, the history padded
with 0 on the left to n-1 ids. The adjusted count of an n-gram is its raw
count at the top order, or when its first id is the padding/start token
(nothing can precede it); else the number of distinct ids seen just before
it. Discounts per length from the count-of-counts n1..n4 of adjusted counts:
Y = n1/(n1+2 n2), D_j = j - (j+1) Y n_{j+1}/n_j, at most j; when n_j = 0 or
D_j <= 0, Y instead (0.5 when Y is 0 or undefined). Probabilities interpolate down
to the uniform distribution; an unseen context uses the shorter one alone.
"""
import math
from collections import defaultdict


class KneserNey:
    def __init__(self, items, order, V):
        self.n, self.V = order, V
        n1 = order - 1
        # raw[k][(ctx, y)]: ctx a tuple of k ids, the last k before y
        raw = [defaultdict(int) for _ in range(order)]
        for item in items:
            seq = [0] * n1 + list(item) + [0]
            for t in range(n1, len(seq)):
                for k in range(order):
                    raw[k][(tuple(seq[t - k:t]), seq[t])] += 1
        self.adj = []
        for k in range(order):
            if k == n1:
                adj = dict(raw[k])
            else:
                left = defaultdict(set)  # (ctx, y) -> ids seen before ctx
                for (ctx, y) in raw[k + 1]:
                    left[(ctx[1:], y)].add(ctx[0])
                adj = {}
                for (ctx, y), c in raw[k].items():
                    starts_padded = k >= 1 and ctx[0] == 0
                    adj[(ctx, y)] = c if starts_padded else len(left[(ctx, y)])
            self.adj.append(adj)
        self.D = [self._discounts(a) for a in self.adj]
        # per context: A, and how many y have adjusted count 1, 2, >= 3
        self.ctx = []
        for k in range(order):
            stats = defaultdict(lambda: [0, 0, 0, 0])
            for (ctx, y), a in self.adj[k].items():
                s = stats[ctx]
                s[0] += a
                s[min(a, 3)] += 1
            self.ctx.append(dict(stats))

    @staticmethod
    def _discounts(adj):
        n = [0] * 5
        for a in adj.values():
            if a <= 4:
                n[a] += 1
        Y = n[1] / (n[1] + 2 * n[2]) if n[1] + 2 * n[2] > 0 else 0.0
        fallback = Y if Y > 0 else 0.5
        D = [0.0]
        for j in (1, 2, 3):
            d = j - (j + 1) * Y * n[j + 1] / n[j] if n[j] > 0 else fallback
            D.append(fallback if d <= 0 else min(d, float(j)))
        return D

    def prob(self, hist, y):
        """p(y | hist), hist the last n-1 ids (oldest first)."""
        p = 1.0 / self.V
        for k in range(self.n):
            ctx = tuple(hist[len(hist) - k:]) if k else ()
            if ctx not in self.ctx[k]:
                break
            A, N1, N2, N3 = self.ctx[k][ctx]
            D = self.D[k]
            a = self.adj[k].get((ctx, y), 0)
            own = (a - D[min(a, 3)]) / A if a else 0.0
            gamma = (D[1] * N1 + D[2] * N2 + D[3] * N3) / A
            p = own + gamma * p
        return p

    def logprob(self, hist, y):
        return math.log(self.prob(hist, y))
