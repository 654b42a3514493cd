"""Uncertain assumptions (``assumptions:``): drawn per replication with common random numbers, validated, and
read back as how sure the answer is and what it rests on (sim.runs.assumptions, sim.analysis.uncertainty)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.uncertainty import (
    MIN_RESIDUAL_DF,
    assumption_effects,
    noise_only_band,
    probability_margin,
    replications_for_margin,
    wilson_interval,
)
from sim.errors import ScenarioError
from sim.model.scenario import Assumption, applicable_assumptions, load_scenario, scenario_from_mapping
from sim.runs.assumptions import AssumptionDraws, draws_table, uniform_draw, value_at
from sim.runs.experiment import run_experiment, sweep
from sim.runs.runner import run_replications, with_horizon

ROOT = Path(__file__).resolve().parents[2]
BASELINE = load_scenario(ROOT / "scenarios" / "baseline.yaml")
PRICE = "staircase.foster_family.price_per_year_dkk"


def small(raw_changes=None, assumptions=None) -> object:
    """A small, short baseline (a fifth of the municipality, 2 years, 1 burn-in year) with given assumptions."""
    raw = BASELINE.model_dump(mode="json")
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.2
    raw["caseworkers"]["fte"] = 4
    raw["calendar"].update(horizon_years=2, burn_in_years=1)
    raw["assumptions"] = assumptions if assumptions is not None else {}
    for path, value in (raw_changes or {}).items():
        node = raw
        *parents, last = path.split(".")
        for p in parents:
            node = node[p]
        node[last] = value
    return scenario_from_mapping(raw, "<test>")


def price_assumption(low=300_000, high=700_000, distribution="uniform") -> dict:
    return {PRICE: {"low": low, "high": high, "distribution": distribution, "grade": "assumption",
                    "source": "test"}}


# ---------------------------------------------------------------- drawing


def test_triangular_and_uniform_quantiles_reach_the_ends_and_peak_at_the_value():
    tri = Assumption(low=0.0, high=1.0, grade="pilot", source="t")
    assert value_at(tri, 0.25, 0.0) == 0.0 and value_at(tri, 0.25, 1.0) == 1.0
    assert value_at(tri, 0.25, 0.25) == pytest.approx(0.25)  # the mode's cumulative share is (mode-low)/(high-low)
    draws = np.array([value_at(tri, 0.25, u) for u in np.linspace(0.0005, 0.9995, 1000)])
    assert draws.mean() == pytest.approx((0.0 + 0.25 + 1.0) / 3, abs=2e-3)  # a triangle's mean
    uni = Assumption(low=2.0, high=4.0, distribution="uniform", grade="assumption", source="t")
    assert value_at(uni, 3.9, 0.5) == pytest.approx(3.0)  # uniform: the value does not move the draws


def test_draws_depend_on_seed_replication_and_path_only():
    assert uniform_draw(1, 3, PRICE) == uniform_draw(1, 3, PRICE)
    assert len({uniform_draw(1, r, PRICE) for r in range(20)}) == 20
    assert uniform_draw(1, 3, PRICE) != uniform_draw(2, 3, PRICE)
    assert uniform_draw(1, 3, PRICE) != uniform_draw(1, 3, "caseworkers.cost_per_fte_dkk")


def test_every_replication_of_every_scenario_draws_the_same_values_for_the_same_path():
    """Common random numbers carry over to the assumptions: a policy and its baseline meet the same world."""
    base = small(assumptions=price_assumption())
    policy = scenario_from_mapping({**base.model_dump(mode="json"), "name": "policy",
                                    "levers": [{"setting": "reviews.interval_months", "value": 3,
                                                "start": f"{base.calendar.start_year}-01-01"}]}, "<test>")
    table = draws_table([base, policy], seed=7, replications=6)
    wide = table.pivot(index="replication", columns="scenario", values="value")
    assert (wide["baseline"] == wide["policy"]).all()
    assert wide["baseline"].between(300_000, 700_000).all() and wide["baseline"].nunique() == 6


def test_a_drawn_price_is_the_price_the_replication_pays():
    sc = small(assumptions=price_assumption())
    res = run_replications(sc, 3, seed=5, workers=1, assumptions=AssumptionDraws())
    drawn = draws_table([sc], 5, 3).set_index("replication")["value"]
    t = res.table
    last = sc.end_year
    fixed = run_replications(sc, 3, seed=5, workers=1).table
    for r in range(3):
        cost = t[(t.replication == r) & (t.year == last) & (t.metric == "cost.foster_family")]["value"].item()
        cost_fixed = fixed[(fixed.replication == r) & (fixed.year == last)
                           & (fixed.metric == "cost.foster_family")]["value"].item()
        # the same children on the same steps (a price moves no path): cost scales with the drawn price
        assert cost == pytest.approx(cost_fixed * drawn[r] / sc.step("foster_family").price_per_year_dkk, rel=1e-9)


def test_fixed_assumptions_run_as_written_and_drawn_ones_differ():
    sc = small(assumptions=price_assumption())
    fixed = run_experiment([sc], 2, 3, workers=1, fixed_assumptions=True)[0]
    engine = run_replications(sc, 2, seed=3, workers=1)
    pd.testing.assert_frame_equal(fixed.table, engine.table)
    assert fixed.assumptions is None
    drawn = run_experiment([sc], 2, 3, workers=1)[0]
    assert drawn.assumptions is not None
    cost = "cost.foster_family"
    assert not np.allclose(drawn.table[drawn.table.metric == cost]["value"],
                           fixed.table[fixed.table.metric == cost]["value"])


def test_draws_do_not_depend_on_workers():
    sc = small(assumptions=price_assumption())
    one = run_replications(sc, 4, seed=2, workers=1, assumptions=AssumptionDraws()).table
    two = run_replications(sc, 4, seed=2, workers=2, assumptions=AssumptionDraws()).table
    pd.testing.assert_frame_equal(one, two)


def test_a_swept_setting_is_not_drawn(tmp_path):
    sc = small(assumptions=price_assumption())
    path = tmp_path / "s.yaml"
    from sim.model.scenario import scenario_to_yaml

    path.write_text(scenario_to_yaml(sc))
    results = sweep(path, PRICE, [400_000.0, 500_000.0], replications=2, seed=1, workers=1)
    for value, res in results.items():
        assert PRICE not in applicable_assumptions(res.scenario)  # the swept value replaces the range


# ---------------------------------------------------------------- validation


def test_an_unknown_path_and_an_upside_down_range_are_errors():
    with pytest.raises(ScenarioError, match="assumptions.caseworkers.no_such_thing"):
        small(assumptions={"caseworkers.no_such_thing": {"low": 0, "high": 1, "grade": "assumption",
                                                         "source": "t"}})
    with pytest.raises(ScenarioError, match="low .* is above high"):
        small(assumptions=price_assumption(low=700_000, high=300_000))
    with pytest.raises(ScenarioError, match="grade"):
        small(assumptions={PRICE: {"low": 1, "high": 2, "grade": "hunch", "source": "t"}})


def test_an_assumption_about_a_step_it_lacks_or_a_value_set_outside_its_range_is_held():
    """A municipality's own price outside the national range is its own figure; a step it lacks has no price."""
    own = small(assumptions={
        **price_assumption(low=100_000, high=200_000),
        "staircase.treehouse.price_per_year_dkk": {"low": 1, "high": 2, "grade": "assumption", "source": "t"},
    })
    assert applicable_assumptions(own) == {}
    assert draws_table([own], 1, 3).empty


