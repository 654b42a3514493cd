"""Back-tests: fit on the years up to an origin, project the next K years, and score against what happened.

Rolling origins (``--origins 2016,2017,2018``): the whole fit is repeated at each origin with only the history
up to it, and the projections of every origin are scored together, per metric and horizon (years after the
origin). The model's projection runs the calibrated ensemble (one parameter set drawn per replication) from the
first fitted year to origin + K, and is then *conditioned on the last observed year* (:func:`conditioned_bands`):
each replication's path of a metric is rescaled so that it passes through the last value observed up to the
origin. Its band then carries what the model says about the change from there (simulation noise, parameter
uncertainty and, with ``drift:``, the propensities' random walk), not where the fitted model happens to be.

Beside it, three simple forecasts (:mod:`sim.analysis.simple_forecasts`): last value carried forward, a linear
trend and a deterministic stock-and-flow projection with constant rates, and a combination of the model with
two of them, weighted on earlier origins only (:mod:`sim.analysis.combination`). A model that cannot beat them on the
past should not be trusted on the future. Scores: MAPE, MASE (absolute error over the history's mean absolute
year-to-year change up to the origin: the in-sample error of "same as last year", Hyndman & Koehler 2006) and
the coverage of the model's 50 % and 90 % bands.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.calibration import (
    Calibration,
    Problem,
    calibrate,
    fit_table,
    population_metric,
    prepare,
    project,
    scale_for,
    to_history_scale,
    to_model_scale,
)
from sim.analysis.combination import winners, with_combination
from sim.analysis.simple_forecasts import clip_to_bounds, mape_table, score, simple_forecasts
from sim.data.history import value_at
from sim.errors import InputError
from sim.model.catalogue import POPULATION_METRICS
from sim.model.scenario import scenario_from_mapping

BAND_QUANTILES = {"p05": 0.05, "p25": 0.25, "p75": 0.75, "p95": 0.95}  # the 90 % and 50 % central bands
BACKTEST_COLUMNS = ["origin", "horizon", "method", "metric", "year", "actual", "forecast", "p05", "p25", "p75",
                    "p95", "ape", "ase", "covered_50", "covered"]
ROLLING_COLUMNS = ["method", "metric", "horizon", "mape", "mase", "coverage_50", "coverage_90", "n"]


@dataclass
class Backtest:
    """A back-test at one or more origins: the calibration at each origin, the projections after them, and
    their scores beside the simple forecasts'."""

    calibrations: dict[int, Calibration]  # origin -> the fit on the history up to it
    horizon: int
    scored: pd.DataFrame  # backtest.csv (BACKTEST_COLUMNS)
    summary: pd.DataFrame  # method, metric, mape, coverage, n_years (pooled over origins and horizons)
    rolling: pd.DataFrame = field(default_factory=pd.DataFrame)  # ROLLING_COLUMNS, per horizon and pooled
    history: pd.DataFrame | None = None  # the whole history (each fit saw only its part up to its origin)

    @property
    def origins(self) -> list[int]:
        return sorted(self.calibrations)

    @property
    def fit_until(self) -> int:
        """The last origin (for a one-origin back-test, its --fit-until)."""
        return self.origins[-1]

    @property
    def winners(self) -> pd.DataFrame:
        """Per metric and horizon, each method's MAPE and MASE and the lowest of each (backtest_winners.csv)."""
        return winners(self.rolling)

    @property
    def calibration(self) -> Calibration:
        """The fit at the last origin: the one that saw the most history."""
        return self.calibrations[self.fit_until]


def check_window(history: pd.DataFrame, fit_until: int, horizon: int) -> None:
    if horizon < 1:
        raise InputError("--horizon must be at least 1")
    data = history[~history["metric"].isin(POPULATION_METRICS)]
    if data.empty:
        raise InputError("the history has only population rows; there is nothing to fit or test against")
    first, last = int(data["year"].min()), int(data["year"].max())
    if fit_until < first:
        raise InputError(f"--fit-until {fit_until} is before the history starts ({first})")
    later = data[(data["year"] > fit_until) & (data["year"] <= fit_until + horizon)]
    if later.empty:
        raise InputError(f"the history has no values in {fit_until + 1}-{fit_until + horizon} to test against "
                         f"(it ends in {last}); choose an earlier --fit-until")


