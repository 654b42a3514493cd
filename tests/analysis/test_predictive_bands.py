"""Bands of the fitted years that predict an observation (`abc.model_error_in_bands` in a spec;
sim.analysis.calibration.predictive).

The ABC distance judges a candidate's residual by the simulations' spread plus a model error of
`abc.model_error_cv` times the value. The bands of the fitted years, which the fit's check holds the history
against, then carry that allowance too. A back-test's forecasts do not: each path is rescaled through the value
observed at the origin, which takes out the persistent part of the misfit. Checked here:
- the error is spread evenly over normal quantiles: the mean stays, and a band around one value is
  value x (1 +- 1.645 cv) for the 90 % band;
- with the setting off (the default) the bands are the simulations' own, as before; only an abc_smc fit with
  the simulated distance scale may set it;
- with it on, the fit's bands contain the bands without it and are wider by the model error added in
  quadrature; the back-test's conditioned bands are the same as without it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.backtest import conditioned_bands
from sim.analysis.calibration import band_error_cv, bands, predictive, prepare, spec_from_mapping

CV = 0.05
Z90 = stats.norm.ppf(0.95)


def test_the_model_error_keeps_the_mean_and_spreads_one_value_by_its_normal_quantiles():
    v = predictive(np.array([200.0]), CV)
    assert v.mean() == pytest.approx(200.0, rel=1e-12)
    lo, hi = np.quantile(v, [0.05, 0.95])
    assert lo == pytest.approx(200.0 * (1 - Z90 * CV), rel=5e-4)
    assert hi == pytest.approx(200.0 * (1 + Z90 * CV), rel=5e-4)
    np.testing.assert_array_equal(predictive(np.array([1.0, 2.0]), 0.0), [1.0, 2.0])  # no error: as simulated


def _problem(in_bands: bool | None):
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    abc = {} if in_bands is None else {"model_error_cv": CV, "model_error_in_bands": in_bands,
                                       "distance_scale": "simulated"}
    spec = spec_from_mapping({"method": "abc_smc", "years": {"first": 2015, "last": 2017}, "scale": "per_1000_0_17",
                              "parameters": [{"path": "reviews.step_down_share", "low": 0.5, "high": 0.9}],
                              "targets": [{"metric": "notifications"}], "abc": abc})
    return prepare(resolve_raw("calibration/national/scenario.yaml"), spec,
                   read_history("calibration/national/history.csv"))


def _table(years) -> pd.DataFrame:
    """400 replications of notifications, spread 3 % around 1,200 a year (enough for the quantiles to be near
    their normal values)."""
    rng = np.random.default_rng(7)
    rows = [(r, "notifications", y, 1200.0 * (1 + 0.03 * rng.standard_normal())) for r in range(400) for y in years]
    return pd.DataFrame(rows, columns=["replication", "metric", "year", "value"])


def test_the_setting_is_off_unless_a_spec_asks_for_it():
    assert band_error_cv(_problem(None).spec) == 0.0
    assert band_error_cv(_problem(False).spec) == 0.0
    assert band_error_cv(_problem(True).spec) == CV


def test_a_fits_band_with_the_model_error_contains_the_simulations_band_and_is_wider():
    table = _table([2015, 2016, 2017])
    without = bands(_problem(False), table, [2015, 2017]).set_index(["metric", "year"])
    with_error = bands(_problem(True), table, [2015, 2017]).set_index(["metric", "year"])
    assert len(without) == 2  # the history has notifications in 2015 and 2017
    np.testing.assert_allclose(with_error["sim_mean"], without["sim_mean"], rtol=1e-12)
    assert (with_error["sim_p05"] < without["sim_p05"]).all() and (with_error["sim_p95"] > without["sim_p95"]).all()
    # the simulations' sd (3 %) and the model error (5 %) add in quadrature: the band is sqrt(34)/3 = 1.94 as wide
    ratio = ((with_error["sim_p95"] - with_error["sim_p05"]) / (without["sim_p95"] - without["sim_p05"])).to_numpy()
    np.testing.assert_allclose(ratio, np.sqrt(0.03**2 + CV**2) / 0.03, rtol=0.08)


def test_a_back_tests_conditioned_forecast_does_not_add_the_model_error_again():
    from sim.data.history import read_history

    table = _table([2015, 2016, 2017, 2018])
    known = read_history("calibration/national/history.csv")
    without = conditioned_bands(_problem(False), table, 2017, [2018], known)
    with_error = conditioned_bands(_problem(True), table, 2017, [2018], known)
    pd.testing.assert_frame_equal(with_error, without)
    assert without["p05"].iloc[0] < without["forecast"].iloc[0] < without["p95"].iloc[0]


@pytest.mark.parametrize("settings", [{"method": "likelihood_region"}, {"abc": {"distance_scale": "likelihood"}}])
def test_the_model_error_in_bands_is_refused_where_the_fit_does_not_use_it(settings):
    from sim.analysis.calibration import CalibrationSpecError

    abc = {"model_error_in_bands": True, **settings.get("abc", {})}
    mapping = {"method": settings.get("method", "abc_smc"), "abc": abc,
               "parameters": [{"path": "reviews.step_down_share", "low": 0.5, "high": 0.9}],
               "targets": [{"metric": "notifications"}]}
    with pytest.raises(CalibrationSpecError) as e:
        spec_from_mapping(mapping)
    assert "model_error_in_bands" in str(e.value)