def test_a_lever_assumption_must_fit_the_lever_at_its_position(tmp_path):
    """A scenario that replaces an inherited policy's levers cannot hand its ranges to another lever."""
    intake = load_scenario(ROOT / "scenarios" / "intake-team.yaml")
    raw = intake.model_dump(mode="json")
    raw["levers"] = [{"setting": "screening.share_early_measure", "value": 0.25, "start": "2027-01-01"}]
    with pytest.raises(ScenarioError, match="changes screening.share_early_measure, but the assumption is about"):
        scenario_from_mapping(raw, "<test>")
    raw = intake.model_dump(mode="json")
    raw["levers"][0].update(value=None, by=0.1)
    with pytest.raises(ScenarioError, match="gives by:, not value:"):
        scenario_from_mapping(raw, "<test>")
    raw = intake.model_dump(mode="json")
    raw["assumptions"]["levers.0.value"]["setting"] = ""
    with pytest.raises(ScenarioError, match="names the lever's setting"):
        scenario_from_mapping(raw, "<test>")


def test_the_same_lever_setting_draws_the_same_number_at_any_position():
    from sim.runs.assumptions import draw_key

    a = Assumption(low=0, high=1, grade="assumption", source="t", setting="diversion.share")
    assert draw_key("levers.0.value", a) == draw_key("levers.4.value", a) != draw_key("levers.0.value", None)
    swedish = load_scenario(ROOT / "scenarios" / "swedish-model.yaml")
    home = load_scenario(ROOT / "scenarios" / "intensive-home-support.yaml")
    u = draws_table([swedish, home], 1, 5).query("path.str.startswith('levers')", engine="python")
    shares = u[u["path"].isin(["levers.4.value", "levers.0.value"])].pivot(index="replication", columns="scenario",
                                                                           values="u")
    assert (shares["swedish-model"] == shares["intensive-home-support"]).all()