def parse_origins(text: str) -> list[int]:
    """``--origins 2016,2017,2018`` -> [2016, 2017, 2018] (sorted, each once), or InputError."""
    try:
        years = [int(part) for part in str(text).split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--origins must be years separated by commas, e.g. 2016,2017,2018 (got '{text}')") from None
    if not years:
        raise InputError("--origins needs at least one year, e.g. 2016,2017,2018")
    if len(set(years)) != len(years):
        raise InputError(f"--origins lists a year twice ({text}); give each origin once")
    return sorted(years)


def known_population(history: pd.DataFrame, fit_until: int) -> pd.DataFrame:
    """The population rows a back-test may use to turn the model's rates into counts: those up to fit_until,
    as the simple forecasts see them; a population the history gives only later (the national history has
    one year, 2018) is taken from its first year, the best there is."""
    rows = history[history["metric"].isin(POPULATION_METRICS)]
    known = rows[rows["year"] <= fit_until]
    later = rows[~rows["metric"].isin(set(known["metric"]))]
    first_later = later.sort_values("year").groupby("metric", as_index=False).head(1)
    return pd.concat([known, first_later], ignore_index=True)


# ---------------------------------------------------------------- conditioning on the origin


def last_observed(history: pd.DataFrame, metric: str, origin: int) -> tuple[int, float] | None:
    """(year, value) of the metric's latest observation up to ``origin``, or None."""
    rows = history[(history["metric"] == metric) & (history["year"] <= origin)]
    if rows.empty:
        return None
    row = rows.loc[rows["year"].idxmax()]
    return int(row["year"]), float(row["value"])


def anchored_paths(paths: pd.DataFrame, anchor_year: int, anchor_value: float) -> pd.DataFrame:
    """Replication x year paths rescaled so that each passes through ``anchor_value`` in ``anchor_year``
    (an intercept correction on the ratio scale). A replication that is 0 in the anchor year cannot be
    rescaled; it is shifted instead."""
    base = paths[anchor_year]
    ratio = anchor_value / base.where(base != 0)
    scaled = paths.mul(ratio, axis=0)
    shifted = paths.add(anchor_value - base, axis=0)
    return scaled.where(ratio.notna(), shifted, axis=0)


WALK_DRAWS = 10  # trend walks drawn per replication: 20 replications give a band from 200 values


def trend_walk_factors(n_paths: int, horizon: int, sd: float, phi: float,
                       rng: np.random.Generator) -> np.ndarray:
    """exp of a damped random walk on the trend, paths x horizons: b_h = phi * b_(h-1) + sd * z_h from b_0 = 0,
    the log level moved by b_1 + ... + b_h after h years (the damped local trend's own uncertainty)."""
    z = rng.standard_normal((n_paths, horizon)) * sd
    trend, level = np.zeros(n_paths), np.zeros((n_paths, horizon))
    for h in range(horizon):
        trend = phi * trend + z[:, h]
        level[:, h] = (level[:, h - 1] if h else 0.0) + trend
    return np.exp(level)


def with_trend_walk(paths: pd.DataFrame, origin: int, sd: float, phi: float, seed) -> pd.DataFrame:
    """Each replication's path repeated WALK_DRAWS times, the years after the origin times a trend walk
    (:func:`trend_walk_factors`); unchanged when sd is 0."""
    later = [y for y in paths.columns if y > origin]
    if sd <= 0.0 or not later:
        return paths
    many = pd.DataFrame(np.repeat(paths.to_numpy(dtype=float), WALK_DRAWS, axis=0), columns=paths.columns)
    horizon = max(later) - origin
    factors = trend_walk_factors(len(many), horizon, sd, phi, np.random.default_rng(seed))
    for year in later:
        many[year] = many[year] * factors[:, year - origin - 1]
    return many


def conditioned_bands(problem: Problem, table: pd.DataFrame, origin: int, years: Sequence[int],
                      population: pd.DataFrame, condition: bool = True, phi: float | None = None,
                      walk_sd: float | None = None) -> pd.DataFrame:
    """metric, year, forecast (mean), p05, p25, p75, p95 of the model on the history's scale, for the history
    metrics the model produces, in ``years`` after the origin. ``condition``: each replication's path first
    passes through the last value observed up to the origin (:func:`anchored_paths`); without it the paths
    are as simulated (for comparison). With the spec's ``projection_trend_walk_sd`` the years after the origin
    also carry a damped random walk on the trend (:func:`with_trend_walk`; ``phi`` the projection's, default
    the problem scenario's)."""
    spec = problem.spec
    phi = problem.scenario.trend_damping.phi if phi is None else phi
    walk_sd = spec.projection_trend_walk_sd if walk_sd is None else walk_sd
    produced = set(table["metric"])
    metrics = sorted(m for m in set(problem.history["metric"]) if m in produced and m not in POPULATION_METRICS)
    rows = []
    for index, metric in enumerate(metrics):
        scale = scale_for(metric, spec)
        paths = table[table["metric"] == metric].pivot_table(index="replication", columns="year", values="value")
        anchor = last_observed(problem.history, metric, origin)
        if scale != "absolute" and (value_at(population, population_metric(scale), origin) is None
                                    or (anchor and value_at(population, population_metric(scale), anchor[0]) is None)):
            scale = "absolute"
        if condition and anchor is not None and anchor[0] in paths.columns:
            at = to_model_scale(anchor[1], scale, anchor[0], population, problem.scenario)
            paths = anchored_paths(paths, anchor[0], at)
        paths = with_trend_walk(paths, origin, walk_sd, phi, [spec.seed, origin, index])
        for year in years:
            if year not in paths.columns:
                continue
            v = paths[year].dropna().to_numpy(dtype=float)
            v = to_history_scale(v, scale, year, population, problem.scenario)
            v, _ = clip_to_bounds(metric, np.asarray(v, dtype=float))
            rows.append({"metric": metric, "year": year, "forecast": float(np.mean(v)),
                         **{k: float(np.quantile(v, q)) for k, q in BAND_QUANTILES.items()}})
    return pd.DataFrame(rows, columns=["metric", "year", "forecast", *BAND_QUANTILES])


WALK_SD_GRID = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06)  # log trend per year: none to the 2006-2014
#   series' own error at phi 1 (calibration/national/results/damping.csv)


