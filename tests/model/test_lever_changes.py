"""Levers that change a setting to a value, by an amount or by a factor: a policy written as "5 more
caseworkers" adds five in any municipality, what each lever does is shown before and after, and a change
that would leave the setting's range is refused at validation with the file, key and reason."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from conftest import BASELINE, build, metric_table, scaled
from typer.testing import CliRunner

from sim.app import building
from sim.cli import app as cli
from sim.errors import InputError, ScenarioError
from sim.model.levers import lever_effects, value_at
from sim.model.municipality import Municipality, simulate
from sim.model.scenario import Lever, load_scenario, merge_mapping, resolve_raw
from sim.runs.parameter_sets import ParameterSets

SCENARIOS = BASELINE.parent
# what each shipped policy must do to the caseworkers, whatever the municipality
FTE_DIRECTION = {"more-caseworkers": +1, "swedish-model": +1, "caseworker-cuts": -1}


def with_levers(raw: dict, *levers: dict) -> dict:
    out = copy.deepcopy(raw)
    out["levers"] = list(levers)
    return out


def effects_of(raw: dict) -> list:
    return lever_effects(build(raw))


def over(raw: dict, policy: str) -> dict:
    """A shipped policy laid over a municipality, as the app does (its own keys over the mapping)."""
    return building.with_policy(copy.deepcopy(raw), SCENARIOS / f"{policy}.yaml")


def municipalities() -> dict[str, dict]:
    """The average municipality, it scaled to twice and three times its children and FTEs, and Denmark
    scaled to 20,000 children as the app's Municipality page does."""
    out = {"average": resolve_raw(BASELINE)}
    for factor in (2, 3):
        out[f"x{factor}"] = scaled(resolve_raw(BASELINE), factor)
    out["20000"] = building.start_scaled(20000).raw
    return out


# ---------------------------------------------------------------- the three forms


def test_by_and_times_act_on_the_value_in_force_when_the_lever_starts(baseline_raw):
    raw = with_levers(baseline_raw,
                      {"setting": "caseworkers.fte", "by": 5, "start": "2027-01-01"},
                      {"setting": "caseworkers.fte", "times": 2, "start": "2028-01-01", "ramp_months": 6},
                      {"setting": "reviews.interval_months", "by": -3, "start": "2027-01-01"},
                      {"setting": "staircase.foster_family.price_per_year_dkk", "times": 1.1, "start": "2027-07-01"})
    effects = effects_of(raw)
    assert [(e.setting, e.before, e.after) for e in effects] == [
        ("caseworkers.fte", 20.0, 25.0),
        ("caseworkers.fte", 25.0, 50.0),  # after the first lever, not the scenario's 20
        ("reviews.interval_months", 6.0, 3.0),
        ("staircase.foster_family.price_per_year_dkk", 470000.0, pytest.approx(517000.0)),
    ]
    # the same numbers in a municipality twice as large: the change is relative to its own FTEs
    twice = effects_of(with_levers(scaled(copy.deepcopy(baseline_raw), 2), *raw["levers"]))
    assert [(e.before, e.after) for e in twice[:2]] == [(40.0, 45.0), (45.0, 90.0)]


def test_a_lever_that_starts_during_another_ramp_acts_on_the_value_reached_then(baseline_raw):
    """A by-lever taking over mid-ramp starts from the value the running model has then (here 20 -> 32 over
    12 months: 6 months in, 26), as the model reads it."""
    raw = with_levers(baseline_raw,
                      {"setting": "caseworkers.fte", "value": 32, "start": "2027-01-01", "ramp_months": 12},
                      {"setting": "caseworkers.fte", "by": 1, "start": "2027-06-15"})
    first, second = effects_of(raw)
    assert (first.before, first.after) == (20.0, 32.0)
    assert second.before == pytest.approx(26.0) and second.after == pytest.approx(27.0)


def test_the_running_model_reaches_the_resolved_values(small_raw):
    """The FTEs the running model has after each lever are the ones validate shows."""
    raw = with_levers(small_raw,
                      {"setting": "caseworkers.fte", "by": 5, "start": "2027-01-01"},
                      {"setting": "caseworkers.fte", "times": 0.5, "start": "2028-01-01", "ramp_months": 3})
    scenario = build(raw)
    effects = lever_effects(scenario)
    m = Municipality(scenario, seed=1, replication=0)
    m.env.process(m.apply_levers())
    first = m.first_year
    m.env.run(until=2027.5 - first)
    assert m.settings.fte == effects[0].after == 25.0
    m.env.run(until=2028.5 - first)  # the halving's 3-month ramp is over
    assert m.settings.fte == pytest.approx(effects[1].after) == pytest.approx(12.5)


def test_value_at_gives_a_notification_lever_by_an_amount_from_the_rate_then():
    base = 119.0
    up = Lever(setting="notifications.per_1000_aged_0_17", by=10, start=dt.date(2027, 1, 1))
    again = Lever(setting="notifications.per_1000_aged_0_17", times=2, start=dt.date(2028, 1, 1))
    assert value_at([up], up.setting, base, dt.date(2026, 7, 1)) == base
    assert value_at([up], up.setting, base, dt.date(2027, 7, 1)) == pytest.approx(129.0)
    assert value_at([again, up], up.setting, base, dt.date(2028, 7, 1)) == pytest.approx(258.0)


