"""Learning the damping factor (sim.analysis.damping_fit) and the damped projection in the back-test
(sim.analysis.backtest): phi recovered from simulated histories, a trend that stops is forecast better damped
than in full, and the trend's random walk widens the band as the damped local trend says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.backtest import damped_after, trend_walk_factors, with_trend_walk
from sim.analysis.damping_fit import damped_sum, fit_phi, rolling_origins, walk_weight
from sim.errors import InputError

ORIGIN = 2004  # the constructed series: five years of full trend (2000-2004), then three more


def constructed(phi: float, rng: np.random.Generator, n_series: int = 8, noise: float = 0.01) -> dict:
    """Series whose log trend runs in full for five years and then fades by ``phi`` a year (0: it stops)."""
    out = {}
    k = np.arange(8)
    for i in range(n_series):
        trend = rng.choice([-1.0, 1.0]) * rng.uniform(0.03, 0.10)
        effect = np.where(k <= 4, k, 4 + damped_sum(phi, np.maximum(k - 4, 0)))
        out[f"s{i}"] = pd.Series(1000.0 * np.exp(trend * effect + rng.normal(0.0, noise, k.size)), index=2000 + k)
    return out


def test_the_damped_sum_is_the_years_at_phi_one_and_levels_off_below():
    assert list(damped_sum(1.0, np.arange(5))) == [0, 1, 2, 3, 4]
    assert damped_sum(0.5, 3) == pytest.approx(0.875)
    assert damped_sum(0.0, 3) == 0.0


def test_phi_is_recovered_within_its_interval_in_at_least_80_percent_of_repeats():
    rng = np.random.default_rng(11)
    inside = []
    for repeat in range(30):
        fit = fit_phi(constructed(0.7, rng), min_points=5, bootstrap=150, seed=repeat, only=[ORIGIN])
        inside.append(fit.low <= 0.7 <= fit.high)
    assert np.mean(inside) >= 0.8, np.mean(inside)


def test_a_trend_that_stops_after_five_years_is_forecast_better_damped_than_in_full():
    """phi learnt on constructed histories whose trend stopped is below 1, and on a fresh one its anchored
    forecasts miss by less than the full trend's."""
    learnt = fit_phi(constructed(0.0, np.random.default_rng(2)), min_points=5, bootstrap=50, only=[ORIGIN])
    assert learnt.phi < 0.5 and learnt.rmse_damped < learnt.rmse_full
    fresh = rolling_origins(constructed(0.0, np.random.default_rng(3)), min_points=5, only=[ORIGIN])
    damped = sum(float(np.sum(o.errors(np.array([learnt.phi])) ** 2)) for o in fresh)
    full = sum(float(np.sum(o.errors(np.array([1.0])) ** 2)) for o in fresh)
    assert damped < full


def test_a_trend_that_persists_is_not_damped():
    fit = fit_phi(constructed(1.0, np.random.default_rng(4)), min_points=5, bootstrap=50, only=[ORIGIN])
    assert fit.phi >= 0.9 and fit.high == 1.0


def test_nothing_to_learn_from_is_an_input_error():
    with pytest.raises(InputError, match="nothing to learn"):
        fit_phi({"short": pd.Series([1.0, 2.0], index=[2000, 2001])})


@pytest.mark.parametrize("phi", [1.0, 0.6])
def test_the_trend_walk_spreads_the_log_level_as_the_damped_local_trend_says(phi):
    logs = np.log(trend_walk_factors(20000, 3, 0.05, phi, np.random.default_rng(5)))
    expected = 0.05 * np.sqrt(walk_weight(phi, [1, 2, 3]))
    assert logs.std(axis=0) == pytest.approx(expected, rel=0.04)
    assert logs.std(axis=0)[2] > logs.std(axis=0)[0]


def test_the_trend_walk_leaves_the_years_up_to_the_origin_and_a_zero_sd_alone():
    paths = pd.DataFrame({2018: [10.0, 12.0], 2019: [11.0, 13.0], 2020: [12.0, 14.0]})
    assert with_trend_walk(paths, 2018, 0.0, 0.8, 1) is paths
    walked = with_trend_walk(paths, 2018, 0.1, 0.8, 1)
    assert len(walked) == 2 * 10 and sorted(set(walked[2018])) == [10.0, 12.0]
    assert walked[2020].std() > 0.5


def test_a_back_test_damps_from_its_origin_at_the_latest():
    assert damped_after({"trend_damping": {"phi": 0.8, "full_until": 2019}}, 2017)["trend_damping"] == {
        "phi": 0.8, "full_until": 2017}
    earlier = damped_after({"trend_damping": {"phi": 0.8, "full_until": 2015}}, 2017)
    assert earlier["trend_damping"]["full_until"] == 2015
    assert "trend_damping" not in damped_after({}, 2017)
