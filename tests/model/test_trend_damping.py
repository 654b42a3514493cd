"""Damped trends (sim.model.damping, ``trend_damping:``): the Gardner-McKenzie sums, the scenario's checks, and
the model: phi 1 is byte-identical to no damping, phi below 1 carries less of the reporting, need and drift
trends into the damped years and none of the change into the years at full strength."""

from __future__ import annotations

import math

import pytest
from conftest import build, metric_table

from sim.errors import ScenarioError
from sim.model.damping import damped_years, step_weight
from sim.model.demand import need_growth_factor
from sim.model.drift import drift_path
from sim.model.municipality import simulate
from sim.model.population import notifications_per_year


def test_the_cumulative_effect_is_the_sum_of_the_powers_of_phi():
    """After h damped years the trend has moved phi + phi^2 + ... + phi^h years' worth (Gardner-McKenzie)."""
    for h in range(1, 8):
        expected = sum(0.8 ** k for k in range(1, h + 1))
        assert damped_years(0.8, 2020, 2020, 2020 + h) == pytest.approx(expected)
    # two years at full strength, then damped
    assert damped_years(0.5, 2022, 2020, 2025) == pytest.approx(2 + 0.5 + 0.25 + 0.125)
    assert damped_years(0.5, 2022, 2020, 2021) == 1
    assert step_weight(0.5, 2022, 2024) == pytest.approx(0.25)
    assert step_weight(0.5, 2022, 2022) == 1.0


def test_the_effect_levels_off_at_phi_over_one_minus_phi():
    assert damped_years(0.6, 2020, 2020, 2100) == pytest.approx(0.6 / 0.4)


def test_phi_one_is_the_number_of_years_itself():
    for year in range(2018, 2030):
        assert damped_years(1.0, 2020, 2020, year) == max(year - 2020, 0)
        assert isinstance(damped_years(1.0, 2020, 2020, year), int)


def test_a_full_until_before_the_start_year_damps_the_first_step_as_its_distance_says():
    """With full_until two years before the start, the step into start + 1 is already phi^3."""
    assert damped_years(0.5, 2018, 2020, 2022) == pytest.approx(0.5 ** 3 + 0.5 ** 4)


@pytest.mark.parametrize("phi", [0.0, -0.2, 1.01, float("nan")])
def test_phi_outside_zero_to_one_is_refused(small_raw, phi):
    with pytest.raises(ScenarioError, match="trend_damping"):
        build(small_raw, trend_damping={"phi": phi})


def test_phi_one_is_byte_identical_to_no_damping(small_raw):
    small_raw["notifications"]["trend_per_year"] = 0.08
    small_raw["demand"]["need_trend_per_year"] = 0.03
    small_raw["drift"] = [{"setting": "reviews.step_down_share", "trend_per_year": 0.3, "sd_per_year": 0.1}]
    plain = simulate(build(small_raw), seed=5, replication=0).rows
    damped = simulate(build(small_raw, trend_damping={"phi": 1.0, "full_until": 2030}), seed=5, replication=0).rows
    assert plain == damped


def test_a_damped_reporting_trend_carries_less_growth_and_none_before_full_until(small_raw):
    small_raw["notifications"]["trend_per_year"] = 0.1
    plain = build(small_raw)
    start = plain.calendar.start_year
    damped = build(small_raw, trend_damping={"phi": 0.5, "full_until": start + 1})
    assert notifications_per_year(damped, start + 1) == notifications_per_year(plain, start + 1)
    rate = notifications_per_year(plain, start)
    assert notifications_per_year(damped, start + 3) == pytest.approx(rate * 1.1 ** (1 + 0.5 + 0.25))
    assert notifications_per_year(damped, start + 3) < notifications_per_year(plain, start + 3)


def test_a_damped_need_trend_grows_need_less(small_raw):
    small_raw["demand"]["need_trend_per_year"] = 0.1
    plain = build(small_raw)
    start = plain.calendar.start_year
    damped = build(small_raw, trend_damping={"phi": 0.5})
    assert need_growth_factor(damped, start + 2) == pytest.approx(need_growth_factor(plain, start + 2)
                                                                  / 1.1 ** 2 * 1.1 ** 0.75)


def test_a_damped_drift_trend_and_its_undamped_random_walk():
    steps = [0.5, -1.0, 2.0]
    plain = drift_path(1.0, False, 0.2, 0.1, steps)
    damped = drift_path(1.0, False, 0.2, 0.1, steps, trend_years=[0.5, 0.75, 0.875])
    walk = [0.05, -0.05, 0.15]
    assert plain == pytest.approx([math.exp(0.2 * k + w) for k, w in zip((1, 2, 3), walk)])
    assert damped == pytest.approx([math.exp(0.2 * e + w) for e, w in zip((0.5, 0.75, 0.875), walk)])


def test_a_damped_model_run_notifies_fewer_children_in_the_damped_years_only(small_raw):
    small_raw["notifications"]["trend_per_year"] = 0.3
    start = small_raw["calendar"]["start_year"]
    plain = metric_table(simulate(build(small_raw), seed=5, replication=0).rows)
    damped = metric_table(simulate(build(small_raw, trend_damping={"phi": 0.3}), seed=5, replication=0).rows)
    assert damped["notifications"][start] == plain["notifications"][start]
    assert damped["notifications"][start + 2] < 0.9 * plain["notifications"][start + 2]


def test_a_reporting_trend_that_stops_after_five_years_is_projected_better_damped(small_raw):
    """Notifications grow 10 % a year for five years and then stop; projected from the fifth year with the
    national scenario's phi (0.82), the expected notifications of the next three years miss by less than
    with the full trend carried on."""
    small_raw["notifications"]["trend_per_year"] = 0.1
    small_raw["calendar"]["horizon_years"] = 8
    full = build(small_raw)
    start = full.calendar.start_year
    damped = build(small_raw, trend_damping={"phi": 0.82, "full_until": start + 4})
    stopped = notifications_per_year(full, start + 4)  # the trend stops here: flat afterwards
    for year in range(start + 5, start + 8):
        assert abs(notifications_per_year(damped, year) - stopped) < abs(notifications_per_year(full, year) - stopped)