def test_two_levers_of_the_same_day_the_later_acts_on_the_earlier(baseline_raw):
    """As in the running model, a later-listed lever of the same day starts from the earlier one's first
    step: by +5 then by +2 is +7."""
    raw = with_levers(baseline_raw,
                      {"setting": "caseworkers.fte", "by": 5, "start": "2027-01-01"},
                      {"setting": "caseworkers.fte", "by": 2, "start": "2027-01-01"})
    assert effects_of(raw)[1].after == 27.0
    lv = [Lever(setting="notifications.per_1000_aged_0_17", by=b, start=dt.date(2027, 1, 1)) for b in (5, 2)]
    assert value_at(lv, lv[0].setting, 100.0, dt.date(2027, 7, 1)) == pytest.approx(107.0)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("lever, key, words", [
    ({"value": 25, "by": 5}, "levers[0]",
     "exactly one of value (to), by (an amount) or times (a factor) (got value and by)"),
    ({"by": 5, "times": 1.5}, "levers[0]", "(got by and times)"),
    ({}, "levers[0]", "(got none)"),
    ({"by": -30}, "levers[0].by",
     "caseworkers.fte would be 20 - 30 = -10 from 2027-01-01 in this scenario: must not be negative"),
    ({"times": -1}, "levers[0].times", "greater than or equal to 0"),
    ({"by": float("nan")}, "levers[0].by", "finite"),
])
def test_a_bad_change_is_refused_naming_file_key_and_reason(tmp_path, lever, key, words):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"extends": str(BASELINE), "name": "bad", "levers": [
        {"setting": "caseworkers.fte", "start": "2027-01-01", **lever}]}))
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    message = str(e.value)
    assert f"{path}: {key}" in message and words in message, message


def test_a_by_written_with_a_danish_thousands_point_is_refused_where_it_counts(tmp_path):
    """by: 5.000 on the caseworkers reads as 5 but looks like five thousand: refused, as for value:; on a share
    it is a plain decimal."""
    path = tmp_path / "points.yaml"
    path.write_text(f"extends: {BASELINE}\nname: points\nlevers:\n"
                    "  - {setting: caseworkers.fte, by: 5.000, start: 2027-01-01}\n")
    with pytest.raises(ScenarioError, match=r"levers\[0\]\.by \(line 4\): '5.000' reads as 5"):
        load_scenario(path)
    path.write_text(f"extends: {BASELINE}\nname: points\nlevers:\n"
                    "  - {setting: reviews.step_down_share, by: 0.100, start: 2027-01-01}\n")
    assert load_scenario(path).levers[0].by == 0.1


def test_a_by_or_times_beyond_a_share_or_an_unset_capacity_is_refused(baseline_raw):
    cases = [
        ({"setting": "staircase.kinship_care.uptake_share", "times": 10}, "levers[0].times", "between 0 and 1"),
        ({"setting": "reviews.interval_months", "by": -6}, "levers[0].by", "must be above 0"),
        ({"setting": "staircase.kinship_care.capacity", "by": 3}, "levers[0].by", "not set (unlimited)"),
        ({"setting": "screening.share_closed_after_advice", "by": 0.6}, "levers[0].by", "other screening shares"),
        ({"setting": "diversion.share", "by": 0.2}, None, None),  # the baseline has a step to divert to
    ]
    for lever, key, words in cases:
        raw = with_levers(baseline_raw, {**lever, "start": "2027-01-01"})
        if key is None:
            build(raw)
            continue
        with pytest.raises(ScenarioError) as e:
            build(raw)
        assert any(where == key and words in reason for where, reason in e.value.problems), e.value.problems


def test_a_cut_that_a_parameter_set_makes_impossible_is_refused_before_the_run():
    """by/times are checked on every parameter set's scenario before anything runs: a set with 2 FTEs under
    caseworker-cuts (by -3) is refused with the lever's reason."""
    cuts = load_scenario(SCENARIOS / "caseworker-cuts.yaml")
    sets = ParameterSets(paths=("caseworkers.fte",), values=((20.0,), (2.0,)), weights=(0.5, 0.5), source="p.parquet")
    assert sets.apply(cuts, 0).caseworkers.fte == 20.0
    with pytest.raises(InputError, match=r"parameter set 1 .*levers\[0\]\.by: caseworkers.fte would be 2 - 3 = -1"):
        sets.check_against(cuts)


# ---------------------------------------------------------------- every shipped policy in any municipality


