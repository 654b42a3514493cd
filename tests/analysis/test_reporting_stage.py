"""The reporting stage of a two-stage ABC fit (sim.analysis.reporting_fit, ``abc.reporting_stage``).

- Its expected notifications are the model's own (sim.model.population.notifications_per_year), so the stage
  fits what the simulator draws.
- On a series that is exactly log-linear it recovers the level and trend, and the prior it hands the ABC is
  centred there with the standard error of a regression with a known sd.
- In ABC-SMC a tilted prior is a prior: a parameter the distance does not inform keeps the tilt's
  distribution (theory: the posterior of an uninformed parameter is its prior), and an untilted prior draws
  exactly what the uniform box always drew (old fits reproduce byte for byte).
- The second stage leaves the notifications out of its distance; a spec that asks for the stage without its
  parameters or targets is refused with the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import reporting_fit as rf
from sim.analysis.abc import BoxPrior, EmptyPrior, abc_smc, standardised_distance
from sim.analysis.calibration import CalibrationSpecError, abc_distance, prepare, spec_from_mapping, trial_scenario
from sim.model.population import notifications_per_year
from sim.model.scenario import resolve_raw

YEARS = [2020, 2021, 2022, 2023]


def _history(level: float, trend: float, population: float = 11700.0) -> pd.DataFrame:
    rows = [(y, "notifications", level * population / 1000.0 * (1 + trend) ** (y - YEARS[0])) for y in YEARS]
    rows += [(y, "children_placed", 130.0) for y in YEARS] + [(YEARS[0], "population_0_17", population)]
    return pd.DataFrame(rows, columns=["year", "metric", "value"]).assign(note="made up")


def _spec(**abc) -> dict:
    return {"seed": 3, "burn_in_years": 1, "method": "abc_smc",
            "parameters": [{"path": rf.LEVEL, "low": 60, "high": 140}, {"path": rf.TREND, "low": -0.05, "high": 0.2},
                           {"path": "reviews.step_down_share", "low": 0.4, "high": 0.9}],
            "targets": [{"metric": "notifications"}, {"metric": "children_placed"}],
            "abc": {"particles": 4, "generations": 1, "reporting_stage": True, **abc}}


@pytest.fixture(scope="module")
def problem():
    return prepare(resolve_raw("scenarios/baseline.yaml"), spec_from_mapping(_spec()), _history(90.0, 0.08))


def test_the_stage_expects_the_notifications_the_model_draws(problem):
    fit = rf.reporting_fit(problem, [p.path for p in problem.spec.parameters], 0.05)
    theta = [97.0, 0.11, 0.6]
    scenario = trial_scenario(problem, theta)
    model = [notifications_per_year(scenario, y) for y in YEARS]
    assert np.exp(fit.log_stream(np.array(theta))[0]) == pytest.approx(model, rel=1e-12)


def test_an_exact_log_linear_series_gives_its_level_and_trend(problem):
    summary = rf.reporting_fit(problem, [p.path for p in problem.spec.parameters], 0.05).summary()
    assert summary["level_estimate"] == pytest.approx(90.0, rel=1e-6)
    assert summary["trend_estimate"] == pytest.approx(0.08, abs=1e-6)
    # a weighted regression with known sd on the years 0..3; sd^2 = 0.05^2 + 1 / count (the count's Poisson
    # noise); the slope's se by the weighted normal equations, times 1.08 (delta method)
    counts = [90.0 * 11.7 * 1.08**k for k in range(4)]
    w = 1.0 / (0.05**2 + 1.0 / np.array(counts))
    t = np.arange(4.0)
    t_bar = np.sum(w * t) / np.sum(w)
    assert summary["sd"] == pytest.approx(np.sqrt(1.0 / w).tolist(), rel=1e-5)
    assert summary["trend_se"] == pytest.approx(1.08 / np.sqrt(np.sum(w * (t - t_bar) ** 2)), rel=1e-4)


def test_the_prior_it_hands_the_abc_is_centred_on_the_estimate_with_its_spread(problem):
    fit = rf.reporting_fit(problem, [p.path for p in problem.spec.parameters], 0.05)
    spec = problem.spec
    prior = BoxPrior(np.array([p.low for p in spec.parameters]), np.array([p.high for p in spec.parameters]),
                     fit.log_likelihood)
    draws = prior.sample(np.random.default_rng(0), 4000)
    trend = draws[:, fit.trend_index]
    assert np.median(trend) == pytest.approx(0.08, abs=0.003)
    assert np.std(trend) == pytest.approx(fit.summary()["trend_se"], rel=0.08)
    # the parameter the stage does not touch stays uniform on its range
    other = draws[:, 2]
    assert np.mean(other) == pytest.approx(0.65, abs=0.01) and other.min() >= 0.4 and other.max() <= 0.9


def test_an_untilted_prior_draws_what_the_uniform_box_always_drew():
    lows, highs = np.array([1.0, -2.0]), np.array([3.0, 5.0])
    old = lows + (highs - lows) * np.random.default_rng(7).random((50, 2))
    assert np.array_equal(BoxPrior(lows, highs).sample(np.random.default_rng(7), 50), old)


def test_a_tilt_outside_the_box_is_refused():
    prior = BoxPrior(np.array([0.0]), np.array([1.0]), lambda t: -0.5 * ((t[:, 0] - 9.0) / 0.01) ** 2)
    with pytest.raises(EmptyPrior):
        prior.sample(np.random.default_rng(0), 10)


def test_a_parameter_the_distance_does_not_inform_keeps_its_tilted_prior():
    """Theory: the ABC posterior of a parameter the data do not inform is its prior. Here the distance depends
    on b only; a's prior is the box [0, 10] tilted by N(3, 0.5): after four generations a is still N(3, 0.5)
    (weighted), which holds only if the importance weights carry the tilt's density."""
    def evaluate(thetas, seeds):
        return np.array([abs(t[1] - 0.5) + 0.01 * np.random.default_rng(s).random() for t, s in zip(thetas, seeds)])

    tilt = lambda t: -0.5 * ((t[:, 0] - 3.0) / 0.5) ** 2  # noqa: E731
    res = abc_smc(evaluate, [0.0, 0.0], [10.0, 1.0], ["a", "b"], seed=2, particles=400, generations=4,
                  log_tilt=tilt)
    w, a = res.population["weight"].to_numpy(), res.population["a"].to_numpy()
    mean = float(np.sum(w * a))
    sd = float(np.sqrt(np.sum(w * (a - mean) ** 2)))
    assert mean == pytest.approx(3.0, abs=0.15) and sd == pytest.approx(0.5, rel=0.2)
    assert np.sum(w * np.abs(res.population["b"].to_numpy() - 0.5)) < 0.1  # b is fitted


