"""Simple reference forecasts that ``boernesim backtest`` sets beside the model, and the scoring of both.

A model earns its keep only if it beats naive forecasts made from the same history, so ``backtest``
scores it against three of them, each fitted on the years up to ``fit_until`` and projected
``horizon`` years ahead:

* ``last_value``: each metric's latest observation carried forward;
* ``linear_trend``: an ordinary least squares line through the observations, extrapolated;
* ``stock_flow``: a deterministic stock-and-flow projection with constant exit rates and constant
  inflow rates per 1,000 residents aged 0-17.

A history is long (``year, metric, value``, see docs/contract.md "History files") and may have gaps and
different years per metric. Every function returns ``method, metric, year, forecast, note``; the note
says what the forecast rests on, so a reader of the back-test can see when a method fell back to a
cruder rule. ``score`` joins any forecasts (the model's included, with its p05/p95 band) with the
observed values into the ``backtest.csv`` columns, and ``mape_table`` sums them up per method and metric.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.model.catalogue import POPULATION_METRICS as _POPULATION_METRICS
from sim.model.catalogue import is_ratio, is_share

# --- Tables: extend these, not the code -------------------------------------------------------------

# Stocks (at 31 December) whose yearly inflow is also a metric. The stock-flow method estimates an exit
# rate for each such pair and projects stock[t] = stock[t-1] * (1 - rate) + inflow[t].
STOCK_INFLOWS: dict[str, str] = {
    "children_placed": "placements_started",
}
# The same pairing for families of metrics named by a prefix: stock.<step> <- measures_started.<step>,
# whatever step ids the scenario uses.
STOCK_INFLOW_PREFIXES: dict[str, str] = {
    "stock.": "measures_started.",
}
# The population that flows are expressed per 1,000 of, and the metrics that are populations (held at
# their last value rather than scaled by themselves).
POPULATION = "population_0_17"
POPULATION_METRICS = frozenset(_POPULATION_METRICS)
# Ratios and averages (sim.model.catalogue.is_ratio: shares, per-FTE, per-child, days) are not scaled by the
# population; they are held at their recent mean.
# How many of the latest observations a "constant" rate or level is averaged over.
RECENT_YEARS = 3

FORECAST_COLUMNS = ["method", "metric", "year", "forecast", "note"]
SCORE_COLUMNS = ["method", "metric", "year", "actual", "forecast", "p05", "p95", "ape", "covered"]
MAPE_COLUMNS = ["method", "metric", "mape", "coverage", "n_years"]

HISTORY_COLUMNS = ("year", "metric", "value")


# --- Reading a history --------------------------------------------------------------------------------


def clean_history(history: pd.DataFrame, what: str = "history") -> pd.DataFrame:
    """``year`` (int), ``metric`` (str), ``value`` (float) rows with a value, or InputError.

    Rows without a value are dropped: a blank cell is a year nobody observed, not a zero. A metric
    observed twice in one year is an error, since no rule could tell which figure to trust.
    """
    if not isinstance(history, pd.DataFrame):
        raise InputError(f"{what}: expected a table with columns year, metric, value")
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise InputError(f"{what}: missing column(s) {', '.join(missing)} (expected year, metric, value)")
    frame = history.loc[:, list(HISTORY_COLUMNS)].copy()
    frame["year"] = _integer_years(frame["year"], what)
    frame["value"] = _numeric_values(frame["value"], what)
    frame = frame[frame["value"].notna() & frame["metric"].notna()]
    frame["metric"] = frame["metric"].astype(str).str.strip()
    _reject_duplicates(frame, what)
    return frame.sort_values(["metric", "year"], kind="stable").reset_index(drop=True)


def _integer_years(years: pd.Series, what: str) -> pd.Series:
    numeric = pd.to_numeric(years, errors="coerce")
    bad = numeric.isna() | (numeric % 1 != 0)
    if bad.any():
        raise InputError(f"{what}: year must be a whole number, got {years[bad].iloc[0]!r}")
    return numeric.astype("int64")


def _numeric_values(values: pd.Series, what: str) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    bad = (numeric.isna() & values.notna()) | np.isinf(numeric)
    if bad.any():
        raise InputError(f"{what}: value must be a finite number, got {values[bad].iloc[0]!r}")
    return numeric


def _reject_duplicates(frame: pd.DataFrame, what: str) -> None:
    dup = frame[frame.duplicated(["metric", "year"], keep=False)]
    if not dup.empty:
        pairs = sorted({f"{m} {y}" for m, y in zip(dup["metric"], dup["year"])})
        raise InputError(f"{what}: more than one value for {', '.join(pairs[:5])}")


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral) or horizon < 1:
        raise InputError(f"horizon must be a whole number of years >= 1, got {horizon!r}")
    return int(horizon)


def _check_fit_until(fit_until) -> int:
    if isinstance(fit_until, bool) or not isinstance(fit_until, numbers.Integral):
        raise InputError(f"fit-until must be a year (a whole number), got {fit_until!r}")
    return int(fit_until)


def observed_series(history: pd.DataFrame, fit_until: int) -> dict[str, pd.Series]:
    """Each metric's observations up to and including ``fit_until``, as a year-indexed series.

    This is the only door through which the forecasts see the history, so nothing after
    ``fit_until`` can leak into them. Metrics first observed after ``fit_until`` are left out.
    """
    fit_until = _check_fit_until(fit_until)
    frame = clean_history(history)
    if frame.empty:
        raise InputError("history: no rows with a value")
    fitted = frame[frame["year"] <= fit_until]
    if fitted.empty:
        raise InputError(
            f"fit-until {fit_until} leaves no data: the history starts in {int(frame['year'].min())}"
        )
    return {metric: rows.set_index("year")["value"] for metric, rows in fitted.groupby("metric", sort=True)}


def _target_years(fit_until: int, horizon: int) -> list[int]:
    return list(range(fit_until + 1, fit_until + horizon + 1))


def _prepare(history: pd.DataFrame, fit_until, horizon) -> tuple[dict[str, pd.Series], list[int]]:
    horizon = _check_horizon(horizon)
    series = observed_series(history, fit_until)
    return series, _target_years(int(fit_until), horizon)


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=FORECAST_COLUMNS)
    return frame.astype({"method": str, "metric": str, "year": "int64", "forecast": float, "note": str})


def _records(method: str, metric: str, years: list[int], values, note: str) -> list[dict]:
    return [
        {"method": method, "metric": metric, "year": year, "forecast": float(value), "note": note}
        for year, value in zip(years, values)
    ]


def _span(years) -> str:
    first, last = int(min(years)), int(max(years))
    return str(first) if first == last else f"{first}-{last}"


# --- Bounds -------------------------------------------------------------------------------------------




def clip_to_bounds(metric: str, values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Values inside what the metric can be, and whether any had to move.

    Every metric in the contract is a count, a stock, money, a rate or a share, none of which can be
    negative; shares and probabilities cannot exceed 1. A straight line does not know that.
    """
    values = np.asarray(values, dtype=float)
    upper = 1.0 if is_share(metric) else np.inf
    clipped = np.clip(values, 0.0, upper)
    return clipped, bool(np.any(clipped != values))


