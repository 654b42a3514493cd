"""The shipped baseline must reproduce, in its first projected year, the national rates scaled to one
average municipality (DOMAIN.md, "Calibration targets"), each within +-20 %.

Targets are computed here from the public figures in calibration/facts.csv, not copied from a model run.
"""

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.runs.runner import run_replications, with_horizon

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.20
REPLICATIONS = 6


def _fact(facts: pd.DataFrame, key: str, year: int | None = None) -> float:
    rows = facts[facts["key"] == key]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) >= 1, f"facts.csv lacks {key} {year or ''}"
    return float(rows["value"].astype(float).mean())


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return pd.read_csv(ROOT / "calibration" / "facts.csv")


@pytest.fixture(scope="module")
def first_year() -> dict[str, float]:
    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), 1)
    table = run_replications(scenario, REPLICATIONS, seed=11, workers=2).table
    means = table.groupby("metric")["value"].mean()
    placed_steps = [st.id for st in scenario.staircase if st.kind == "placement"]
    family_steps = ["kinship_care", "foster_family"]  # family care in Danmarks Statistik's placement mix
    out = dict(means)
    out["placement_cost"] = sum(means[f"cost.{s}"] for s in placed_steps)
    out["family_care"] = sum(means[f"stock.{s}"] for s in family_steps)
    out["pop_0_17"] = scenario.population.aged_0_17
    out["pop_0_22"] = scenario.population.aged_0_22
    return out


def _targets(f: pd.DataFrame) -> dict[str, tuple[float, str]]:
    municipalities = _fact(f, "municipalities")
    pop17 = _fact(f, "population_0_17_derived")
    pop22 = _fact(f, "population_0_22_derived")
    return {
        "notifications per 1,000 aged 0-17": (_fact(f, "notifications", 2019) / pop17 * 1000, "notif_rate"),
        "children placed per 1,000 aged 0-22": (_fact(f, "children_placed_0_22", 2019) / pop22 * 1000, "placed_rate"),
        "children in preventive measures per 1,000 aged 0-22": (
            _fact(f, "children_preventive_0_22", 2019) / pop22 * 1000,
            "preventive_rate",
        ),
        "placements started per year": (_fact(f, "placements_started") / municipalities, "placements_started"),
        "share of placed children in family care": (_fact(f, "placement_mix_family_care", 2018), "family_share"),
        "cost per placed child (DKK/year)": (
            _fact(f, "placement_spending_total") / _fact(f, "children_placed_0_22", 2019),
            "cost_per_placed",
        ),
        "caseload": (_fact(f, "caseload_observed", 2023), "caseload"),
    }


def _simulated(m: dict[str, float]) -> dict[str, float]:
    return {
        "notif_rate": m["notifications"] / m["pop_0_17"] * 1000,
        "placed_rate": m["children_placed"] / m["pop_0_22"] * 1000,
        "preventive_rate": m["children_preventive"] / m["pop_0_22"] * 1000,
        "placements_started": m["placements_started"],
        "family_share": m["family_care"] / m["children_placed"],
        "cost_per_placed": m["placement_cost"] / m["children_placed"],
        "caseload": m["caseload"],
    }


@pytest.mark.parametrize(
    "target",
    [
        "notifications per 1,000 aged 0-17",
        "children placed per 1,000 aged 0-22",
        "children in preventive measures per 1,000 aged 0-22",
        "placements started per year",
        "share of placed children in family care",
        "cost per placed child (DKK/year)",
        "caseload",
    ],
)
def test_first_projected_year_matches_national_rates(facts, first_year, target):
    expected, key = _targets(facts)[target]
    got = _simulated(first_year)[key]
    assert abs(got / expected - 1) <= TOLERANCE, f"{target}: simulated {got:.4g}, national {expected:.4g}"


def _observed_range(facts: pd.DataFrame, key: str) -> tuple[float, float]:
    """Lowest and highest observed value of a share over the years facts.csv has."""
    values = facts.loc[facts["key"] == key, "value"].astype(float)
    assert len(values) >= 1, f"facts.csv lacks {key}"
    return float(values.min()), float(values.max())


# Deadline shares of the first projected year against what Ankestyrelsen's Børnesagsbarometer observed.
# Reviews and investigations: within the observed years' range, widened by 0.05 on the side where one
# year's figure is a thin basis (investigations: 0.60 in 2021, 0.50 in 2024); screening: one observed
# year (0.87 in 2019), so +-0.07 around it. The widths are chosen here; only the figures come from facts.
DEADLINE_TARGETS = {
    "reviews on time": ("review_3_months_on_time_share", 0.0, 0.0, lambda m: m["reviews_on_time_share"]),
    "investigations within 4 months": (
        "investigation_within_4_months_share",
        0.0,
        0.05,
        lambda m: 1.0 - m["investigations_overdue_share"],
    ),
    "screening within 24 hours": ("screening_within_24h_share", 0.07, 0.08, lambda m: m["screenings_on_time_share"]),
}


@pytest.mark.parametrize("target", sorted(DEADLINE_TARGETS))
def test_first_projected_year_meets_deadlines_as_observed(facts, first_year, target):
    key, below, above, simulated = DEADLINE_TARGETS[target]
    low, high = _observed_range(facts, key)
    got = simulated(first_year)
    assert low - below <= got <= high + above, f"{target}: simulated {got:.3f}, observed {low:.2f}-{high:.2f}"
