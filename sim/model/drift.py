"""Propensities that drift: decision shares that follow a trend plus a random walk from the start year.

Municipalities change practice: in 2015-2019 notifications rose by 42 % while placements started fell by
about 14 % (national history), which constant shares from a notification to a measure cannot reproduce. A
``drift:`` entry of the scenario names a setting the running model reads (any lever setting with a model
attribute: screening outcomes, the step-down share at reviews, a step's uptake share, ...) with a yearly
trend and the sd of a yearly random-walk step. On 1 January of each year after the start year,

    g(value_k) = g(value_0) + trend * k + sd * (z_1 + ... + z_k),   z ~ N(0, 1),

where ``g`` is the logit for a share and the log otherwise, so a share stays a share and a rate stays
positive. ``value_0`` is the setting's value when the start year begins (after the burn-in, which does not
drift). The steps ``z`` come from a stream of their own per entry (decision ``policy``, key 7000 + the entry's
position), drawn whatever the sd, so scenarios that differ elsewhere face the same drift. A back-test's
projection runs the same process past the fitted years, so its band widens with the horizon by the random
walk's sd, fitted with the other parameters (``drift.<i>.sd_per_year`` in a calibration spec). A damped
trend (``trend_damping``, sim.model.damping) replaces ``trend * k`` by ``trend`` times the damped sum of years.
"""

from __future__ import annotations

import math

from sim.model.levers import lever_setting
from sim.model.randomness import D

DRIFT_KEY = 7000  # generator keys of the drift streams (decision "policy"); no other stream uses these keys
_EPS = 1e-6


def drifts_as_share(setting: str, step_ids) -> bool:
    """Whether a drifting setting drifts on the logit scale (a share) or the log scale."""
    return lever_setting(setting, step_ids).kind == "share"


def to_scale(value: float, share: bool) -> float:
    """The drift's scale: logit of a share, log of a positive setting."""
    v = min(max(value, _EPS), 1 - _EPS) if share else max(value, _EPS)
    return math.log(v / (1 - v)) if share else math.log(v)


def from_scale(x: float, share: bool) -> float:
    if share:  # kept strictly inside (0, 1): a drifted share never becomes a certainty
        return min(max(1.0 / (1.0 + math.exp(-max(min(x, 700.0), -700.0))), _EPS), 1 - _EPS)
    return math.exp(min(x, 700.0))


def drift_path(base: float, share: bool, trend: float, sd: float, steps, trend_years=None) -> list[float]:
    """The setting's value in years 1, 2, ... after the start year, from the random-walk steps ``steps``.

    ``trend_years``: the trend's cumulative effect in years 1, 2, ... in years of full trend (a damped trend,
    sim.model.damping); default 1, 2, ... (undamped). The random walk is not damped."""
    out, walk = [], 0.0
    for k, z in enumerate(steps, start=1):
        walk += sd * float(z)
        effect = k if trend_years is None else trend_years[k - 1]
        out.append(from_scale(to_scale(base, share) + trend * effect + walk, share))
    return out


def apply_drift(m, entries, start: float, years: int, trend_years=None):
    """Process: each ``drift:`` entry's setting set on 1 January of every year after the start year.

    ``start``: the model time of 1 January of the start year; ``years``: the horizon's years after it;
    ``trend_years``: the trends' cumulative effect in each of those years (:func:`drift_path`)."""
    if not entries:
        return
    if start > m.env.now:
        yield m.env.timeout(start - m.env.now)
    paths = []
    for i, d in enumerate(entries):
        share = drifts_as_share(d.setting, m.settings.step_ids)
        steps = m.draws.generator(D["policy"], DRIFT_KEY + i).standard_normal(max(years, 0))
        paths.append(drift_path(m.settings.read(d.setting), share, d.trend_per_year, d.sd_per_year, steps,
                                trend_years))
    for k in range(years):
        yield m.env.timeout(max(0.0, start + k + 1 - m.env.now))
        for d, path in zip(entries, paths):
            m.write_setting(d.setting, path[k])