def _clip_note(note: str, clipped: bool, metric: str) -> str:
    if not clipped:
        return note
    return note + ("; clipped to [0, 1]" if is_share(metric) else "; clipped at 0")


# --- Method 1: last value -----------------------------------------------------------------------------


def last_value(history: pd.DataFrame, fit_until: int, horizon: int) -> pd.DataFrame:
    """Each metric's latest observation up to ``fit_until``, carried forward ``horizon`` years."""
    series, years = _prepare(history, fit_until, horizon)
    records: list[dict] = []
    for metric, obs in series.items():
        note = f"last observed {int(obs.index[-1])}"
        records += _records("last_value", metric, years, [obs.iloc[-1]] * len(years), note)
    return _frame(records)


# --- Method 2: linear trend ---------------------------------------------------------------------------


def ols_line(years, values) -> tuple[float, float, float]:
    """(mean year, value at the mean year, slope) of the least squares line through the points.

    Years are centred before fitting: squaring raw years (~4 million) in the normal equations would
    throw away digits for nothing. With one point the slope is 0, so the line is the last value.
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    x_mean, y_mean = x.mean(), y.mean()
    spread = np.sum((x - x_mean) ** 2)
    slope = float(np.sum((x - x_mean) * (y - y_mean)) / spread) if spread > 0 else 0.0
    return float(x_mean), float(y_mean), slope


def linear_trend(history: pd.DataFrame, fit_until: int, horizon: int) -> pd.DataFrame:
    """An OLS line through each metric's observations up to ``fit_until``, extrapolated and clipped."""
    series, years = _prepare(history, fit_until, horizon)
    records: list[dict] = []
    for metric, obs in series.items():
        x_mean, y_mean, slope = ols_line(obs.index, obs.to_numpy())
        raw = y_mean + slope * (np.asarray(years, dtype=float) - x_mean)
        values, clipped = clip_to_bounds(metric, raw)
        if len(obs) == 1:
            note = f"one observation ({int(obs.index[0])}): last value"
        else:
            note = f"OLS through {len(obs)} observations {_span(obs.index)}, slope {slope:.6g} per year"
        records += _records("linear_trend", metric, years, values, _clip_note(note, clipped, metric))
    return _frame(records)


