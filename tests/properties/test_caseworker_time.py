"""Caseload acts through time: what fewer or more caseworkers do to deadlines, caseload and placements
on the shipped scenarios with common random numbers.

The expected directions come from the domain (DOMAIN.md, "Caseworkers and caseload"): with fewer
caseworkers investigations run over four months more often, fewer reviews are on time, caseload rises and,
because a late review is a late step down, more children are placed; with more caseworkers the reverse.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, build, metric_table, scaled

import sim
from sim.analysis.herning import HERNING_BAND, saving_per_added_caseworker_in_year_3
from sim.model.keypaths import set_path
from sim.model.municipality import simulate
from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.model.settings import Settings
from sim.model.staircase import Staircase
from sim.runs.runner import run_replications

ROOT = Path(__file__).resolve().parents[2]
REPLICATIONS = 10  # paired t of the 5-year means at 10 replications: 4.9 (children placed, 5 more FTEs) to 36
YEARS = 5
SEED = 2026

# direction of each metric when caseworkers are fewer (+1: rises, -1: falls)
WHEN_FEWER = {
    "investigations_overdue_share": +1,
    "reviews_on_time_share": -1,
    "caseload": +1,
    "children_placed": +1,
}


def five_years(path: Path) -> pd.DataFrame:
    """The long table of five projected years (REPLICATIONS, seed SEED) of a shipped scenario, money in its
    base-year prices (those of its unit prices and salary, and of Herning's band)."""
    raw = sim.load_scenario(path).model_dump(mode="json")
    raw["calendar"]["horizon_years"] = YEARS
    raw["calendar"]["price_year"] = raw["calendar"]["base_year"]
    return run_replications(scenario_from_mapping(raw, raw["name"]), REPLICATIONS, seed=SEED, workers=2).table


def five_year_means(table: pd.DataFrame) -> dict[str, float]:
    """Mean over replications and the five projected years of each metric of WHEN_FEWER."""
    table = table[table["metric"].isin(WHEN_FEWER)]
    return table.groupby("metric")["value"].mean().to_dict()


def measures_cost_by_year(table: pd.DataFrame) -> pd.Series:
    """Mean over replications of the staircase's cost (all steps, not the caseworkers) in each year (DKK)."""
    rows = table[table["metric"].str.startswith("cost.")]
    return rows.groupby("year")["value"].sum() / table["replication"].nunique()


def placement_cost_by_year(table: pd.DataFrame, raw: dict) -> pd.Series:
    placement = [f"cost.{st['id']}" for st in raw["staircase"] if st["kind"] == "placement"]
    rows = table[table["metric"].isin(placement)]
    return rows.groupby("year")["value"].sum() / table["replication"].nunique()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    names = ("baseline", "caseworker-cuts", "more-caseworkers")
    return {name: five_years(ROOT / "scenarios" / f"{name}.yaml") for name in names}


@pytest.fixture(scope="module")
def at_crn(tables) -> dict[str, dict[str, float]]:
    return {name: five_year_means(table) for name, table in tables.items()}


@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(WHEN_FEWER))
def test_fewer_caseworkers_move_each_metric_the_way_the_domain_says(at_crn, metric):
    base, cuts = at_crn["baseline"][metric], at_crn["caseworker-cuts"][metric]
    assert (cuts - base) * WHEN_FEWER[metric] > 0, f"{metric}: baseline {base:.4g}, 3 fewer FTEs {cuts:.4g}"


@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(WHEN_FEWER))
def test_more_caseworkers_move_each_metric_the_other_way(at_crn, metric):
    base, more = at_crn["baseline"][metric], at_crn["more-caseworkers"][metric]
    assert (more - base) * WHEN_FEWER[metric] < 0, f"{metric}: baseline {base:.4g}, 5 more FTEs {more:.4g}"


ON_TIME = {
    "screening within 24 h": lambda m: m["screenings_on_time_share"],
    "investigation within 4 months": lambda m: 1.0 - m["investigations_overdue_share"],
    "review on time": lambda m: m["reviews_on_time_share"],
}