def earlier_forecasts(scored: pd.DataFrame, origin: int, method: str = "model") -> pd.DataFrame:
    """``method``'s scored forecasts a forecaster at ``origin`` could have checked: made at earlier origins, for
    years up to ``origin``."""
    return scored[(scored["method"] == method) & (scored["origin"] < origin) & (scored["year"] <= origin)]


def walk_sd_from_earlier(scored_by_sd: dict[float, pd.DataFrame], origin: int, *, prior: float,
                         target: float = 0.9, method: str = "model") -> tuple[float, int]:
    """The trend walk's sd for the forecasts made at ``origin``, chosen on earlier origins only: the smallest sd
    (keys of ``scored_by_sd``, each the back-test scored with that walk) whose 90 % band covered at least
    ``target`` of the forecasts :func:`earlier_forecasts` gives, or the largest when none did; ``prior`` when
    there are none. (sd, forecasts it rests on)."""
    sds = sorted(scored_by_sd)
    for sd in sds:
        known = earlier_forecasts(scored_by_sd[sd], origin, method)
        checked = known["covered"].astype("boolean").dropna()
        if checked.empty:
            return prior, 0
        if float(checked.astype(float).mean()) >= target:
            return sd, len(checked)
    return sds[-1], len(checked)


# ---------------------------------------------------------------- scores


