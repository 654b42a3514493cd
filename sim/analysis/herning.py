"""Herning's pilot (2013-15) as a model experiment, and the one parameter it grounds.

Herning doubled a team of caseworkers from 4 to 8 (facts: herning_caseworkers_before, _after), at about 24
cases each, reviewed every 3 months instead of 6 (herning_review_interval_months) and saved 6.7 M DKK on
placements over three years (herning_placement_savings_2013_2015). Scaled to the model: a quarter of the
average municipality (its caseload with 4 caseworkers is about Herning's before the pilot, with 8 about 20),
the pilot's levers from the first projected year, three projected years.

``fit_max_effect`` sets ``caseworkers.family_time.max_effect`` (the strength of the dose-response of hours per
case, ``sim.model.family_time``) so that the model's three-year placement saving is Herning's: it runs the
pilot at a few values (common random numbers: the same seed and replications at each), and interpolates
linearly between the two values whose savings bracket the target. One pilot, one team, one number: the fit
says what strength reproduces Herning, not that every municipality would get it (docs/model.md, section 4).
"""

from __future__ import annotations

import copy

import numpy as np

from sim.model.keypaths import set_path
from sim.model.scenario import scenario_from_mapping
from sim.runs.runner import run_replications

PILOT_SCALE = 0.25  # a quarter of the average municipality: 4 caseworkers at about the baseline's caseload
FTE_BEFORE, FTE_AFTER = 4.0, 8.0  # facts: herning_caseworkers_before, herning_caseworkers_after
REVIEW_INTERVAL_MONTHS = 3.0  # facts: herning_review_interval_months
YEARS = 3  # 2013-15
SETTING = "caseworkers.family_time.max_effect"


def herning_pilot(baseline_raw: dict) -> tuple[dict, dict]:
    """The scaled municipality before the pilot and with it (scenario mappings; the input is not changed)."""
    raw = copy.deepcopy(baseline_raw)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= PILOT_SCALE
    raw["calendar"]["horizon_years"] = YEARS
    # in the base year's prices, as the fit was made (Herning's 6.7 M DKK are 2013-15 prices), not the price year's
    raw["calendar"]["price_year"] = raw["calendar"]["base_year"]
    raw["caseworkers"]["fte"] = FTE_BEFORE
    start = f"{raw['calendar']['start_year']}-01-01"
    pilot = {**copy.deepcopy(raw), "name": "herning-pilot", "levers": [
        {"setting": "caseworkers.fte", "value": FTE_AFTER, "start": start, "label": "4 -> 8 caseworkers"},
        {"setting": "reviews.interval_months", "value": REVIEW_INTERVAL_MONTHS, "start": start,
         "label": "reviews every 3 months"},
    ]}
    return raw, pilot


def placement_cost(raw: dict, replications: int, seed: int, workers: int | None = None) -> float:
    """Mean over replications of the placement steps' cost summed over the projected years (DKK)."""
    placement = [f"cost.{st['id']}" for st in raw["staircase"] if st["kind"] == "placement"]
    table = run_replications(scenario_from_mapping(raw, raw["name"]), replications, seed=seed, workers=workers).table
    return float(table[table["metric"].isin(placement)]["value"].sum()) / replications


def placement_saving(baseline_raw: dict, replications: int, seed: int, workers: int | None = None) -> float:
    """Herning's pilot in the model: placement cost without it less with it, over the three years (DKK)."""
    before, pilot = herning_pilot(baseline_raw)
    return placement_cost(before, replications, seed, workers) - placement_cost(pilot, replications, seed, workers)


def fit_max_effect(
    baseline_raw: dict, target_dkk: float, values: list[float], replications: int, seed: int,
    workers: int | None = None,
) -> tuple[float, list[tuple[float, float]]]:
    """The max_effect whose pilot saving is ``target_dkk`` (linear between the bracketing values of
    ``values``), and the (value, saving) pairs it was read from. Outside the grid: the nearest end."""
    curve = []
    for value in values:
        raw = copy.deepcopy(baseline_raw)
        set_path(raw, SETTING, value)
        curve.append((value, placement_saving(raw, replications, seed, workers)))
    xs = np.array([v for v, _ in curve])
    ys = np.array([s for _, s in curve])
    for i in range(len(curve) - 1):
        lo, hi = ys[i], ys[i + 1]
        if min(lo, hi) <= target_dkk <= max(lo, hi) and hi != lo:
            return float(xs[i] + (target_dkk - lo) * (xs[i + 1] - xs[i]) / (hi - lo)), curve
    nearest = int(np.argmin(np.abs(ys - target_dkk)))
    return float(xs[nearest]), curve