def _weighted_mean_sd(population: pd.DataFrame, name: str) -> tuple[float, float]:
    w, x = population["weight"].to_numpy(), population[name].to_numpy()
    mean = float(np.sum(w * x))
    return mean, float(np.sqrt(np.sum(w * (x - mean) ** 2)))


def _kish(weights: np.ndarray) -> float:
    return float(weights.sum() ** 2 / np.sum(weights**2))


def test_stage_parameters_proposed_from_their_own_stage_keep_its_distribution_and_the_weights_even():
    """The product kernel (abc.propose_in_two_parts): the first stage's parameters drawn anew from its
    posterior in every generation, the others moved by the kernel. Theory as above: an uninformed parameter
    keeps its tilted prior N(3, 0.5), now because the tilt cancels in the weights. And the population stays
    fuller: the Kish effective size is larger than with the normal kernel moving every parameter, whose
    particles stray into the tilt's tails and come back with tiny weights."""
    def evaluate(thetas, seeds):
        return np.array([abs(t[1] - 0.5) + 0.01 * np.random.default_rng(s).random() for t, s in zip(thetas, seeds)])

    tilt = lambda t: -0.5 * ((t[:, 0] - 3.0) / 0.5) ** 2  # noqa: E731
    runs = {fresh: abc_smc(evaluate, [0.0, 0.0], [10.0, 1.0], ["a", "b"], seed=2, particles=400, generations=4,
                           log_tilt=tilt, fresh=fresh) for fresh in [(), (0,)]}
    mean, sd = _weighted_mean_sd(runs[(0,)].population, "a")
    assert mean == pytest.approx(3.0, abs=0.1) and sd == pytest.approx(0.5, rel=0.15)
    assert _weighted_mean_sd(runs[(0,)].population, "b")[0] == pytest.approx(0.5, abs=0.05)  # b is fitted
    ess = {k: _kish(r.population["weight"].to_numpy()) for k, r in runs.items()}
    assert ess[(0,)] > 1.2 * ess[()], ess  # measured: 400 of 400 against 285