def naive_scale(history: pd.DataFrame, metric: str, origin: int) -> float:
    """The mean absolute year-to-year change of a metric in the history up to ``origin`` (a change over a gap
    of g years counted as g changes of 1/g each): the in-sample error of "same as last year", MASE's scale.
    NaN with fewer than two observations or no change at all."""
    rows = history[(history["metric"] == metric) & (history["year"] <= origin)].sort_values("year")
    years, values = rows["year"].to_numpy(dtype=float), rows["value"].to_numpy(dtype=float)
    if len(years) < 2:
        return float("nan")
    gaps = np.diff(years)
    total = float(np.sum(np.abs(np.diff(values))))
    scale = total / float(np.sum(gaps))
    return scale if scale > 0 else float("nan")


def score_origin(forecasts: pd.DataFrame, history: pd.DataFrame, origin: int) -> pd.DataFrame:
    """The forecasts made at ``origin`` joined with what happened (BACKTEST_COLUMNS)."""
    band = forecasts.rename(columns={"p25": "_p25", "p75": "_p75"})
    scored = score(band.drop(columns=[c for c in ("_p25", "_p75") if c in band]), history)
    extra = forecasts[["method", "metric", "year", *[c for c in ("p25", "p75") if c in forecasts]]]
    scored = scored.merge(extra, on=["method", "metric", "year"], how="left")
    for c in ("p25", "p75"):
        if c not in scored:
            scored[c] = np.nan
    scored = scored[scored["actual"].notna()].copy()
    scored.insert(0, "origin", origin)
    scored.insert(1, "horizon", scored["year"] - origin)
    scales = {m: naive_scale(history, m, origin) for m in set(scored["metric"])}
    scored["ase"] = (scored["forecast"] - scored["actual"]).abs() / scored["metric"].map(scales)
    has50 = scored["p25"].notna() & scored["p75"].notna()
    covered_50 = pd.Series(pd.NA, index=scored.index, dtype="boolean")
    covered_50[has50] = ((scored["p25"] <= scored["actual"]) & (scored["actual"] <= scored["p75"]))[has50]
    scored["covered_50"] = covered_50
    scored["covered"] = scored["covered"].astype("boolean")
    return scored[BACKTEST_COLUMNS].sort_values(["metric", "method", "year"]).reset_index(drop=True)


def _share(values: pd.Series) -> float:
    checked = values.astype("boolean").dropna()
    return float(checked.astype(float).mean()) if len(checked) else float("nan")