@pytest.mark.slow
def test_no_task_class_starves_at_16_fte():
    """At 16 FTE instead of 20 (caseload about 45) time is short for everyone: no class of tasks has an
    on-time share of 0 while another is above 0.9 (with strict priorities reviews fell to 0 here)."""
    raw = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    set_path(raw, "caseworkers.fte", 16.0)
    raw["calendar"]["horizon_years"] = 3
    scenario = scenario_from_mapping(raw, "baseline at 16 FTE")
    table = run_replications(scenario, 6, seed=SEED, workers=2).table
    for year, rows in table.groupby("year"):
        means = rows.groupby("metric")["value"].mean()
        shares = {name: share(means) for name, share in ON_TIME.items()}
        assert min(shares.values()) > 0.0, f"{year}: a class starves: {shares}"
        assert not (min(shares.values()) < 0.02 and max(shares.values()) > 0.9), f"{year}: {shares}"


RESPONSES = ("overload_months", "reviews_stretched", "temporary_fte")


def test_an_overloaded_department_gives_way_and_reports_it(baseline_raw):
    """A quarter-size baseline at 70 % of its caseworkers is overloaded (caseload above 40): with the
    baseline's responses it reports months overloaded, stretched reviews and temporary staff; with the
    responses switched off all three are 0."""
    raw = scaled(baseline_raw, 0.25)
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 2
    raw["caseworkers"]["fte"] *= 0.7
    with_responses = metric_table(simulate(build(raw), SEED, 0).rows)
    without = metric_table(simulate(build(raw, **{"caseworkers.overload": {}}), SEED, 0).rows)
    for metric in RESPONSES:
        assert sum(with_responses[metric].values()) > 0, metric
        assert sum(without[metric].values()) == 0, metric
    # temporary staff are paid: more caseworker FTE-years than the establishment alone
    assert sum(with_responses["caseworker_fte"].values()) > sum(without["caseworker_fte"].values())


def test_under_pressure_more_notifications_are_closed_instead_of_investigated(baseline_raw):
    scenario = build(baseline_raw)
    settings = Settings(scenario, Staircase.from_scenario(scenario))
    extra = scenario.caseworkers.overload.extra_closed_after_advice_share
    assert extra > 0
    before = list(settings.screening_cumulative)
    settings.under_pressure(True)
    after = settings.screening_cumulative
    closed, investigated = 1, 3  # the outcomes' order in Settings.screening_cumulative
    assert after[closed] - after[closed - 1] == pytest.approx(before[closed] - before[closed - 1] + extra)
    assert after[investigated] - after[investigated - 1] == pytest.approx(
        before[investigated] - before[investigated - 1] - extra
    )
    settings.under_pressure(False)
    assert settings.screening_cumulative == pytest.approx(before)


HERNING_REPLICATIONS = 20  # other random numbers than the fit's (scripts/fit_family_time.py: seed 1, 40 replications)
# the pilot's year-3 saving per added caseworker the evidence allows (sim.analysis.herning)
HERNING_BAND_DKK = HERNING_BAND
ADDED_FTE, CUT_FTE = 5, 3  # scenarios/more-caseworkers.yaml (20 -> 25) and caseworker-cuts.yaml (20 -> 17)


@pytest.fixture(scope="module")
def herning_per_caseworker() -> float:
    """The pilot's saving on placements in year 3 per added caseworker, on the shipped baseline."""
    return saving_per_added_caseworker_in_year_3(resolve_raw(BASELINE), HERNING_REPLICATIONS, seed=SEED, workers=2)


