"""The baseline's long-run outcomes against the Danish figures of calibration/facts.csv, each within a stated
tolerance (absolute, in share points). Where the model is far off, the check is an expected failure with the
gap in its reason (docs/model.md, "Outcomes"): the baseline is not retuned to these figures.

The targets are read from facts.csv here, not copied from a model run; the model's values are means over the
last years of a few replications, so that the initial stock's own history has worn off.
"""

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.runs.runner import run_replications, with_horizon

ROOT = Path(__file__).resolve().parents[2]
REPLICATIONS, HORIZON, LAST_YEARS, SEED = 4, 8, 5, 5

pytestmark = pytest.mark.slow


def _fact(key: str, year: int) -> float:
    facts = pd.read_csv(ROOT / "calibration" / "facts.csv")
    rows = facts[(facts["key"] == key) & (facts["year"] == year)]
    assert len(rows) == 1, f"facts.csv lacks {key} {year}"
    return float(rows["value"].iloc[0])


@pytest.fixture(scope="module")
def long_run() -> dict[str, float]:
    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), HORIZON)
    table = run_replications(scenario, REPLICATIONS, seed=SEED, workers=1).table
    late = table[table["year"] > table["year"].max() - LAST_YEARS]
    wide = late.pivot_table(index=["replication", "year"], columns="metric", values="value")
    family = [f"stock.{st.id}" for st in scenario.staircase if st.family_care is not None]
    out = dict(wide.mean())
    out["breakdowns_of_placed_stock"] = float((wide["placement_breakdowns"] / wide["children_placed"]).mean())
    out["family_care_share"] = float((wide[family].sum(axis=1) / wide["children_placed"]).mean())
    out["investigations_within_4_months"] = 1.0 - out["investigations_overdue_share"]
    return out


BREAKDOWNS_GAP = (
    "the baseline's breakdown rates (0.03 a year on foster families and residential homes, none on kinship care, own "
    "rooms and institutions) break down about 1.8 % of the placed stock a year; Denmark about 4.7 % (facts: "
    "placement_breakdown_share 2013, status uncertain): the committee's baseline is not retuned"
)
CHANGED_TYPE_GAP = (
    "about 10-11 % of the children placed all year change placement step in the model (escalations, breakdowns and "
    "step-downs at reviews); Denmark 7 % (facts: share_placed_all_year_changed_type 2017): not retuned"
)
REVIEWS_GAP = (
    "the model's share counts every review done by its due date (about 0.6); the barometer's counts the first review "
    "within 3 months, 0.44 in 2019 and 0.75 in 2024: the baseline lies between the two years, by the review lead "
    "calibrated to the first projected year"
)

# (what, the model's value, fact key, fact year, tolerance, reason when an expected failure)
CHECKS = [
    ("breakdowns a year per placed child", "breakdowns_of_placed_stock", "placement_breakdown_share", 2013, 0.015,
     BREAKDOWNS_GAP),
    ("share placed all year who changed type", "share_placed_all_year_changed_type",
     "share_placed_all_year_changed_type", 2017, 0.02, CHANGED_TYPE_GAP),
    ("share placed on 1 January who left by 31 December", "share_placed_1jan_left_by_31dec",
     "share_placed_1jan_left_by_31dec", 2017, 0.04, None),
    ("family care's share of the placed", "family_care_share", "placement_mix_family_care", 2018, 0.06, None),
    ("screenings within 24 hours (Børnesagsbarometer)", "screenings_on_time_share", "screening_within_24h_share",
     2019, 0.05, None),
    ("investigations within 4 months (Børnesagsbarometer)", "investigations_within_4_months",
     "investigation_within_4_months_share", 2024, 0.10, None),
    ("reviews on time (Børnesagsbarometer)", "reviews_on_time_share", "review_3_months_on_time_share", 2019, 0.10,
     REVIEWS_GAP),
]


def _params():
    for what, model_key, fact_key, year, tolerance, gap in CHECKS:
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        yield pytest.param(model_key, fact_key, year, tolerance, id=what, marks=marks)


@pytest.mark.parametrize(("model_key", "fact_key", "year", "tolerance"), list(_params()))
def test_the_baselines_long_run_outcome_is_near_the_danish_figure(long_run, model_key, fact_key, year, tolerance):
    observed, simulated = _fact(fact_key, year), long_run[model_key]
    assert abs(simulated - observed) <= tolerance, (
        f"{model_key}: model {simulated:.3f}, Denmark {observed:.3f} ({fact_key} {year}), tolerance {tolerance}"
    )
