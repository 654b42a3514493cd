"""Checks of the model's fit to the national history, on the measurements `calibration/national/reproduce.py` writes
(`calibration/national/results/checks.json`; the fit and three rolling-origin fits cost about 15 minutes of CPU,
too much for the suite) and `calibration/recovery.py` writes (`calibration/recovery.csv`). Rerun those scripts when
the model or the fit changes; these tests then check the new numbers. A check the real data fail is kept strict
and marked xfail(strict=True) with the measured numbers, so that it is reported, not hidden, and turns into a
failure the day it passes (remove the mark then)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "calibration" / "national" / "results" / "checks.json"
RECOVERY = ROOT / "calibration" / "recovery.csv"


@pytest.fixture(scope="module")
def checks() -> dict:
    return json.loads(CHECKS.read_text())


def test_the_measurements_cover_every_origin_with_a_later_year(checks):
    assert checks["forecasts_scored"] >= 10  # 3 origins x up to 3 years x 5 metrics, where the history has them
    assert checks["simulations"]["fit"] > 0 and checks["simulations"]["backtest"] > 0


MAPE_NOTE = "measured: model {model:.3f}, last value {last_value:.3f}, linear trend {linear_trend:.3f}"


def test_pooled_mape_below_last_value_and_linear_trend(checks):
    mape = checks["pooled_mape"]
    assert mape["model"] < mape["last_value"], MAPE_NOTE.format(**mape)
    assert mape["model"] < mape["linear_trend"], MAPE_NOTE.format(**mape)


def test_the_90_percent_band_covers_between_80_and_97_percent(checks):
    assert 0.8 <= checks["model_coverage_90"] <= 0.97, checks["model_coverage_90"]


def test_the_fitted_series_lie_inside_the_90_percent_band(checks):
    """Measured 2026-12-07: 19 of 19 with the fit started from the observed 2015 stocks and bands that carry the
    fit's 5 % model error (abc.model_error_in_bands). Without that error 16 of 19 (children notified 2015, placed
    2015 and placements started 2016 outside by 0.02-2.4 %); it was a strict xfail until then."""
    assert checks["fit_inside_90_band"] >= 0.9, (checks["fit_inside_90_band"], checks["fit_outside"])


def test_recovery_covers_the_truth_for_at_least_80_percent_of_parameters():
    table = pd.read_csv(RECOVERY)
    assert table["repeat"].nunique() >= 3
    assert table["covered"].mean() >= 0.8, table


FIT = ROOT / "calibration" / "national" / "results" / "fit" / "fit.csv"


def _yearly_growth(series: pd.Series) -> float:
    """Mean growth a year between the first and the last year of a series indexed by year."""
    first, last = series.index.min(), series.index.max()
    return (series[last] / series[first]) ** (1.0 / (last - first)) - 1.0


def test_the_national_fit_grows_notifications_within_two_points_of_the_observed_growth():
    """The national fit with its reporting stage: reporting apart from need must let the fit follow the observed
    growth of notifications (not trade it for placements, as constant shares did). Measured 2026-12-01 with
    the reporting stage (abc.reporting_stage): 8.5 % a year against 9.2 % on the stored fit (60 particles, 6
    generations); 9.6 % with 40 particles, 8.2 % and 7.9 % with other settings. Without the stage it was 7.3 %
    with 40 particles and 5.7 % with 60 (docs/calibration.md, "Measured on the national history")."""
    fit = pd.read_csv(FIT)
    notes = fit[fit["metric"] == "notifications"].set_index("year")
    gap = abs(_yearly_growth(notes["sim_mean"]) - _yearly_growth(notes["observed"]))
    assert gap <= 0.02, gap


def test_the_national_fit_has_placements_started_inside_their_90_percent_band():
    """The national fit follows placements started. Measured 2026-12-07: 3,957, 3,814 and 3,875 against 4,515, 4,288 and
    3,871, each inside its band (2016: 3,195-4,651). The mean runs 7-12 % low in 2016-2017: the band holds it, the fit
    does not follow the fall."""
    fit = pd.read_csv(FIT)
    started = fit[(fit["metric"] == "placements_started") & fit["fitted"]]
    assert len(started) >= 3
    inside = (started["sim_p05"] <= started["observed"]) & (started["observed"] <= started["sim_p95"])
    assert inside.all(), started


# Recovery that can fail for every parameter of the national ABC spec. A parameter is
# *identified* by the history when, over the repeats, its 90 % interval is at most NARROWER of the prior's width
# and its posterior median lies on average at most CLOSER times as far from the truth as the prior's midpoint;
# otherwise the history does not identify it, and the test says which. Measured 2026-12-07, rerun with the fit
# started from the observed 2015 stocks (calibration/national/scenario.yaml; calibration/recovery.py: 4 repeats x
# 10 parameters, a quarter-size municipality, the national spec with its reporting stage and the stage's
# parameters proposed from the stage itself, 60 particles, 4,400 simulations; 38 of 40 intervals hold the truth,
# 37 before). The reporting level is identified (0.30 of the prior's width, median error 0.14 of the midpoint's;
# 0.28/0.40 before), the trend narrow (0.34) but centred no nearer (0.62). The share about known children is
# narrow (0.37) but no longer centred near enough (0.79 against 0.49 before: with 4 repeats the error of one
# repeat moves it across the line). The practice and duration parameters narrow the prior a little at most.
NARROWER, CLOSER = 0.75, 0.5
IDENTIFIED = {                                            # measured: width of the prior, error of the midpoint's
    "notifications.per_1000_aged_0_17": True,             # 0.30, 0.14
    "notifications.trend_per_year": False,                # 0.34, 0.62
    "notifications.share_about_known_children": False,    # 0.37, 0.79
    "demand.need_trend_per_year": False,                  # 0.82, 1.48
    "diversion.share": False,                             # 0.64, 1.24
    "drift.0.trend_per_year": False,                      # 0.72, 0.90
    "drift.0.sd_per_year": False,                         # 0.61, 1.35
    "drift.1.trend_per_year": False,                      # 0.61, 0.54
    "reviews.step_down_share": False,                     # 0.66, 0.56
    "needs.levels.4.improvement_rate_per_year": False,    # 0.79, 1.39
}
SPEC_ABC = ROOT / "calibration" / "national" / "spec_abc.yaml"


def _identified(rows: pd.DataFrame, low: float, high: float) -> tuple[bool, float, float]:
    width = ((rows["p95"] - rows["p05"]) / (high - low)).mean()
    error = (rows["p50"] - rows["truth"]).abs().mean() / ((low + high) / 2.0 - rows["truth"]).abs().mean()
    return bool(width <= NARROWER and error <= CLOSER), float(width), float(error)


def test_recovery_says_which_parameters_the_history_identifies():
    import yaml

    priors = {p["path"]: (p["low"], p["high"]) for p in yaml.safe_load(SPEC_ABC.read_text())["parameters"]}
    table = pd.read_csv(RECOVERY)
    measured = {name: _identified(rows, *priors[name]) for name, rows in table.groupby("parameter")}
    assert set(measured) == set(IDENTIFIED), measured
    assert {name: m[0] for name, m in measured.items()} == IDENTIFIED, measured