@pytest.mark.slow
def test_herning_pilot_saves_per_added_caseworker_within_herning_band(herning_per_caseworker):
    """Herning's pilot in the model (sim.analysis.herning: 4 -> 8 caseworkers, caseload about 48 -> 24, reviews every
    3 months) saves on placements in its third year, per caseworker added, within the band the evidence allows
    around Herning's 0.75 M DKK (0.4-1.1 M). The strength was fitted to the three-year total on seed 1; this checks
    the third year on seed 2026."""
    low, high = HERNING_BAND_DKK
    assert low <= herning_per_caseworker <= high, f"{herning_per_caseworker / 1e6:.2f} M DKK per added caseworker"


@pytest.mark.slow
def test_herning_pilot_saves_less_without_the_dose_response(baseline_raw, herning_per_caseworker):
    """The saving comes from the hours per case, not only from the deadlines: with max_effect 0 the same pilot
    saves less."""
    without = copy.deepcopy(baseline_raw)
    without["caseworkers"]["family_time"]["max_effect"] = 0.0
    saving = saving_per_added_caseworker_in_year_3(without, HERNING_REPLICATIONS, SEED, workers=2)
    assert saving < herning_per_caseworker


def per_fte_year_3_to_5(tables: dict[str, pd.DataFrame], name: str, fte: int, cost) -> float:
    """The scenario's cost less the baseline's, per FTE changed, a year, over projected years 3-5 (DKK)."""
    diff = cost(tables[name]) - cost(tables["baseline"])
    return float(diff.sort_index().iloc[2:].mean()) / fte


@pytest.mark.slow
def test_five_more_caseworkers_save_on_placements_per_caseworker_within_herning_band(tables, baseline_raw):
    """+5 caseworkers in the average municipality (caseload about 33 -> 25) save on placements, per added
    caseworker, a year over years 3-5, at most Herning's upper 1.1 M DKK and at least 0.1 M: less than Herning's
    pilot, which also left overload (48 -> 24) and reviewed every 3 months, but some (docs/model.md, section 4)."""
    saving = -per_fte_year_3_to_5(tables, "more-caseworkers", ADDED_FTE,
                                  lambda t: placement_cost_by_year(t, baseline_raw))
    assert 0.1e6 <= saving <= HERNING_BAND_DKK[1], f"{saving / 1e6:.2f} M DKK per added caseworker"


@pytest.mark.slow
def test_a_cut_costs_at_most_a_bounded_multiple_of_the_salary(tables, baseline_raw):
    """Cutting 3 posts (caseload about 33 -> 40) adds to the staircase's cost, per post removed, a year over years
    3-5, at most 4 salaries (2.0 M DKK) and at most twice what a post added saves: the time with the families is
    linear, so an hour removed costs what an hour added saves; the overload responses, in proportion to the excess
    over the threshold, add at most as much again near 40 (docs/model.md, section 4)."""
    cost = per_fte_year_3_to_5(tables, "caseworker-cuts", CUT_FTE, measures_cost_by_year)
    gain = -per_fte_year_3_to_5(tables, "more-caseworkers", ADDED_FTE, measures_cost_by_year)
    salary = baseline_raw["caseworkers"]["cost_per_fte_dkk"]
    assert 0.0 < cost <= 4 * salary, f"{cost / 1e6:.2f} M DKK per post cut"
    assert cost <= 2 * gain, f"cut {cost / 1e6:.2f} M per post, hire {gain / 1e6:.2f} M per post"


OVERLOADED_FTE = 4.5  # half the average municipality with 4.5 caseworkers instead of 10: caseload about 100 in 2027
OVERLOADED_REPLICATIONS = 20
OVERLOADED_YEARS = 4


def overloaded(raw: dict, hired: bool) -> dict:
    """Half the average municipality at a caseload of about 100, or the same with a third more caseworkers from
    the first projected year (caseload a quarter lower)."""
    raw = scaled(copy.deepcopy(raw), 0.5)
    raw["calendar"]["horizon_years"] = OVERLOADED_YEARS
    raw["caseworkers"]["fte"] = OVERLOADED_FTE
    raw["name"] = "overloaded"
    if hired:
        raw["levers"] = [{"setting": "caseworkers.fte", "value": OVERLOADED_FTE * 4 / 3,
                          "start": f"{raw['calendar']['start_year']}-01-01", "label": "a third more"}]
    return raw


