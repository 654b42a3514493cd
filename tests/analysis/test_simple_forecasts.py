"""The simple reference forecasts of ``backtest`` and their scoring, checked against numbers worked out by
hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.simple_forecasts import (
    FORECAST_COLUMNS,
    MAPE_COLUMNS,
    SCORE_COLUMNS,
    last_value,
    linear_trend,
    mape_table,
    score,
    simple_forecasts,
    stock_flow,
)
from sim.errors import InputError

NATIONAL = Path(__file__).resolve().parents[2] / "calibration" / "national" / "history.csv"


def history(*rows: tuple[int, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


def forecast_of(frame: pd.DataFrame, metric: str) -> dict[int, float]:
    """{year: forecast} of one metric in a forecast frame."""
    rows = frame[frame["metric"] == metric]
    return dict(zip(rows["year"].astype(int), rows["forecast"].astype(float)))


def note_of(frame: pd.DataFrame, metric: str) -> str:
    return frame.loc[frame["metric"] == metric, "note"].iloc[0]


# --- last_value ---------------------------------------------------------------------------------------


def test_last_value_carries_the_latest_observation_across_gaps():
    h = history(
        (2015, "notifications", 97000), (2017, "notifications", 117400), (2019, "notifications", 137986),
        (2015, "children_preventive", 38391), (2016, "children_preventive", 40000),
        (2018, "children_preventive", np.nan),  # a blank cell is not an observation
    )
    out = last_value(h, fit_until=2018, horizon=3)
    assert list(out.columns) == FORECAST_COLUMNS
    assert set(out["method"]) == {"last_value"}
    # notifications: 2019 is after fit_until, so 2017's 117400 is the last value.
    assert forecast_of(out, "notifications") == {2019: 117400.0, 2020: 117400.0, 2021: 117400.0}
    assert forecast_of(out, "children_preventive") == {2019: 40000.0, 2020: 40000.0, 2021: 40000.0}
    assert "2016" in note_of(out, "children_preventive")


def test_metric_first_observed_after_fit_until_is_left_out():
    h = history((2016, "notifications", 10), (2019, "children_placed", 5))
    out = last_value(h, fit_until=2017, horizon=1)
    assert set(out["metric"]) == {"notifications"}


# --- linear_trend -------------------------------------------------------------------------------------


def test_linear_trend_is_exact_on_a_straight_line_with_a_gap():
    # value = 100 + 5 * (year - 2010), observed 2010, 2011, 2013; 2014 lies off the line but is after
    # fit_until.
    h = history((2010, "notifications", 100), (2011, "notifications", 105), (2013, "notifications", 115),
                (2014, "notifications", 999))
    out = linear_trend(h, fit_until=2013, horizon=3)
    assert forecast_of(out, "notifications") == pytest.approx({2014: 120.0, 2015: 125.0, 2016: 130.0})


def test_linear_trend_is_least_squares_not_first_to_last():
    # Points (2000, 1), (2001, 2), (2002, 2): mean year 2001, mean value 5/3,
    # slope = ((-1)(1 - 5/3) + 0 + (1)(2 - 5/3)) / ((-1)^2 + 0 + 1^2) = (2/3 + 1/3) / 2 = 0.5.
    # 2003: 5/3 + 2 * 0.5 = 8/3; 2004: 5/3 + 3 * 0.5 = 19/6.
    h = history((2000, "caseload", 1), (2001, "caseload", 2), (2002, "caseload", 2))
    out = linear_trend(h, fit_until=2002, horizon=2)
    assert forecast_of(out, "caseload") == pytest.approx({2003: 8 / 3, 2004: 19 / 6})


def test_linear_trend_with_one_point_equals_last_value():
    h = history((2018, "population_0_17", 1160000), (2015, "notifications", 97000),
                (2017, "notifications", 117400))
    trend = linear_trend(h, fit_until=2018, horizon=2)
    last = last_value(h, fit_until=2018, horizon=2)
    assert forecast_of(trend, "population_0_17") == forecast_of(last, "population_0_17") == {
        2019: 1160000.0, 2020: 1160000.0}


def test_linear_trend_clips_shares_to_the_unit_interval_and_counts_at_zero():
    h = history(
        # share rising 0.1 a year: 2019 would be 1.1, 2020 1.2
        (2016, "reviews_on_time_share", 0.8), (2017, "reviews_on_time_share", 0.9),
        (2018, "reviews_on_time_share", 1.0),
        # share falling 0.1 a year: 2019 would be 0.0, 2020 -0.1
        (2017, "investigations_overdue_share", 0.2), (2018, "investigations_overdue_share", 0.1),
        # count falling 10 a year: 2019 0, 2020 -10
        (2016, "placements_started", 30), (2017, "placements_started", 20), (2018, "placements_started", 10),
        # money rising: no clipping, 2019 = 1300, 2020 = 1400
        (2017, "cost_total", 1100), (2018, "cost_total", 1200),
    )
    out = linear_trend(h, fit_until=2018, horizon=2)
    assert forecast_of(out, "reviews_on_time_share") == pytest.approx({2019: 1.0, 2020: 1.0})
    assert forecast_of(out, "investigations_overdue_share") == pytest.approx({2019: 0.0, 2020: 0.0}, abs=1e-12)
    assert forecast_of(out, "placements_started") == pytest.approx({2019: 0.0, 2020: 0.0}, abs=1e-9)
    assert forecast_of(out, "cost_total") == pytest.approx({2019: 1300.0, 2020: 1400.0})
    assert "clipped to [0, 1]" in note_of(out, "reviews_on_time_share")
    assert "clipped at 0" in note_of(out, "placements_started")
    assert "clipped" not in note_of(out, "cost_total")


# --- stock_flow ---------------------------------------------------------------------------------------


def _placed_series(population: bool) -> pd.DataFrame:
    """children_placed generated with exit rate 0.25 and 100 placements a year (2 per 1,000 of 50,000):
    1000 -> 1000*0.75+100 = 850 -> 850*0.75+100 = 737.5 -> 737.5*0.75+100 = 653.125."""
    rows = [
        (2010, "children_placed", 1000.0), (2011, "children_placed", 850.0),
        (2012, "children_placed", 737.5), (2013, "children_placed", 653.125),
        (2011, "placements_started", 100.0), (2012, "placements_started", 100.0),
        (2013, "placements_started", 100.0),
        # after fit_until (2013) and deliberately off the generating process: must not matter
        (2014, "children_placed", 1.0), (2014, "placements_started", 7777.0),
    ]
    if population:
        rows += [(y, "population_0_17", 50000.0) for y in range(2010, 2014)] + [(2014, "population_0_17", 9.0)]
    return history(*rows)


@pytest.mark.parametrize("population", [True, False])
def test_stock_flow_reproduces_a_constant_exit_rate_series_exactly(population):
    out = stock_flow(_placed_series(population), fit_until=2013, horizon=3)
    # 653.125*0.75+100 = 589.84375; *0.75+100 = 542.3828125; *0.75+100 = 506.787109375
    assert forecast_of(out, "children_placed") == pytest.approx(
        {2014: 589.84375, 2015: 542.3828125, 2016: 506.787109375}, rel=1e-12)
    assert forecast_of(out, "placements_started") == pytest.approx({2014: 100.0, 2015: 100.0, 2016: 100.0})
    assert "exit rate 0.25" in note_of(out, "children_placed")
    assert set(out["method"]) == {"stock_flow"}


def test_stock_flow_fills_a_stock_gap_with_observed_inflow():
    # Stock known to 2012 only; placements observed 2011-2013 (100, 100, 160), no population.
    # Exit rate from 2011 and 2012: (1000+100-850)/1000 = 0.25, (850+100-737.5)/850 = 0.25.
    # Future inflow = mean of the last 3 = (100+100+160)/3 = 120.
    # 2013 (observed inflow 160): 737.5*0.75+160 = 713.125; 2014: 713.125*0.75+120 = 654.84375;
    # 2015: 654.84375*0.75+120 = 611.1328125.
    h = history(
        (2010, "children_placed", 1000.0), (2011, "children_placed", 850.0), (2012, "children_placed", 737.5),
        (2011, "placements_started", 100.0), (2012, "placements_started", 100.0),
        (2013, "placements_started", 160.0),
    )
    out = stock_flow(h, fit_until=2013, horizon=2)
    assert forecast_of(out, "children_placed") == pytest.approx({2014: 654.84375, 2015: 611.1328125})
    assert forecast_of(out, "placements_started") == pytest.approx({2014: 120.0, 2015: 120.0})


def test_stock_flow_pairs_staircase_steps_by_prefix():
    # stock.foster_family <- measures_started.foster_family with exit rate 0.5 and 10 starts a year:
    # 40 -> 40*0.5+10 = 30 -> 30*0.5+10 = 25 -> 2013: 25*0.5+10 = 22.5 -> 2014: 22.5*0.5+10 = 21.25.
    h = history(
        (2010, "stock.foster_family", 40.0), (2011, "stock.foster_family", 30.0),
        (2012, "stock.foster_family", 25.0),
        (2011, "measures_started.foster_family", 10.0), (2012, "measures_started.foster_family", 10.0),
    )
    out = stock_flow(h, fit_until=2012, horizon=2)
    assert forecast_of(out, "stock.foster_family") == pytest.approx({2013: 22.5, 2014: 21.25})


def test_stock_flow_clips_an_impossible_exit_rate_at_zero():
    # Stock rose by more than the inflow: exits = 100+10-150 = -40, rate -0.4 -> 0.
    # 2012: 150*(1-0)+10 = 160; 2013: 170.
    h = history((2010, "children_placed", 100.0), (2011, "children_placed", 150.0),
                (2011, "placements_started", 10.0))
    out = stock_flow(h, fit_until=2011, horizon=2)
    assert forecast_of(out, "children_placed") == pytest.approx({2012: 160.0, 2013: 170.0})


def test_stock_flow_holds_flows_at_their_recent_rate_per_1000_children():
    h = history(
        # per 1,000: 2015 50 (outside the last 3), 2016 10, 2017 12, 2018 14 -> mean 12
        (2015, "notifications", 5000), (2016, "notifications", 1000), (2017, "notifications", 1320),
        (2018, "notifications", 1400),
        (2015, "population_0_17", 100000), (2016, "population_0_17", 100000),
        (2017, "population_0_17", 110000), (2018, "population_0_17", 100000),
        (2019, "population_0_17", 200000),  # after fit_until: the population is held at 2018's
    )
    out = stock_flow(h, fit_until=2018, horizon=2)
    # 12 per 1,000 x 100,000 = 1200
    assert forecast_of(out, "notifications") == pytest.approx({2019: 1200.0, 2020: 1200.0})
    assert forecast_of(out, "population_0_17") == {2019: 100000.0, 2020: 100000.0}


def test_stock_flow_holds_flows_at_their_recent_mean_without_population():
    # last 3 of 5000, 1000, 1320, 1400: (1000+1320+1400)/3 = 1240
    h = history((2015, "notifications", 5000), (2016, "notifications", 1000), (2017, "notifications", 1320),
                (2018, "notifications", 1400))
    out = stock_flow(h, fit_until=2018, horizon=1)
    assert forecast_of(out, "notifications") == pytest.approx({2019: 1240.0})


def test_stock_flow_does_not_scale_shares_by_population():
    # last 3 of 0.5, 0.6, 0.7, 0.9: (0.6+0.7+0.9)/3 = 0.7333...; population doubling must not matter
    h = history(
        (2015, "reviews_on_time_share", 0.5), (2016, "reviews_on_time_share", 0.6),
        (2017, "reviews_on_time_share", 0.7), (2018, "reviews_on_time_share", 0.9),
        (2016, "population_0_17", 1000), (2018, "population_0_17", 2000),
    )
    out = stock_flow(h, fit_until=2018, horizon=1)
    assert forecast_of(out, "reviews_on_time_share") == pytest.approx({2019: 2.2 / 3})


def test_stock_flow_falls_back_when_no_consecutive_years_and_says_so():
    # Stock 2015, 2017; inflow 2016, 2018: no year t with stock[t-1], stock[t] and inflow[t].
    # Fallback: no population, so the mean of the stock's last observations (100+120)/2 = 110.
    h = history((2015, "children_placed", 100.0), (2017, "children_placed", 120.0),
                (2016, "placements_started", 30.0), (2018, "placements_started", 40.0))
    out = stock_flow(h, fit_until=2018, horizon=2)
    assert forecast_of(out, "children_placed") == pytest.approx({2019: 110.0, 2020: 110.0})
    note = note_of(out, "children_placed")
    assert "fell back" in note and "no consecutive years" in note


def test_stock_flow_on_the_national_history():
    # fit_until 2018: the only usable pair is 2018: rate = (13960 + 3871 - 13823) / 13960 = 4008/13960.
    # Inflow: 3871/1,160,000 per child x 1,160,000 = 3871 (population only known in 2018).
    out = stock_flow(pd.read_csv(NATIONAL), fit_until=2018, horizon=2)
    rate = 4008 / 13960
    y2019 = 13823 * (1 - rate) + 3871  # = 13725.33...
    assert forecast_of(out, "children_placed") == pytest.approx({2019: y2019, 2020: y2019 * (1 - rate) + 3871})
    assert 13725 < y2019 < 13726


# --- all three ----------------------------------------------------------------------------------------


def test_simple_forecasts_stacks_the_three_methods():
    h = pd.read_csv(NATIONAL)
    out = simple_forecasts(h, fit_until=2018, horizon=2)
    assert list(out.columns) == FORECAST_COLUMNS
    assert list(out["method"].unique()) == ["last_value", "linear_trend", "stock_flow"]
    # 7 metrics observed by 2018, 2 years, 3 methods
    assert len(out) == 7 * 2 * 3
    assert out["forecast"].notna().all() and (out["forecast"] >= 0).all()
    assert (out["note"].str.len() > 0).all()


def test_only_data_up_to_fit_until_is_used():
    h = pd.read_csv(NATIONAL)
    before = simple_forecasts(h, fit_until=2017, horizon=3)
    changed = h.copy()
    later = changed["year"] > 2017
    changed.loc[later, "value"] = changed.loc[later, "value"] * 10 + 12345
    changed = pd.concat([changed, history((2018, "cost_total", 5e9), (2021, "children_placed", 1.0))])
    after = simple_forecasts(changed, fit_until=2017, horizon=3)
    pd.testing.assert_frame_equal(before, after)
    # ...and the same check must be able to fail: with fit_until 2018 the changed 2018 values count.
    assert not simple_forecasts(h, 2018, 3).equals(simple_forecasts(changed, 2018, 3))


# --- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [last_value, linear_trend, stock_flow, simple_forecasts])
def test_fit_until_before_all_data_is_an_input_error(method):
    with pytest.raises(InputError, match="fit-until 2014 leaves no data.*2015"):
        method(pd.read_csv(NATIONAL), 2014, 2)


@pytest.mark.parametrize("horizon", [0, -1, 1.5, True, "2"])
@pytest.mark.parametrize("method", [last_value, linear_trend, stock_flow])
def test_horizon_must_be_a_whole_number_of_at_least_one(method, horizon):
    with pytest.raises(InputError, match="horizon"):
        method(pd.read_csv(NATIONAL), 2018, horizon)


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"year": [2018], "value": [1.0]}), "missing column.*metric"),
        (history((2018, "notifications", 1.0), (2018, "notifications", 2.0)), "more than one value"),
        (history((2018, "notifications", "many")), "must be a finite number"),
        (history((2018, "notifications", np.inf)), "must be a finite number"),
        (history(("2018a", "notifications", 1.0)), "whole number"),
        (history((2018, "notifications", np.nan)), "no rows with a value"),
    ],
)
def test_bad_histories_are_input_errors(frame, message):
    with pytest.raises(InputError, match=message):
        last_value(frame, 2018, 1)


# --- score and mape_table -----------------------------------------------------------------------------


def _scored() -> pd.DataFrame:
    forecasts = pd.DataFrame(
        [
            # method, metric, year, forecast, p05, p95
            ("model", "notifications", 2019, 110.0, 90.0, 120.0),   # actual 100: ape 0.1, inside
            ("model", "notifications", 2020, 80.0, 85.0, 95.0),     # actual 100: ape 0.2, outside
            ("model", "notifications", 2021, 3.0, -5.0, 5.0),       # actual 0: ape NaN, inside
            ("model", "notifications", 2022, 50.0, 40.0, 60.0),     # no actual: ape NaN, NA
            ("last_value", "notifications", 2019, 120.0, np.nan, np.nan),  # ape 0.2, no band: NA
            ("last_value", "notifications", 2020, 125.0, np.nan, np.nan),  # ape 0.25, NA
        ],
        columns=["method", "metric", "year", "forecast", "p05", "p95"],
    )
    actual = history((2019, "notifications", 100.0), (2020, "notifications", 100.0),
                     (2021, "notifications", 0.0), (2018, "notifications", 7.0))
    return score(forecasts, actual)


def test_score_computes_ape_and_covered():
    s = _scored()
    assert list(s.columns) == SCORE_COLUMNS
    assert str(s["covered"].dtype) == "boolean"
    assert s["actual"].tolist()[:3] == [100.0, 100.0, 0.0] and math.isnan(s["actual"].iloc[3])
    ape = s["ape"].tolist()
    assert ape[0] == pytest.approx(0.1) and ape[1] == pytest.approx(0.2)
    assert math.isnan(ape[2]) and math.isnan(ape[3])  # actual 0, actual missing
    assert ape[4] == pytest.approx(0.2) and ape[5] == pytest.approx(0.25)
    covered = s["covered"].tolist()
    assert covered[0] is True and covered[1] is False and covered[2] is True
    assert all(c is pd.NA for c in covered[3:])


def test_score_band_edges_count_as_covered():
    forecasts = pd.DataFrame({"method": ["model"] * 2, "metric": ["x"] * 2, "year": [2019, 2020],
                              "forecast": [1.0, 1.0], "p05": [100.0, 0.0], "p95": [200.0, 100.0]})
    s = score(forecasts, history((2019, "x", 100.0), (2020, "x", 100.0)))
    assert s["covered"].tolist() == [True, True]


def test_score_without_band_columns_scores_simple_forecasts():
    h = pd.read_csv(NATIONAL)
    s = score(simple_forecasts(h, 2018, 1), h)
    assert s["p05"].isna().all() and s["covered"].isna().all()
    row = s[(s["method"] == "last_value") & (s["metric"] == "notifications")].iloc[0]
    # last value 127754 against 137986: |127754 - 137986| / 137986 = 10232 / 137986
    assert row["actual"] == 137986 and row["ape"] == pytest.approx(10232 / 137986)


def test_score_needs_the_forecast_columns():
    with pytest.raises(InputError, match="forecast"):
        score(pd.DataFrame({"method": ["model"], "metric": ["x"], "year": [2019]}), history((2019, "x", 1.0)))


def test_mape_table_averages_ape_and_coverage_over_what_could_be_checked():
    table = mape_table(_scored())
    assert list(table.columns) == MAPE_COLUMNS
    model = table[table["method"] == "model"].iloc[0]
    # ape 0.1 and 0.2 (the 0 and missing actuals are left out); covered True, False, True (NA left out)
    assert model["mape"] == pytest.approx(0.15)
    assert model["coverage"] == pytest.approx(2 / 3)
    assert model["n_years"] == 2
    simple = table[table["method"] == "last_value"].iloc[0]
    assert simple["mape"] == pytest.approx(0.225) and math.isnan(simple["coverage"]) and simple["n_years"] == 2
