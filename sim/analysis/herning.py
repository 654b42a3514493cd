"""Herning's pilot (2013-15) as a model experiment, and the one parameter it grounds.

Herning doubled a team of caseworkers from 4 to 8 (facts: herning_caseworkers_before, _after), from about 48
cases each to about 24 ("nearly halved"; KORA 2015: 24 cases in 2014, about twice the usual), reviewed every 3
months instead of 6 (herning_review_interval_months) and saved 6.7 M DKK on placements over three years
(herning_placement_savings_2013_2015; 3.7 M of it in the first two). Scaled to the model: 0.29 of the average
municipality, whose caseload with 4 caseworkers is Herning's 47-49 before the pilot and with 8 about 22-27
(the new posts are filled after the recruitment months), the pilot's levers from the first projected year,
three projected years.

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

PILOT_SCALE = 0.29  # of the average municipality: with 4 caseworkers a caseload of about 48, Herning's before the pilot
FTE_BEFORE, FTE_AFTER = 4.0, 8.0  # facts: herning_caseworkers_before, herning_caseworkers_after
REVIEW_INTERVAL_MONTHS = 3.0  # facts: herning_review_interval_months
YEARS = 3  # 2013-15
SETTING = "caseworkers.family_time.max_effect"

# Herning's saving per added caseworker in the pilot's third year: about 0.75 M DKK (6.7 M over 3 years less 3.7 M
# in the first two, facts: herning_placement_savings_2013_2015 and KORA's midtvejsevaluering 2015, over 4 added
# caseworkers). The band the evidence allows: no control group (the trend without the pilot is unknown) and several
# practices changed at once (network meetings, kinship first, an interdisciplinary team), so about half of it may be
# owed to other things (0.4 M) or, had costs risen elsewhere meanwhile, half as much again (1.1 M). docs/model.md,
# section 4.
HERNING_PER_CASEWORKER_YEAR_3 = 0.75e6
HERNING_BAND = (0.4e6, 1.1e6)


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


def placement_cost_by_year(raw: dict, replications: int, seed: int, workers: int | None = None) -> np.ndarray:
    """Mean over replications of the placement steps' cost in each projected year (DKK)."""
    placement = [f"cost.{st['id']}" for st in raw["staircase"] if st["kind"] == "placement"]
    table = run_replications(scenario_from_mapping(raw, raw["name"]), replications, seed=seed, workers=workers).table
    rows = table[table["metric"].isin(placement)]
    return rows.groupby("year")["value"].sum().sort_index().to_numpy() / replications


def placement_saving_by_year(
    baseline_raw: dict, replications: int, seed: int, workers: int | None = None
) -> np.ndarray:
    """Herning's pilot in the model: placement cost without it less with it, in each of the three years (DKK)."""
    before, pilot = herning_pilot(baseline_raw)
    return (placement_cost_by_year(before, replications, seed, workers)
            - placement_cost_by_year(pilot, replications, seed, workers))


def placement_saving(baseline_raw: dict, replications: int, seed: int, workers: int | None = None) -> float:
    """Herning's pilot in the model: placement cost without it less with it, over the three years (DKK)."""
    return float(placement_saving_by_year(baseline_raw, replications, seed, workers).sum())


def saving_per_added_caseworker_in_year_3(
    baseline_raw: dict, replications: int, seed: int, workers: int | None = None
) -> float:
    """The pilot's saving on placements in its third year per caseworker added (DKK a year): the number the
    evidence gives as about 0.75 M (docs/model.md, section 4)."""
    return float(placement_saving_by_year(baseline_raw, replications, seed, workers)[-1]) / (FTE_AFTER - FTE_BEFORE)


def saving_curve(
    baseline_raw: dict, values: list[float], replications: int, seed: int, workers: int | None = None,
) -> list[tuple[float, float]]:
    """(max_effect, the pilot's three-year saving on placements) at each of ``values`` (common random numbers)."""
    curve = []
    for value in values:
        raw = copy.deepcopy(baseline_raw)
        set_path(raw, SETTING, value)
        curve.append((value, placement_saving(raw, replications, seed, workers)))
    return curve


def read_off(curve: list[tuple[float, float]], target_dkk: float) -> float:
    """The max_effect whose saving is ``target_dkk``, linear between the bracketing points of ``curve``.
    Outside the curve: the nearest end."""
    xs = np.array([v for v, _ in curve])
    ys = np.array([s for _, s in curve])
    for i in range(len(curve) - 1):
        lo, hi = ys[i], ys[i + 1]
        if min(lo, hi) <= target_dkk <= max(lo, hi) and hi != lo:
            return float(xs[i] + (target_dkk - lo) * (xs[i + 1] - xs[i]) / (hi - lo))
    nearest = int(np.argmin(np.abs(ys - target_dkk)))
    return float(xs[nearest])


def fit_max_effect(
    baseline_raw: dict, target_dkk: float, values: list[float], replications: int, seed: int,
    workers: int | None = None,
) -> tuple[float, list[tuple[float, float]]]:
    """The max_effect whose pilot saving is ``target_dkk`` (``read_off`` on ``saving_curve``), and the
    (value, saving) pairs it was read from."""
    curve = saving_curve(baseline_raw, values, replications, seed, workers)
    return read_off(curve, target_dkk), curve
