"""Propensities that drift (sim.model.drift): the path's arithmetic, the scenario's checks, and the model: no
drift is byte-identical to none, a trend moves the setting's outcome the way it points, and the random walk
widens the spread between replications year by year."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import build, metric_table

from sim.errors import ScenarioError
from sim.model.drift import drift_path, from_scale, to_scale
from sim.model.municipality import simulate


def test_a_share_drifts_on_the_logit_scale_and_stays_a_share():
    path = drift_path(0.5, True, 1.0, 0.0, [0.0, 0.0])
    assert path == pytest.approx([from_scale(1.0, True), from_scale(2.0, True)])
    wild = drift_path(0.9, True, 0.0, 1.0, np.full(30, 3.0))
    assert all(0 < v < 1 for v in wild)


def test_a_rate_drifts_on_the_log_scale():
    assert drift_path(2.0, False, 0.1, 0.0, [0.0])[0] == pytest.approx(2.0 * np.exp(0.1))
    assert to_scale(from_scale(0.3, True), True) == pytest.approx(0.3)


def test_the_random_walk_adds_up_its_steps():
    path = drift_path(1.0, False, 0.0, 0.5, [1.0, -1.0, 2.0])
    assert np.log(path) == pytest.approx([0.5, 0.0, 1.0])


@pytest.mark.parametrize("entry, words", [
    ({"setting": "notifications.trend_per_year"}, "not a setting the running model reads"),
    ({"setting": "staircase.spaceship.uptake_share"}, "not a setting"),
    ({"setting": "reviews.step_down_share", "sd_per_year": -0.1}, "sd_per_year"),
])
def test_bad_drift_entries_name_the_key(small_raw, entry, words):
    with pytest.raises(ScenarioError) as e:
        build(small_raw, drift=[entry])
    assert words in str(e.value) and "drift" in str(e.value)


def test_a_setting_cannot_both_drift_and_be_a_lever(small_raw):
    lever = {"setting": "reviews.step_down_share", "value": 0.5, "start": "2028-01-01"}
    with pytest.raises(ScenarioError, match="not both"):
        build(small_raw, drift=[{"setting": "reviews.step_down_share"}], levers=[lever])


def _rows(raw, **overrides):
    return simulate(build(raw, **overrides), seed=5, replication=0).rows


def test_no_drift_is_byte_identical_to_no_entry(small_raw):
    still = [{"setting": "reviews.step_down_share", "trend_per_year": 0.0, "sd_per_year": 0.0}]
    assert _rows(small_raw) == _rows(small_raw, drift=still)


def test_diversion_drifting_up_starts_fewer_placements(small_raw):
    """diversion.share (placement vs intensive home-based support) drifting up from 0.1 by logit 1.5 a year:
    0.38 in the second year, 0.73 in the third; fewer placements start, and the start year does not drift."""
    small_raw["diversion"].update(share=0.1)
    up = [{"setting": "diversion.share", "trend_per_year": 1.5}]
    plain, drifting = metric_table(_rows(small_raw)), metric_table(_rows(small_raw, drift=up))
    first, last = min(plain["placements_started"]), max(plain["placements_started"])
    assert drifting["placements_started"][first] == plain["placements_started"][first]
    assert drifting["placements_started"][last] < 0.95 * plain["placements_started"][last]  # capacity-bound


def test_the_random_walks_spread_grows_with_the_square_root_of_the_years():
    """The band of a drifted setting widens with the horizon as a random walk's should: sd sqrt(k) on its scale."""
    rng = np.random.default_rng(3)
    paths = np.array([drift_path(1.0, False, 0.0, 0.2, rng.standard_normal(9)) for _ in range(4000)])
    sd = np.log(paths).std(axis=0)
    assert sd[0] == pytest.approx(0.2, rel=0.05) and sd[8] == pytest.approx(0.6, rel=0.05)



def test_more_notifications_about_known_children_leave_as_many_notifications_about_fewer_children(small_raw):
    """notifications.share_about_known_children drifting up (logit +0.3 a year from 0.6, 0.73 in the third
    year): about as many notifications as without the drift, fewer distinct children notified."""
    up = [{"setting": "notifications.share_about_known_children", "trend_per_year": 0.3}]
    small_raw["notifications"]["share_about_known_children"] = 0.6
    plain, drifting = metric_table(_rows(small_raw)), metric_table(_rows(small_raw, drift=up))
    first, last = min(plain["notifications"]), max(plain["notifications"])
    assert drifting["children_notified"][first] == plain["children_notified"][first]  # the start year does not drift
    assert drifting["notifications"][last] == pytest.approx(plain["notifications"][last], rel=0.05)
    fewer_children = drifting["children_notified"][last] / plain["children_notified"][last]
    assert fewer_children < 0.9, fewer_children