def test_every_shipped_policy_moves_each_setting_the_same_way_in_a_larger_municipality():
    """Laid over the average municipality, it at twice and three times its size, and Denmark scaled to
    20,000 children (34.2 FTEs), every lever of every shipped policy moves its setting the same way; the
    caseworkers rise under more-caseworkers and swedish-model and fall under caseworker-cuts, by the same
    amount (by) or in the same proportion (times) as in the average municipality."""
    places = municipalities()
    for name in building.shipped_policies():
        average = effects_of(over(places["average"], name))
        for place, raw in places.items():
            effects = effects_of(over(raw, name))
            assert len(effects) == len(average), (name, place)
            for here, there in zip(effects, average):
                direction = (here.after > here.before) - (here.after < here.before)
                assert direction == (there.after > there.before) - (there.after < there.before), (name, place, here)
                if here.change == "by":
                    assert here.after - here.before == pytest.approx(there.after - there.before), (name, place)
                if here.change == "times":
                    assert here.after / here.before == pytest.approx(there.after / there.before), (name, place)
            fte = [e for e in effects if e.setting == "caseworkers.fte"]
            if name in FTE_DIRECTION:
                assert fte and all((e.after - e.before) * FTE_DIRECTION[name] > 0 for e in fte), (name, place, fte)
            else:
                assert not fte, (name, place)


def test_the_scaled_municipality_gets_five_more_caseworkers_not_a_cut():
    """The case that went wrong: more-caseworkers over 20,000 children (34.2 FTEs) set the FTEs *to* 25."""
    raw = over(building.start_scaled(20000).raw, "more-caseworkers")
    (effect,) = effects_of(raw)
    assert (effect.before, effect.after) == (pytest.approx(34.2), pytest.approx(39.2))


@pytest.mark.slow
def test_a_short_run_of_a_scaled_municipality_has_more_caseworkers_where_the_policy_adds_them():
    """One replication, two projected years, the average municipality at twice its size: the FTEs at work in
    the second year rise under more-caseworkers and swedish-model and fall under caseworker-cuts."""
    raw = scaled(resolve_raw(BASELINE), 2)
    raw["calendar"].update(burn_in_years=1, horizon_years=2)
    fte = {}
    for name in ("baseline", *FTE_DIRECTION):
        scenario_raw = raw if name == "baseline" else over(raw, name)
        rows = simulate(build(scenario_raw), 1, 0).rows
        fte[name] = metric_table(rows)["caseworker_fte"][2028]
    for name, direction in FTE_DIRECTION.items():
        assert (fte[name] - fte["baseline"]) * direction > 0, fte


# ---------------------------------------------------------------- what validate and the app show


def test_validate_prints_what_each_lever_does_and_the_output_is_still_the_scenario():
    result = CliRunner().invoke(cli, ["validate", str(SCENARIOS / "swedish-model.yaml")])
    assert result.exit_code == 0, result.output
    assert "#   levers[0] caseworkers.fte: 20 → 30 (×1.5 from 2027-01-01, over 12 months)" in result.output
    assert "#   levers[1] reviews.interval_months: 6 → 3 (from 2027-01-01)" in result.output
    assert yaml.safe_load(result.output)["name"] == "swedish-model"  # the lines are comments
    cuts = CliRunner().invoke(cli, ["validate", str(SCENARIOS / "caseworker-cuts.yaml")])
    assert "caseworkers.fte: 20 → 17 (−3 from 2027-01-01)" in cuts.output
    plain = CliRunner().invoke(cli, ["validate", str(BASELINE)])
    assert "levers" not in "".join(line for line in plain.output.splitlines() if line.startswith("#"))


def test_a_resolved_lever_keeps_its_form_and_validates_again(tmp_path):
    """validate's output runs unchanged: a by-lever stays a by-lever (the app's saved files, manifests)."""
    result = CliRunner().invoke(cli, ["validate", str(SCENARIOS / "more-caseworkers.yaml")])
    again = tmp_path / "again.yaml"
    again.write_text(result.output)
    assert load_scenario(again) == load_scenario(SCENARIOS / "more-caseworkers.yaml")
    assert yaml.safe_load(result.output)["levers"][0]["by"] == 5


def test_the_shipped_policy_files_keep_the_average_municipalitys_values():
    """by +5 on 20 is 25, -3 is 17, x1.5 is 30, x0.75 on 1 hour is 0.75: the average municipality's runs
    are those of the old absolute values."""
    expected = {("more-caseworkers", "caseworkers.fte"): 25.0, ("caseworker-cuts", "caseworkers.fte"): 17.0,
                ("swedish-model", "caseworkers.fte"): 30.0, ("intake-team", "screening.hours"): 0.75}
    for (name, setting), value in expected.items():
        effects = lever_effects(load_scenario(SCENARIOS / f"{name}.yaml"))
        assert next(e.after for e in effects if e.setting == setting) == value, name


def test_merge_of_a_by_policy_over_a_file_with_its_own_value_lever_keeps_one_form():
    """A policy's levers replace the municipality's list whole (lists are replaced), so no lever ends up
    with both a value and a by."""
    raw = resolve_raw(BASELINE)
    raw["levers"] = [{"setting": "caseworkers.fte", "value": 22, "start": "2027-01-01"}]
    merged = merge_mapping(raw, {"levers": [{"setting": "caseworkers.fte", "by": 5, "start": "2027-01-01"}]})
    assert build(merged).levers[0].change == "by"