def test_a_stage_parameter_the_distance_also_informs_gets_prior_times_acceptance():
    """Theory: when the second stage's data also speak about a stage parameter, the ABC posterior is the stage's
    prior times the acceptance region. Prior N(3, 0.5) on a (the tilt), distance |a - 4|: the last population is
    N(3, 0.5) truncated to 4 +- the last tolerance, whose mean scipy gives. Measured over seeds 5-7 (800
    particles): within 0.014 of it; weights that applied the tilt twice would be 0.09 off, no tilt at all more."""
    from scipy import stats

    res = abc_smc(lambda thetas, seeds: np.abs(thetas[:, 0] - 4.0), [0.0, 0.0], [10.0, 1.0], ["a", "b"], seed=5,
                  particles=800, generations=4, log_tilt=lambda t: -0.5 * ((t[:, 0] - 3.0) / 0.5) ** 2, fresh=(0,))
    eps = res.tolerances[-1]
    expected = stats.truncnorm((1.0 - eps) / 0.5, (1.0 + eps) / 0.5, loc=3.0, scale=0.5).mean()
    mean, _ = _weighted_mean_sd(res.population, "a")
    assert eps < 0.6 and mean == pytest.approx(expected, abs=0.04), (mean, expected, eps)


def test_the_second_stage_leaves_the_notifications_out_of_its_distance(problem):
    table = pd.DataFrame([(y, m, v) for y in YEARS for m, v in (("notifications", 1e6), ("children_placed", 131.0))],
                         columns=["year", "metric", "value"])
    used = (problem.observed["metric"] != rf.METRIC).to_numpy()
    sd = np.full(len(problem.observed), 10.0)
    assert abc_distance(problem, table, sd, used) == pytest.approx(0.1)
    assert abc_distance(problem, table, sd) > 1000  # without the mask the notifications dominate
    assert standardised_distance(np.array([131.0]), np.array([130.0]), np.array([10.0])) == pytest.approx(0.1)


@pytest.mark.parametrize("change, reason", [
    ({"parameters": [{"path": rf.LEVEL, "low": 60, "high": 140}, {"path": "reviews.step_down_share", "low": 0.4,
                                                                 "high": 0.9}]}, rf.TREND),
    ({"targets": [{"metric": "children_placed"}, {"metric": "children_notified"}]}, "notifications series"),
    ({"targets": [{"metric": "notifications"}]}, "at least one other target"),
])
def test_a_reporting_stage_without_its_inputs_is_refused(change, reason):
    with pytest.raises(CalibrationSpecError) as e:
        spec_from_mapping({**_spec(), **change}, "bad.yaml")
    assert reason in str(e.value)


@pytest.mark.slow  # about 40 simulations of a 1,000-child municipality: 10 s
def test_a_staged_fit_records_its_first_stage_and_is_the_same_whatever_the_workers():
    from sim.analysis.calibration import abc_calibration

    raw = resolve_raw("scenarios/baseline.yaml")
    raw["calendar"]["burn_in_years"] = 1
    raw["population"].update(aged_0_17=1000, aged_0_22=1350)
    raw["caseworkers"]["fte"] = 2
    spec = spec_from_mapping({**_spec(particles=6, generations=2, max_batches=1, pilot_replications=4)})
    problem = prepare(raw, spec, _history(100.0, 0.08, population=1000.0))
    one, two = abc_calibration(problem, workers=1), abc_calibration(problem, workers=2)
    pd.testing.assert_frame_equal(one.ensemble, two.ensemble)
    stage = one.reporting_stage
    assert stage == two.reporting_stage and stage["years"] == YEARS
    assert stage["level_estimate"] == pytest.approx(100.0 / (1 + stage["renotified_share"]), rel=1e-6)
    assert abs(stage["renotified_share"]) < 0.1  # children coming back add a few % (4 pilot runs: noisy)
    # the prior was the stage's posterior: every particle's trend within 3 se of its estimate
    trend = one.ensemble[rf.TREND]
    assert (abs(trend - stage["trend_estimate"]) <= 3 * stage["trend_se"]).all(), trend
    assert one.simulations == 4 + 6 + 6  # the pilot runs count