def test_scenarios_in_different_price_years_are_not_compared():
    from sim.errors import InputError
    from sim.runs.experiment import check_comparable

    raw = BASELINE.model_dump(mode="json")
    raw["calendar"]["price_year"] = raw["calendar"]["base_year"]
    raw["name"] = "in-2019-prices"
    with pytest.raises(InputError, match="prices"):
        check_comparable([BASELINE, scenario_from_mapping(raw, "<test>")])


def test_an_assumption_only_the_baseline_draws_is_in_what_the_answer_rests_on():
    from sim.outputs.results import assumption_draws, comparison_tables, uncertainty_tables

    base = small(assumptions=price_assumption())
    raw = base.model_dump(mode="json")
    raw.update(name="policy", assumptions={})
    policy = scenario_from_mapping(raw, "<test>")
    results = run_experiment([base, policy], 6, 4, workers=1)
    table = pd.concat([r.table for r in results], ignore_index=True)
    _, econ, npvs = comparison_tables(table, results)
    econ, effects = uncertainty_tables(econ, npvs, results, assumption_draws(results))
    assert bool(econ["assumptions_drawn"].iloc[0])  # the baseline drew: not "held fixed"
    assert list(effects["path"]) == [PRICE]


def test_the_manifest_says_which_assumptions_were_drawn_and_which_held():
    from sim.outputs.files import assumptions_record

    sc = small(assumptions={**price_assumption(low=100_000, high=200_000),  # the value is outside: held
                            "caseworkers.cost_per_fte_dkk": {"low": 400_000, "high": 700_000, "grade": "assumption",
                                                             "source": "t"}})
    drawn = run_experiment([sc], 1, 1, workers=1)[0]
    assert assumptions_record(drawn) == {"drawn": ["caseworkers.cost_per_fte_dkk"], "held": [PRICE]}
    fixed = run_experiment([sc], 1, 1, workers=1, fixed_assumptions=True)[0]
    assert assumptions_record(fixed)["drawn"] == []
    from sim.outputs.report import held_assumptions_note

    assert PRICE in held_assumptions_note([drawn], "en") and "Holdt på scenariets egen værdi" in \
        held_assumptions_note([drawn], "da")
    assert held_assumptions_note([fixed], "en") == ""  # all held: the first paragraph says so


