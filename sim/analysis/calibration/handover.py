"""The hand-on to scenarios: the kept sets as scenario settings (anchored at the last fitted year, the need
mix moved with them, drifting settings named), and the parameter summary."""

from __future__ import annotations

import copy

import pandas as pd

from sim.analysis.calibration.problem import Problem
from sim.analysis.calibration.result import Calibration
from sim.model.drift import drifts_as_share, from_scale, to_scale
from sim.model.keypaths import get_path, set_path
from sim.model.scenario import scenario_from_mapping
from sim.runs.parameter_sets import weighted_quantile

# Settings that hold "in start_year" and change by a yearly rate after it. A fit over 2015-2019 anchors them
# at 2015; a scenario that starts later needs them at the last fitted year's level.
ANCHORED = {
    "notifications.per_1000_aged_0_17": "notifications.trend_per_year",
    "population.aged_0_17": "population.growth_per_year",
    "population.aged_0_22": "population.growth_per_year",
}


def at_last_fitted_year(problem: Problem, values: dict[str, float]) -> dict[str, float]:
    """Fitted values for use in a scenario with its own start year: each anchored setting moved from the first
    to the last fitted year by its yearly rate (fitted, or the scenario's), and each drifting setting whose value
    or trend is fitted by its drift's trend (the random walk has mean 0 on the drift's scale). With the demand
    model, the need mix of that year when the fit moves it (:func:`need_mix_at_last_fitted_year`). Not carried
    further: the years between the history and the scenario's start are not extrapolated."""
    first, last = problem.years
    out = dict(values)
    for path, rate_path in ANCHORED.items():
        if path in out:
            rate = out.get(rate_path, float(get_path(problem.raw, rate_path)))
            out[path] = out[path] * (1.0 + rate) ** (last - first)
    for path, trend_path in drifting(problem).items():
        if path in out or trend_path in out:
            share = drifts_as_share(path, [st.id for st in problem.scenario.staircase])
            start = out.get(path, float(get_path(problem.raw, path)))
            trend = out.get(trend_path, float(get_path(problem.raw, trend_path)))
            out[path] = from_scale(to_scale(start, share) + trend * (last - first), share)
    out.update(need_mix_at_last_fitted_year(problem, values, out))
    return out


KNOWN_SHARE = "notifications.share_about_known_children"


def need_mix_at_last_fitted_year(problem: Problem, values: dict[str, float],
                                 moved: dict[str, float]) -> dict[str, float]:
    """The need mix of newly notified children in the last fitted year, as ``demand.need_shares.<level>``.

    The fitted scenario's mix holds in the first fitted year; after it, children with a real need grow with the
    need trend while reporting grows with the notification trend, and a drifting share about known children
    changes how many notifications are about new children (``sim.model.demand``). A scenario that takes the
    fitted notification rate and known share at the last year's level (``moved``) without this mix would have
    the first year's need per notification at the last year's reporting. Only the levels the scenario lists;
    empty without ``demand`` or when nothing fitted or set moves the mix (:func:`moves_need_mix`)."""
    if not moves_need_mix(problem):
        return {}
    from sim.model.demand import need_shares_in, new_children_factor

    raw = copy.deepcopy(problem.raw)
    for path, value in values.items():
        set_path(raw, path, value)
    scenario = scenario_from_mapping(raw, f"{problem.source} (need mix)")
    last = problem.years[1]
    at_first = float(get_path(raw, KNOWN_SHARE))
    shares = need_shares_in(scenario, last, new_children_factor(at_first, moved.get(KNOWN_SHARE, at_first)))
    return {f"demand.need_shares.{level}": shares[level] for level in sorted(scenario.demand.need_shares)}


NEED_MIX_MOVERS = ("demand.need_trend_per_year", "notifications.trend_per_year", KNOWN_SHARE)


def moves_need_mix(problem: Problem) -> bool:
    """Whether the need mix of the last fitted year can differ from the first's: the demand model is on and a
    trend of need or reporting, the known share or its drift is fitted, or the scenario sets such a trend.
    The same answer for every parameter set, so a posterior's columns are the same in every row."""
    if not problem.scenario.demand.enabled or problem.years[1] == problem.years[0]:
        return False
    fitted = {p.path for p in problem.spec.parameters}
    known_drift = drifting(problem).get(KNOWN_SHARE)
    movers = (*NEED_MIX_MOVERS, *((known_drift,) if known_drift else ()))
    return any(path in fitted or (path != KNOWN_SHARE and float(get_path(problem.raw, path)) != 0.0) for path in movers)


def drifting(problem: Problem) -> dict[str, str]:
    """Each drifting setting of the fitted scenario and the key path of its drift's trend."""
    return {d.setting: f"drift.{i}.trend_per_year" for i, d in enumerate(problem.scenario.drift)}


def ensemble_for_scenarios(cal: Calibration) -> pd.DataFrame:
    """The kept parameter sets as ``posterior.parquet`` holds them: anchored and drifting settings at the last
    fitted year's level, and the need mix they imply if the fit moves it (see :func:`at_last_fitted_year`), then
    weight, loglik and trial."""
    paths = [p.path for p in cal.problem.spec.parameters]
    rows = [at_last_fitted_year(cal.problem, dict(zip(paths, map(float, r)))) for r in cal.ensemble[paths].to_numpy()]
    out = pd.DataFrame(rows, columns=list(rows[0]) if rows else paths)  # the fitted paths, then any need mix
    for column in ("weight", "loglik", "trial"):
        out[column] = cal.ensemble[column].to_numpy()
    return out


def parameter_summary(cal: Calibration) -> pd.DataFrame:
    """Per parameter: prior range, scenario value, best trial, ensemble 5 %, 50 %, 95 % and range."""
    rows = []
    w = cal.ensemble["weight"].to_numpy()
    for p in cal.problem.spec.parameters:
        v = cal.ensemble[p.path].to_numpy(dtype=float)
        rows.append({"parameter": p.path, "label": p.name, "low": p.low, "high": p.high,
                     "scenario_value": float(get_path(cal.problem.raw, p.path)), "best": cal.best[p.path],
                     "p05": weighted_quantile(v, w, 0.05), "median": weighted_quantile(v, w, 0.5),
                     "p95": weighted_quantile(v, w, 0.95), "min": float(v.min()), "max": float(v.max())})
    return pd.DataFrame(rows)