def test_fewer_new_children_per_notification_keep_the_children_with_a_need(small_raw):
    """When the share about known children rises from k0 to k, new children are (1 - k)/(1 - k0) as many per
    notification; the need mix of the years after the start is rescaled so that (1 - k) x the share with a
    need is what it was, and the start year's mix (the screening cut-offs) is untouched."""
    from sim.model.settings import Settings
    from sim.model.staircase import Staircase

    small_raw["notifications"]["share_about_known_children"] = 0.6
    scenario = build(small_raw)
    settings = Settings(scenario, Staircase.from_scenario(scenario))
    demand = settings.demand
    before = [list(c) for c in demand.cumulative_by_year]
    settings.share_about_known_children = 0.7
    start = demand.start_index
    assert demand.cumulative_by_year[start] == before[start]
    for y in range(start + 1, len(before)):
        with_need_before, with_need_after = 1.0 - before[y][0], 1.0 - demand.cumulative_by_year[y][0]
        assert (1 - 0.7) * with_need_after == pytest.approx((1 - 0.6) * with_need_before)


def test_a_fitted_drifting_share_is_handed_on_at_the_last_fitted_year_level():
    """A calibration fits a drifting setting at the first fitted year; a scenario that starts later takes it at
    the last fitted year's level, moved by the drift's trend on the logit scale (the random walk has mean 0
    there), so its drift goes on from where the history left it, not from 2015 again."""
    import math

    from sim.analysis.calibration import at_last_fitted_year, load_spec, prepare
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    problem = prepare(resolve_raw("calibration/national/scenario.yaml"),
                      load_spec("calibration/national/spec_abc.yaml"),
                      read_history("calibration/national/history.csv"))
    first, last = problem.years
    values = {"notifications.share_about_known_children": 0.5, "drift.1.trend_per_year": 0.2,
              "diversion.share": 0.1}  # diversion's trend is not among the values: the scenario's (0) holds
    moved = at_last_fitted_year(problem, values)
    expected = 1.0 / (1.0 + math.exp(-0.2 * (last - first)))
    assert moved["notifications.share_about_known_children"] == pytest.approx(expected)
    assert moved["diversion.share"] == pytest.approx(0.1)
    assert moved["drift.1.trend_per_year"] == 0.2


def test_the_need_mix_is_handed_on_with_the_rates_so_the_last_fitted_year_keeps_its_children_with_a_need():
    """A fit's notification rate and known share handed on at the last fitted year's level come with that year's
    need mix. Without it a scenario would put 2015's need per notification on 2019's
    reporting. The mix handed on is the one the model itself has in the fitted scenario's last year (its
    settings, with the known share drifted there), and levels 1 and above are the first year's, times the need
    trend over the reporting trend and the new children per notification before over after."""
    import copy

    from sim.analysis.calibration import at_last_fitted_year, load_spec, prepare
    from sim.data.history import read_history
    from sim.model.keypaths import set_path
    from sim.model.scenario import resolve_raw, scenario_from_mapping
    from sim.model.settings import Settings
    from sim.model.staircase import Staircase

    problem = prepare(resolve_raw("calibration/national/scenario.yaml"),
                      load_spec("calibration/national/spec_abc.yaml"),
                      read_history("calibration/national/history.csv"))
    first, last = problem.years
    values = {"notifications.per_1000_aged_0_17": 85.0, "notifications.trend_per_year": 0.09,
              "notifications.share_about_known_children": 0.6, "drift.1.trend_per_year": 0.15,
              "demand.need_trend_per_year": 0.01}
    moved = at_last_fitted_year(problem, values)
    mix = [moved[f"demand.need_shares.{level}"] for level in range(6)]
    assert sum(mix) == pytest.approx(1.0, abs=1e-12)

    raw = copy.deepcopy(problem.raw)
    for path, value in values.items():
        set_path(raw, path, value)
    fitted = scenario_from_mapping(raw, "fitted")
    settings = Settings(fitted, Staircase.from_scenario(fitted))
    settings.share_about_known_children = moved["notifications.share_about_known_children"]
    model_mix = settings.demand.mix(settings.demand.start_index + last - first)
    assert mix[0] == pytest.approx(model_mix[0], abs=1e-12)

    known_last = moved["notifications.share_about_known_children"]
    factor = (1.01 / 1.09) ** (last - first) * (1 - 0.6) / (1 - known_last)
    first_mix = fitted.demand.need_shares
    assert [mix[level] for level in range(1, 6)] == pytest.approx([first_mix[level] * factor for level in range(1, 6)])
    assert abs(factor - 1.0) > 0.05  # the mix did move: the test would catch a scenario keeping the first year's