def test_an_end_of_a_range_that_makes_the_scenario_invalid_is_refused_before_the_run():
    from sim.errors import InputError

    sc = small(assumptions={"screening.share_closed_after_advice": {
        "low": 0.2, "high": 0.9, "grade": "assumption", "source": "t"}})  # with the other shares above 1
    with pytest.raises(InputError, match="share_closed_after_advice"):
        run_experiment([sc], 1, 1, workers=1)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_assumption_is_drawn(path):
    """An assumption the scenario holds instead (a lever written with by: where the range is about value:)
    would silently leave its uncertainty out of the answer."""
    if path.stem == "sensitivity":
        pytest.skip("a sensitivity spec, not a scenario")
    sc = load_scenario(path)
    assert set(applicable_assumptions(sc)) == set(sc.assumptions)


def test_shipped_baseline_names_the_weak_evidence_with_grades_and_sources():
    a = BASELINE.assumptions
    assert a["caseworkers.family_time.max_effect"].grade == "pilot"
    for path in ("caseworkers.overload.caseload_threshold",
                 "staircase.kinship_care.price_per_year_dkk", "staircase.intensive_home.price_per_year_dkk",
                 "staircase.own_room.price_per_year_dkk", "staircase.kinship_care.uptake_share"):
        assert path in applicable_assumptions(BASELINE), path
    assert all(x.source.strip() for x in a.values())


# ---------------------------------------------------------------- how sure, and what it rests on


def test_wilson_interval_of_all_runs_is_not_certainty():
    lo, hi = wilson_interval(1.0, 20)
    assert hi == 1.0 and lo == pytest.approx(20 / (20 + 1.959963984540054 ** 2), rel=1e-9)
    lo5, hi5 = wilson_interval(0.5, 100)
    assert lo5 < 0.5 < hi5 and hi5 - 0.5 == pytest.approx(0.5 - lo5)


@pytest.mark.parametrize("p", [1.0, 0.75, 0.5, 0.05])
def test_replications_for_margin_is_the_fewest_that_reach_it(p):
    n = replications_for_margin(p)
    assert probability_margin(p, n) <= 0.05 < probability_margin(p, n - 1)


def test_assumption_effects_find_the_driver_and_its_ends():
    rng = np.random.default_rng(0)
    n = 200
    x1, x2 = rng.uniform(0, 1, n), rng.uniform(10, 20, n)
    npv = 100 * x1 + rng.normal(0, 5, n)
    effects = assumption_effects(npv, pd.DataFrame({"driver": x1, "idle": x2}), {"driver": (0, 1), "idle": (10, 20)})
    top = effects.iloc[0]
    assert top["path"] == "driver" and top["share_of_variance"] > 0.9 and top["p_value"] < 1e-6
    assert top["npv_at_low_dkk"] == pytest.approx(0, abs=5) and top["npv_at_high_dkk"] == pytest.approx(100, abs=5)
    idle = effects[effects["path"] == "idle"].iloc[0]
    assert idle["share_of_variance"] < 0.05


def test_noise_only_band_takes_out_the_assumptions_and_needs_spare_runs():
    rng = np.random.default_rng(1)
    n = 400
    x = rng.uniform(0, 1, n)
    npv = 100 * x + rng.normal(0, 10, n)
    lo, hi = noise_only_band(npv, pd.DataFrame({"x": x}))
    z = stats.norm.ppf(0.95)
    assert (hi - lo) / 2 == pytest.approx(z * 10, rel=0.1)  # the noise's sd, not the assumption's spread
    few = pd.DataFrame(rng.uniform(size=(MIN_RESIDUAL_DF, 4)))
    assert all(math.isnan(v) for v in noise_only_band(np.arange(float(MIN_RESIDUAL_DF)), few))
    # with 20 runs and twelve assumptions of which one matters, the band still comes from the runs
    many = pd.DataFrame(rng.uniform(size=(20, 12)), columns=[f"a{i}" for i in range(12)])
    y = 100 * many["a0"].to_numpy() + rng.normal(0, 10, 20)
    lo, hi = noise_only_band(y, many)
    assert not math.isnan(lo) and (hi - lo) / 2 < 0.5 * np.std(y) * z


