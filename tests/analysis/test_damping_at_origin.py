"""phi for a forecast made at an origin is learnt only from what was known there (sim.analysis.damping_fit.
damping_at_origin): the years after the origin cannot move it, and with too little known the prior is used."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.damping_fit import damped_sum, damping_at_origin, known_at


def faded(phi: float, seed: int, n_series: int = 6) -> dict[str, pd.Series]:
    """Series 2000-2011 whose log trend runs in full for five years and then fades by ``phi`` a year."""
    rng = np.random.default_rng(seed)
    k = np.arange(12)
    effect = np.where(k <= 4, k, 4 + damped_sum(phi, np.maximum(k - 4, 0)))
    return {f"s{i}": pd.Series(1000.0 * np.exp(rng.uniform(0.04, 0.1) * effect + rng.normal(0, 0.005, k.size)),
                               index=2000 + k) for i in range(n_series)}


def test_the_years_after_the_origin_do_not_move_its_phi():
    series = faded(0.5, seed=3)
    at = damping_at_origin(series, 2008, prior_phi=1.0, min_forecasts=5)
    assert at.source == "learnt" and at.phi < 0.9  # the fading 2005-2008 is seen
    boom = {name: values.where(values.index <= 2008, values * 3.0) for name, values in series.items()}
    assert damping_at_origin(boom, 2008, prior_phi=1.0, min_forecasts=5) == at
    assert damping_at_origin(boom, 2010, prior_phi=1.0, min_forecasts=5).phi != at.phi  # ... a later origin sees it


def test_too_little_known_gives_the_prior():
    series = faded(0.5, seed=3)
    early = damping_at_origin(series, 2002, prior_phi=0.9, min_forecasts=5)
    assert (early.phi, early.source) == (0.9, "prior") and early.forecasts < 5
    none = damping_at_origin(series, 2000, prior_phi=0.9, min_forecasts=5)
    assert (none.phi, none.source, none.forecasts) == (0.9, "prior", 0)


def test_known_at_cuts_every_series_at_the_origin():
    cut = known_at(faded(0.5, seed=1), 2004)
    assert all(values.index.max() == 2004 for values in cut.values())