# --- Method 3: stock and flow -------------------------------------------------------------------------


def inflow_partner(metric: str) -> str | None:
    """The inflow metric of a stock, from the tables at the top, or None if it has none."""
    if metric in STOCK_INFLOWS:
        return STOCK_INFLOWS[metric]
    for stock_prefix, inflow_prefix in STOCK_INFLOW_PREFIXES.items():
        if metric.startswith(stock_prefix) and len(metric) > len(stock_prefix):
            return inflow_prefix + metric[len(stock_prefix):]
    return None




def exit_rate(stock: pd.Series, inflow: pd.Series) -> tuple[float, list[int]] | None:
    """The mean yearly exit rate of a stock and the years it was estimated from, or None.

    From the balance stock[t] = stock[t-1] + inflow[t] - exits[t], each year t with stock[t-1],
    stock[t] and inflow[t] all observed gives exits[t] / stock[t-1]. A year whose previous stock is 0
    says nothing about a rate and is skipped. The mean is clipped to [0, 1]: data revisions can make
    one year's balance slightly impossible, and a projection with a negative rate would explode.
    """
    rates, years = [], []
    for year in stock.index:
        prev = year - 1
        if prev in stock.index and year in inflow.index and stock[prev] > 0:
            exits = stock[prev] + inflow[year] - stock[year]
            rates.append(exits / stock[prev])
            years.append(int(year))
    if not rates:
        return None
    return float(np.clip(np.mean(rates), 0.0, 1.0)), years


def constant_level(metric: str, obs: pd.Series, population: pd.Series | None) -> tuple[float, str]:
    """The level a metric without a stock-flow pair is held at, and a note saying how it was found.

    Populations keep their last value; ratios keep their recent mean; counts and money are held at
    their recent mean rate per 1,000 residents aged 0-17 times the last known population, so a
    municipality that grows or shrinks is not mistaken for a change in practice. Without a population
    (or without a year where both are observed) they keep their recent mean level.
    """
    if metric in POPULATION_METRICS:
        return float(obs.iloc[-1]), f"population held at its last value ({int(obs.index[-1])})"
    recent = obs.iloc[-RECENT_YEARS:]
    mean_level = float(recent.mean()), f"mean of {len(recent)} latest observations {_span(recent.index)}"
    if is_ratio(metric):
        return mean_level
    if population is None:
        return mean_level[0], mean_level[1] + f" (no {POPULATION} in the history)"
    common = obs.index.intersection(population.index)
    if common.empty:
        return mean_level[0], mean_level[1] + f" (no year with both {metric} and {POPULATION})"
    common = common.sort_values()[-RECENT_YEARS:]
    rate = float(np.mean(obs[common] / population[common] * 1000.0))
    level = rate * float(population.iloc[-1]) / 1000.0
    note = (
        f"{rate:.6g} per 1,000 aged 0-17 (mean {_span(common)}) x {POPULATION} "
        f"{population.iloc[-1]:.6g} ({int(population.index[-1])})"
    )
    return level, note


def project_stock(
    stock: pd.Series, inflow: pd.Series, rate: float, future_inflow: float, until: int
) -> dict[int, float]:
    """stock[t] = stock[t-1] * (1 - rate) + inflow[t] from the last observed stock year to ``until``.

    If the stock's last observation is older than the inflow's, the observed inflows fill the gap:
    they are data up to fit-until, and dropping them would throw information away.
    """
    year, level = int(stock.index[-1]), float(stock.iloc[-1])
    path: dict[int, float] = {}
    while year < until:
        year += 1
        arriving = float(inflow[year]) if year in inflow.index else future_inflow
        level = level * (1.0 - rate) + arriving
        path[year] = level
    return path


def _stock_flow_metric(
    metric: str, series: dict[str, pd.Series], population: pd.Series | None, years: list[int]
) -> tuple[list[float], str]:
    """Forecast values and note of one metric under the stock-flow method."""
    obs = series[metric]
    partner = inflow_partner(metric)
    if partner is None:
        level, note = constant_level(metric, obs, population)
        return [level] * len(years), "held constant: " + note
    if partner not in series:
        level, note = constant_level(metric, obs, population)
        return [level] * len(years), f"fell back to constant rate, no {partner} in the history: " + note
    estimate = exit_rate(obs, series[partner])
    if estimate is None:
        level, note = constant_level(metric, obs, population)
        return [level] * len(years), (
            f"fell back to constant rate, no consecutive years of {metric} with {partner} "
            f"to estimate an exit rate: " + note
        )
    rate, rate_years = estimate
    inflow_level, inflow_note = constant_level(partner, series[partner], population)
    path = project_stock(obs, series[partner], rate, inflow_level, years[-1])
    note = (
        f"stock-flow: exit rate {rate:.6g} per year (mean over {_span(rate_years)}, {len(rate_years)} "
        f"year(s)), from {int(obs.index[-1])}; inflow {partner} {inflow_level:.6g} per year: {inflow_note}"
    )
    return [path[year] for year in years], note


