"""The forecast checks on rolling origins of the national history, read from the stored damped back-test
(`calibration/national/damped_backtest.py`, outputs in `calibration/national/results/damped_backtest/`; its three
fits and projections cost about half an hour of CPU, too much for the suite). Rerun the script when the model or
the fit changes; these tests then check the new numbers. The back-test is out of sample: each origin's phi is
learnt from the years up to it and its trend walk chosen on earlier origins (`settings.json` says which), so
nothing here was tuned on the years it is scored on. A check the data fail is kept strict and marked
xfail(strict=True) with the measured numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
STORED = ROOT / "calibration" / "national" / "results" / "damped_backtest"
NAIVE = ("last_value", "linear_trend", "stock_flow")


@pytest.fixture(scope="module")
def rolling() -> pd.DataFrame:
    return pd.read_csv(STORED / "backtest_rolling.csv")


def _row(rolling: pd.DataFrame, method: str, metric: str = "all", horizon: int = 0) -> pd.Series:
    rows = rolling[(rolling["method"] == method) & (rolling["metric"] == metric) & (rolling["horizon"] == horizon)]
    assert len(rows) == 1, (method, metric, horizon)
    return rows.iloc[0]


def test_each_origin_s_phi_and_walk_were_known_at_it():
    settings = json.loads((STORED / "settings.json").read_text())
    origins = settings["origins"]
    assert [o["origin"] for o in origins] == [2016, 2017, 2018]
    assert all(o["phi_source"] in ("learnt", "prior") for o in origins), origins
    assert all(o["walk_source"] in ("earlier origins", "prior") for o in origins), origins
    assert origins[0]["walk_source"] == "prior"  # nothing was scored before the first origin


def test_pooled_mape_below_each_naive_method(rolling):
    model = _row(rolling, "model")["mape"]
    naive = {m: _row(rolling, m)["mape"] for m in NAIVE}
    assert all(model < v for v in naive.values()), (model, naive)


@pytest.mark.xfail(strict=True, reason="measured 2026-12-07 (40 particles, 5 generations, 20 replications at "
                   "scale 8; phi 1 and no walk at every origin, out of sample): MASE 0.57, 0.65 and 1.11 at horizons "
                   "1-3. Horizon 3 rests on one forecast with a MASE scale (preventive measures 2016 -> 2019: the "
                   "history has one year before 2016 for the other metrics), on which the model's 1.11 is below "
                   "'same as last year' (1.31) and the linear trend (1.69)")
def test_mase_below_1_at_every_horizon(rolling):
    mase = {h: _row(rolling, "model", horizon=h)["mase"] for h in (1, 2, 3)}
    assert all(v < 1 for v in mase.values()), mase


@pytest.mark.xfail(strict=True, reason="measured 2026-12-07 (settings as above): the 90 % band held 25 of 25 "
                   "forecasts and the 50 % band 20 of 25 (0.80) without any trend walk: too wide, and a walk only "
                   "widens it. The width comes from the fit, not a walk: the reduced ABC fit (40 particles, 5 "
                   "generations) and the first origin's two years (2016's bands span +-20 % at horizon 3); the spec's "
                   "settings "
                   "held 22 of 25 in the full-trend back-test (checks.json)")
def test_the_90_percent_band_covers_between_80_and_97_percent(rolling):
    coverage = _row(rolling, "model")["coverage_90"]
    assert 0.8 <= coverage <= 0.97, coverage


def test_notifications_no_worse_than_same_as_last_year_by_more_than_2_points(rolling):
    model, last = (_row(rolling, m, "notifications")["mape"] for m in ("model", "last_value"))
    assert model <= last + 0.02, (model, last)