@pytest.mark.slow
def test_hiring_in_an_overloaded_department_clears_investigations_and_finds_placements(baseline_raw):
    """The model's documented behaviour at a caseload of about 100 (docs/model.md, section 4): the department
    completes only about 70 of 100 investigations a year, the rest wait (their need is not seen and costs
    nothing while they wait). A third more caseworkers complete more investigations, so fewer children wait and
    more placements are found within four years, although each child's time with the family rises. Paired
    differences over 20 replications (common random numbers), |t| > 2."""
    def paired(metric: str) -> np.ndarray:
        last = max(t["year"].max() for t in (low, high))
        values = [t[(t["metric"] == metric) & (t["year"] == last)].set_index("replication")["value"]
                  for t in (high, low)]
        return (values[0] - values[1]).to_numpy()

    def waiting(t: pd.DataFrame) -> pd.Series:
        last = t[t["year"] == t["year"].max()].pivot(index="replication", columns="metric", values="value")
        on_steps = last[[c for c in last.columns if c.startswith("stock.")]].sum(axis=1)
        return last["open_cases"] - on_steps

    low, high = (run_replications(scenario_from_mapping(overloaded(baseline_raw, hired), "overloaded"),
                                  OVERLOADED_REPLICATIONS, seed=SEED, workers=2).table for hired in (False, True))
    caseload = low[(low["metric"] == "caseload") & (low["year"] == low["year"].min())]["value"].mean()
    assert 80 <= caseload <= 120, caseload

    def t_stat(d: np.ndarray) -> float:
        return float(d.mean() / (d.std(ddof=1) / np.sqrt(len(d))))

    assert t_stat(paired("family_hours_per_case")) > 2
    assert t_stat(paired("investigations_completed")) > 2
    assert t_stat((waiting(high) - waiting(low)).to_numpy()) < -2
    assert t_stat(paired("children_placed")) > 2


# ---------------------------------------------------------------- the caseworkers' hours add up


def _booked_and_paid_hours(raw: dict, organisation: str, fte: float) -> tuple[float, float]:
    """Over a run (1 burn-in + 2 years): the hours booked to tasks and ongoing work, and the hours the
    caseworkers at work had (permanent and temporary FTEs x productive hours a week x weeks a year)."""
    from sim.model.units import WEEKS_PER_YEAR

    s = build(raw, **{"caseworkers.organisation": organisation, "caseworkers.fte": fte})
    t = metric_table(simulate(s, 3, 0).rows)
    hours = [k for k in t if k.startswith("hours_") and k != "hours_per_case_per_month"]
    years = sorted(t["caseworker_fte"])
    booked = sum(t[k][y] for k in hours for y in years)
    at_work = sum(t["caseworker_fte"][y] + t["temporary_fte"][y] for y in years)
    return booked, at_work * s.caseworkers.productive_hours_per_week * WEEKS_PER_YEAR


@pytest.mark.parametrize("organisation", ["pooled", "own_cases"])
def test_an_overloaded_team_books_about_its_hours_and_never_more(small_raw, organisation):
    """Caseworker time is conserved: ongoing work with the families is reserved out of the hours, not on top of
    them, and a team with far more work than time (8 FTE for the baseline's demand) is busy, not idle. Tasks are
    booked when they start, so a year's hours may run a little over; induction (newcomers at half speed) and
    the hours of vacant months keep the booked hours below those paid. Measured: 0.90 (pooled) and 0.99 (own
    cases) of the hours; with the ongoing work not reserved (pooled), 1.30."""
    small_raw["calendar"]["horizon_years"] = 2
    booked, paid = _booked_and_paid_hours(small_raw, organisation, 8)
    assert booked <= 1.05 * paid, (booked, paid)
    assert booked >= 0.8 * paid, (booked, paid)
