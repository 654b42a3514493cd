"""Textbook queueing formulas the model is checked against (M/M/c: Erlang C and the mean wait)."""

from __future__ import annotations

import math


def erlang_c(c: int, a: float) -> float:
    """P(wait > 0) in an M/M/c queue with offered load a = lambda / mu (a < c)."""
    assert 0 < a < c
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (below + top)


def mmc_mean_wait(c: int, lam: float, service_mean: float) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (c mu - lambda)."""
    mu = 1.0 / service_mean
    return erlang_c(c, lam / mu) / (c * mu - lam)