def stock_flow(history: pd.DataFrame, fit_until: int, horizon: int) -> pd.DataFrame:
    """A deterministic stock-and-flow projection with constant exit and inflow rates.

    Stocks with an inflow partner (see STOCK_INFLOWS) are projected with their estimated exit rate;
    every other metric is held at a constant rate (see ``constant_level``). The note says which rule
    each metric got, including when a pair could not be estimated and the constant rule stood in.
    """
    series, years = _prepare(history, fit_until, horizon)
    population = series.get(POPULATION)
    records: list[dict] = []
    for metric in series:
        values, note = _stock_flow_metric(metric, series, population, years)
        values, clipped = clip_to_bounds(metric, values)
        records += _records("stock_flow", metric, years, values, _clip_note(note, clipped, metric))
    return _frame(records)


def simple_forecasts(history: pd.DataFrame, fit_until: int, horizon: int) -> pd.DataFrame:
    """The three reference forecasts, one after the other."""
    frames = [method(history, fit_until, horizon) for method in (last_value, linear_trend, stock_flow)]
    return pd.concat(frames, ignore_index=True)


# --- Scoring ------------------------------------------------------------------------------------------


def _forecast_table(forecasts: pd.DataFrame) -> pd.DataFrame:
    """method, metric, year, forecast, p05, p95 of ``forecasts``; p05/p95 are NaN where absent."""
    need = ["method", "metric", "year", "forecast"]
    missing = [c for c in need if c not in forecasts.columns]
    if missing:
        raise InputError(f"forecasts: missing column(s) {', '.join(missing)}")
    table = forecasts.loc[:, need].copy()
    for band in ("p05", "p95"):
        # A method without a band (the simple ones) simply has no such column.
        table[band] = pd.to_numeric(forecasts[band], errors="coerce") if band in forecasts.columns else np.nan
    table["year"] = _integer_years(table["year"], "forecasts")
    table["forecast"] = pd.to_numeric(table["forecast"], errors="coerce").astype(float)
    table["metric"] = table["metric"].astype(str)
    return table


def score(forecasts: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Forecasts joined with what happened: the ``backtest.csv`` columns of docs/contract.md.

    ``actual`` is a history (year, metric, value). ``ape`` = |forecast - actual| / |actual|, NaN where
    the actual is missing or 0 (a relative error against 0 is undefined). ``covered`` = p05 <= actual
    <= p95, a nullable boolean that is NA where there is no band or no actual: "not covered" and "could
    not be checked" must not be confused when coverage is averaged.
    """
    table = _forecast_table(forecasts)
    observed = clean_history(actual, "actual").rename(columns={"value": "actual"})
    joined = table.merge(observed, on=["metric", "year"], how="left", validate="many_to_one")
    a, f = joined["actual"].astype(float), joined["forecast"].astype(float)
    usable = a.notna() & (a != 0)
    joined["ape"] = ((f - a).abs() / a.abs()).where(usable)
    has_band = joined["p05"].notna() & joined["p95"].notna() & a.notna()
    covered = pd.Series(pd.NA, index=joined.index, dtype="boolean")
    covered[has_band] = ((joined["p05"] <= a) & (a <= joined["p95"]))[has_band]
    joined["covered"] = covered
    return joined.loc[:, SCORE_COLUMNS].reset_index(drop=True)


def mape_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Per method and metric: mape (mean ape, a fraction), coverage and n_years.

    ``coverage`` is the share of years with a band (and an actual) whose actual fell inside it; NaN for
    methods without a band. ``n_years`` counts the years the mape averages over (years with an ape).
    """
    missing = [c for c in ("method", "metric", "ape", "covered") if c not in scored.columns]
    if missing:
        raise InputError(f"scored: missing column(s) {', '.join(missing)}")
    rows = []
    for (method, metric), group in scored.groupby(["method", "metric"], sort=False):
        ape = group["ape"].astype(float)
        checked = group["covered"].astype("boolean").dropna()
        rows.append(
            {
                "method": method,
                "metric": metric,
                "mape": float(ape.mean()) if ape.notna().any() else np.nan,
                "coverage": float(checked.astype(float).mean()) if len(checked) else np.nan,
                "n_years": int(ape.notna().sum()),
            }
        )
    return pd.DataFrame.from_records(rows, columns=MAPE_COLUMNS).astype({"n_years": "int64"})