# ---------------------------------------------------------------- the answer


def test_the_report_says_how_sure_the_chance_is_and_what_it_rests_on():
    from sim.outputs.report import economics_sentence, rests_on_sentence

    row = {"scenario": "policy", "baseline": "baseline", "discount_rate": 0.035, "npv_dkk": 4e7,
           "npv_p05_dkk": -1e7, "npv_p95_dkk": 9e7, "break_even_year": 2029, "prob_net_saving": 0.8,
           "prob_net_saving_low": 0.58, "prob_net_saving_high": 0.92, "replications": 20,
           "replications_for_prob_within_5pp": 246.0, "assumptions_drawn": True}  # read back from a CSV: a float
    en = economics_sentence(row, 2027, 2036, "en")
    assert "20 runs" in en and "58 %" in en and "92 %" in en and "about 246 runs" in en
    da = economics_sentence(row, 2027, 2036, "da")
    assert "20 kørsler" in da and "246" in da
    small_count = economics_sentence({**row, "prob_net_saving": 1.0, "prob_net_saving_low": 0.84,
                                      "prob_net_saving_high": 1.0, "replications_for_prob_within_5pp": 73.0},
                                     2027, 2036, "en")
    assert "about 73 runs" in small_count
    assert "omkring 1.234 kørsler" in economics_sentence({**row, "replications_for_prob_within_5pp": 1234.0},
                                                          2027, 2036, "da")
    fixed = economics_sentence({**row, "assumptions_drawn": False}, 2027, 2036, "en")
    assert "--fixed-assumptions" in fixed
    effects = pd.DataFrame([{"scenario": "policy", "baseline": "baseline", "path": "a.b", "label_en": "the effect",
                             "label_da": "virkningen", "grade": "pilot", "source": "s", "low": 0.0, "high": 1.0,
                             "share_of_variance": 0.6, "p_value": 0.001, "npv_at_low_dkk": -2e7,
                             "npv_at_high_dkk": 9e7}])
    en = rests_on_sentence(effects, "policy", "baseline", "en")
    assert "the effect" in en and "a pilot without a control group" in en and "60 %" in en
    assert "pilotprojekt uden kontrolgruppe" in rests_on_sentence(effects, "policy", "baseline", "da")
    noise = effects.assign(p_value=0.4)
    assert "stands out" in rests_on_sentence(noise, "policy", "baseline", "en")


@pytest.mark.slow
def test_a_policy_resting_on_a_pilot_is_not_called_certain_unless_its_low_end_still_saves(tmp_path):
    """The main job's answer with default assumption uncertainty: a chance of a saving of 1.00 only where the
    pilot-graded assumption's low end still saves."""
    from sim.outputs.results import write_outputs

    names = ["baseline", "more-caseworkers", "intake-team", "swedish-model"]
    scenarios = [with_horizon(load_scenario(ROOT / "scenarios" / f"{n}.yaml"), 5) for n in names]
    results = run_experiment(scenarios, 12, 1)
    out = write_outputs(tmp_path / "out", results, "en", compare=True)
    econ = pd.read_csv(out / "economics.csv")
    effects = pd.read_csv(out / "assumption_effects.csv")
    assert econ["assumptions_drawn"].all()
    for _, row in econ.iterrows():
        pilot = effects[(effects["scenario"] == row["scenario"]) & (effects["grade"] == "pilot")]
        assert not pilot.empty  # all three rest on Herning's pilot
        if row["prob_net_saving"] >= 1.0:
            assert (pilot["npv_at_low_dkk"] > 0).all(), row["scenario"]
    assert (econ.loc[econ["scenario"] == "more-caseworkers", "prob_net_saving"] < 1.0).all()
