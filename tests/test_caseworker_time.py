"""Caseload acts through time: what fewer or more caseworkers do to deadlines, caseload and placements
(issue 11's checks), on the shipped scenarios with common random numbers.

The expected directions come from the domain (DOMAIN.md, "Caseworkers and caseload"): with fewer
caseworkers investigations run over four months more often, fewer reviews are on time, caseload rises and,
because a late review is a late step down, more children are placed; with more caseworkers the reverse.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASELINE, build, metric_table, scaled

import sim
from sim.analysis.herning import placement_saving
from sim.model.keypaths import set_path
from sim.model.municipality import simulate
from sim.model.settings import Settings
from sim.model.staircase import Staircase
from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.runs.runner import run_replications, with_horizon

ROOT = Path(__file__).resolve().parent.parent
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


def five_year_means(path: Path) -> dict[str, float]:
    """Mean over replications and the five projected years of each metric of WHEN_FEWER."""
    scenario = with_horizon(sim.load_scenario(path), YEARS)
    table = run_replications(scenario, REPLICATIONS, seed=SEED, workers=2).table
    table = table[table["metric"].isin(WHEN_FEWER)]
    return table.groupby("metric")["value"].mean().to_dict()


@pytest.fixture(scope="module")
def at_crn() -> dict[str, dict[str, float]]:
    names = ("baseline", "caseworker-cuts", "more-caseworkers")
    return {name: five_year_means(ROOT / "scenarios" / f"{name}.yaml") for name in names}


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


HERNING_REPLICATIONS = 10  # other random numbers than the fit's (scripts/fit_family_time.py: seed 1, 12 replications)


@pytest.fixture(scope="module")
def herning_saving() -> float:
    """The pilot's saving on the shipped baseline (both Herning tests use it)."""
    return placement_saving(resolve_raw(BASELINE), HERNING_REPLICATIONS, seed=SEED,
                            workers=2)


@pytest.mark.slow
def test_herning_pilot_saves_on_placements_within_a_factor_of_two(herning_saving):
    """Herning's pilot scaled (sim.analysis.herning: a quarter of the average municipality, 4 -> 8 caseworkers,
    reviews every 3 months, three years) saves on placements within a factor of two of Herning's 6.7 M DKK.
    The dose-response's strength was fitted to this saving on seed 1; this checks it on seed 2026."""
    facts = pd.read_csv(ROOT / "calibration" / "facts.csv")
    observed = float(facts.loc[facts["key"] == "herning_placement_savings_2013_2015", "value"].iloc[0])
    saving = herning_saving
    assert observed / 2 <= saving <= observed * 2, f"saved {saving / 1e6:.1f} M DKK, Herning {observed / 1e6:.1f} M"


@pytest.mark.slow
def test_herning_pilot_saves_less_without_the_dose_response(baseline_raw, herning_saving):
    """The saving comes from the hours per case, not only from the deadlines: with max_effect 0 the same pilot
    saves less."""
    without = copy.deepcopy(baseline_raw)
    without["caseworkers"]["family_time"]["max_effect"] = 0.0
    assert placement_saving(without, HERNING_REPLICATIONS, SEED, workers=2) < herning_saving


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