def rolling_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Per method, metric and horizon, and pooled (metric ``all`` and/or horizon 0 = all horizons): MAPE, MASE,
    the coverage of the 50 % and 90 % bands and the number of forecasts scored."""
    rows = []
    groups = [(["method", "metric", "horizon"], None), (["method", "metric"], {"horizon": 0}),
              (["method", "horizon"], {"metric": "all"}), (["method"], {"metric": "all", "horizon": 0})]
    for keys, fixed in groups:
        for key, g in scored.groupby(keys, sort=True):
            key = key if isinstance(key, tuple) else (key,)
            row = dict(zip(keys, key), **(fixed or {}))
            row.update(mape=float(g["ape"].astype(float).mean()), mase=float(g["ase"].astype(float).mean()),
                       coverage_50=_share(g["covered_50"]), coverage_90=_share(g["covered"]),
                       n=int(g["ape"].notna().sum()))
            rows.append(row)
    return pd.DataFrame(rows, columns=ROLLING_COLUMNS).astype({"horizon": "int64", "n": "int64"})


# ---------------------------------------------------------------- running


def damped_after(raw: dict, origin: int) -> dict:
    """The scenario mapping with its trends damped from the origin on at the latest (``trend_damping``,
    sim.model.damping): a projection knows no year after its origin, so a ``full_until`` later than the origin
    becomes the origin; an earlier one (damping within the fitted years) stays. ``raw`` is changed and returned."""
    damping = raw.get("trend_damping") or {}
    full = damping.get("full_until")
    if full is not None and int(full) > origin:
        raw["trend_damping"] = {**damping, "full_until": origin}
    return raw


def origin_problem(raw: dict, spec, history: pd.DataFrame, origin: int, horizon: int, *,
                   source: str = "<spec>", scenario_source: str = "<scenario>") -> Problem:
    """The fit's problem on the history up to ``origin`` (the later years are not seen: it is prepared from the
    cut history, with the population rows a back-test may use)."""
    check_window(history, origin, horizon)
    seen = history[history["year"] <= origin]
    seen = pd.concat([seen, known_population(history, origin)], ignore_index=True).drop_duplicates(
        ["year", "metric"])
    problem: Problem = prepare(raw, spec, seen, fit_until=origin, source=source, scenario_source=scenario_source)
    if problem.years[1] != origin:
        raise InputError(f"the fit would end in {problem.years[1]}, not at the origin {origin}: the spec's years "
                         "or the targets' history end earlier; choose origin "
                         f"{problem.years[1]} or widen the spec's years")
    return problem


def fit_origin(raw: dict, spec, history: pd.DataFrame, origin: int, horizon: int, *, workers=None,
               journal: Path | None = None, on_progress=None, executor: str = "local", scheduler=None,
               source: str = "<spec>", scenario_source: str = "<scenario>",
               trials: int | None = None) -> tuple[Problem, Calibration]:
    """The fit on the history up to ``origin`` (:func:`origin_problem`): (problem, calibration)."""
    problem = origin_problem(raw, spec, history, origin, horizon, source=source, scenario_source=scenario_source)
    cal = calibrate(problem, workers=workers, journal=journal, on_progress=on_progress, executor=executor,
                    scheduler=scheduler, trials=trials, fit_bands=False)
    return problem, cal


def stored_calibration(problem: Problem, ensemble: pd.DataFrame) -> Calibration:
    """A calibration rebuilt from its kept sets (``Calibration.ensemble`` as stored, e.g. a parquet file of a
    fit at an origin), so that the projections after an origin can be run again, under other settings that act
    only there (the damping, the trend walk), without fitting again. It carries no trials and counts no
    simulations: those belong to the run that fitted it."""
    missing = [p.path for p in problem.spec.parameters if p.path not in ensemble.columns]
    if missing or "weight" not in ensemble.columns:
        raise InputError(f"the stored fit lacks {', '.join(missing or ['weight'])}: it is not a fit of this spec")
    return Calibration(problem=problem, trials=pd.DataFrame(), ensemble=ensemble.reset_index(drop=True), best={},
                       wall_seconds=0.0, simulations=0, events=0)


def projection_table(problem: Problem, cal: Calibration, origin: int, horizon: int, *, workers=None,
                     executor: str = "local", scheduler=None, scenario_source: str = "<scenario>",
                     changes: dict | None = None) -> tuple[float, pd.DataFrame]:
    """The fitted ensemble run from the first fitted year to ``origin + horizon``, damped from the origin on
    (:func:`damped_after`): (the projection's phi, the long table of its replications). ``changes``: top-level
    scenario sections replaced for this projection only (e.g. another ``trend_damping``). The simulations are
    counted in ``cal``. This is the back-test's only simulation after the fit: a table can be kept and read into
    :func:`model_forecast` under several trend walks."""
    spec = problem.spec
    longer = copy.deepcopy(problem.raw)
    longer.update(copy.deepcopy(changes or {}))
    longer = damped_after(longer, origin)
    longer["calendar"]["horizon_years"] = origin + horizon - problem.years[0] + 1
    scenario = scenario_from_mapping(longer, scenario_source)
    table, events = project(scenario, cal.parameter_sets, spec.projection_replications, spec.seed, workers,
                            executor, scheduler, spec.projection_scale)
    cal.events += events
    cal.simulations += spec.projection_replications
    return scenario.trend_damping.phi, table


def model_forecast(problem: Problem, table: pd.DataFrame, history: pd.DataFrame, origin: int, horizon: int, *,
                   phi: float, walk_sd: float | None = None, method: str = "model",
                   condition: bool = True) -> pd.DataFrame:
    """``method``'s forecast rows (method, metric, year, forecast, band) for the ``horizon`` years after the
    origin from a projection's table (:func:`projection_table`): conditioned on the origin and with the trend
    walk of sd ``walk_sd`` (default the spec's) damped by ``phi`` (:func:`conditioned_bands`). No simulation."""
    future = list(range(origin + 1, origin + horizon + 1))
    model = conditioned_bands(problem, table, origin, future, known_population(history, origin),
                              condition=condition, phi=phi, walk_sd=walk_sd)
    model.insert(0, "method", method)
    return model


def project_origin(problem: Problem, cal: Calibration, history: pd.DataFrame, origin: int, horizon: int, *,
                   workers=None, executor: str = "local", scheduler=None, scenario_source: str = "<scenario>",
                   condition: bool = True, changes: dict | None = None, method: str = "model",
                   walk_sd: float | None = None) -> pd.DataFrame:
    """The fitted ensemble projected ``horizon`` years past the origin, as ``method``'s forecast rows (metric,
    year, forecast, band): :func:`projection_table` then :func:`model_forecast`. Without ``changes`` the fitted
    years of the same projection become ``cal.fit``; ``walk_sd``: the trend walk's sd instead of the spec's."""
    phi, table = projection_table(problem, cal, origin, horizon, workers=workers, executor=executor,
                                  scheduler=scheduler, scenario_source=scenario_source, changes=changes)
    if not changes:
        cal.fit = fit_table(problem, table)  # the fitted years of the same projection
    return model_forecast(problem, table, history, origin, horizon, phi=phi, walk_sd=walk_sd, method=method,
                          condition=condition)


def backtest_origin(raw: dict, spec, history: pd.DataFrame, origin: int, horizon: int, *, workers=None,
                    journal: Path | None = None, on_progress=None, executor: str = "local", scheduler=None,
                    source: str = "<spec>", scenario_source: str = "<scenario>", trials: int | None = None,
                    condition: bool = True) -> tuple[Calibration, pd.DataFrame]:
    """Fit on the history up to ``origin``, project ``horizon`` years and score every method: (calibration,
    scored rows)."""
    problem, cal = fit_origin(raw, spec, history, origin, horizon, workers=workers, journal=journal,
                              on_progress=on_progress, executor=executor, scheduler=scheduler, source=source,
                              scenario_source=scenario_source, trials=trials)
    model = project_origin(problem, cal, history, origin, horizon, workers=workers, executor=executor,
                           scheduler=scheduler, scenario_source=scenario_source, condition=condition)
    simple = simple_forecasts(history, origin, horizon)
    simple = simple[simple["metric"].isin(set(model["metric"]))]
    return cal, score_origin(pd.concat([model, simple], ignore_index=True), history, origin)


def origin_journal(journal: Path | None, origin: int, several: bool) -> Path | None:
    """Each origin's fit keeps its own journal (a journal belongs to one history): ``<journal>.<origin>``."""
    if journal is None or not several:
        return journal
    return journal.with_name(f"{journal.name}.{origin}")


def run_backtest(raw: dict, spec, history: pd.DataFrame, fit_until: int | Sequence[int], horizon: int, *,
                 workers: int | None = None, journal: Path | None = None,
                 on_progress: Callable[[int], None] | None = None, executor: str = "local",
                 scheduler: str | None = None, source: str = "<spec>", scenario_source: str = "<scenario>",
                 trials: int | None = None, condition: bool = True) -> Backtest:
    """A back-test at one origin (``fit_until``) or at several (rolling origins), scored together."""
    origins = [int(fit_until)] if np.isscalar(fit_until) else sorted(int(o) for o in fit_until)
    for origin in origins:
        check_window(history, origin, horizon)
    calibrations, frames = {}, []
    for origin in origins:
        cal, scored = backtest_origin(raw, spec, history, origin, horizon, workers=workers,
                                      journal=origin_journal(journal, origin, len(origins) > 1),
                                      on_progress=on_progress, executor=executor, scheduler=scheduler,
                                      source=source, scenario_source=scenario_source, trials=trials,
                                      condition=condition)
        calibrations[origin] = cal
        frames.append(scored)
    scored = with_combination(pd.concat(frames, ignore_index=True))
    return Backtest(calibrations=calibrations, horizon=horizon, scored=scored, summary=mape_table(scored),
                    rolling=rolling_table(scored), history=history)
