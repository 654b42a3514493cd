"""Calibration (sim.analysis.calibration) and calibrated parameter sets (sim.runs.parameter_sets).

1. The likelihoods against their formulas and scipy; the likelihood-ratio region on a synthetic trials frame.
2. Specs: the shipped one loads and prepares against the national history; bad specs and bad combinations
   of spec, scenario and history name the key. The national history per 1,000 is rescaled by hand.
3. Parameter sets: validation, the per-replication draw (deterministic, keyed by (seed, replication) only,
   frequencies as weighted), ``apply``, and ``run_replications(..., parameter_sets=)`` replication by
   replication against plain runs, whatever the workers.
4. Recovery: a small municipality with two known parameter values is simulated once (a different seed from
   the spec's) as "the past"; calibration from wide priors must bracket the true values, fit the past within
   its bands, and its projection must cover the same simulated municipality's future.
5. Resuming from a journal, and refusing a journal of another calibration.

About 50 s on 2 cores, most of it in the recovery (48 trials x 2 replications of a municipality of a
quarter of the baseline's size over 1 + 4 years).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import scaled
from scipy import special, stats

from sim.analysis.calibration import (
    FIT_COLUMNS,
    CalibrationSpecError,
    Target,
    calibrate,
    likelihood_region,
    load_spec,
    log_likelihood,
    parameter_summary,
    prepare,
    project,
    search,
    spec_from_mapping,
    trials_frame,
)
from sim.data.history import read_history
from sim.errors import InputError
from sim.model.keypaths import get_path, set_path
from sim.model.municipality import simulate
from sim.model.population import population_0_17, population_0_22
from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.runs.parameter_sets import check_same_base, from_frame
from sim.runs.runner import run_replications

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
NATIONAL_SPEC = ROOT / "calibration" / "national" / "spec.yaml"
NATIONAL_HISTORY = ROOT / "calibration" / "national" / "history.csv"

RATE = "notifications.per_1000_aged_0_17"
PREVENTIVE_EXIT = "needs.levels.2.improvement_rate_per_year"


def small(start_year: int = 2015, burn_in: int = 1, horizon: int = 4) -> dict:
    """The baseline at a quarter of its size (about 2,900 children aged 0-17) from ``start_year``."""
    raw = scaled(resolve_raw(BASELINE), 0.25)
    raw["calendar"].update(start_year=start_year, burn_in_years=burn_in, horizon_years=horizon)
    return raw


def minimal_spec(**changes) -> dict:
    spec = {"seed": 3, "burn_in_years": 0, "scale": "absolute",
            "parameters": [{"path": RATE, "low": 80, "high": 160}],
            "targets": [{"metric": "notifications"}]}
    spec.update(changes)
    return spec


def history_frame(rows) -> pd.DataFrame:
    """A history as read_history returns it, from (year, metric, value) rows."""
    frame = pd.DataFrame(list(rows), columns=["year", "metric", "value"])
    return frame.assign(year=frame["year"].astype(int), value=frame["value"].astype(float), note="")


# ---------------------------------------------------------------- 1. likelihoods


SPEC = spec_from_mapping(minimal_spec(dispersion=30.0, cv=0.05, sd_share=0.04))


def nb_logpmf(x: float, mu: float, k: float) -> float:
    """Negative binomial with mean mu and variance mu + mu^2/k, written out."""
    return (special.gammaln(x + k) - special.gammaln(k) - special.gammaln(x + 1)
            + k * math.log(k / (k + mu)) + x * math.log(mu / (k + mu)))


OBS = np.array([0.0, 3.0, 97.0, 1850.0])
MU = np.array([0.5, 4.2, 80.0, 2000.0])


def test_poisson_is_scipys_poisson():
    got = log_likelihood(OBS, MU, Target(metric="notifications", likelihood="poisson"), SPEC)
    assert got == pytest.approx(stats.poisson.logpmf(OBS, MU), rel=1e-12)
    by_hand = OBS * np.log(MU) - MU - special.gammaln(OBS + 1)
    assert got == pytest.approx(by_hand, rel=1e-10)


def test_negative_binomial_has_mean_mu_and_the_target_or_spec_dispersion():
    own = log_likelihood(OBS, MU, Target(metric="notifications", dispersion=7.5), SPEC)
    assert own == pytest.approx([nb_logpmf(x, m, 7.5) for x, m in zip(OBS, MU)], rel=1e-10)
    default = log_likelihood(OBS, MU, Target(metric="notifications"), SPEC)  # counts default to NB, spec's k
    assert default == pytest.approx([nb_logpmf(x, m, 30.0) for x, m in zip(OBS, MU)], rel=1e-10)
    k = 30.0
    assert default == pytest.approx(stats.nbinom.logpmf(OBS, k, k / (k + MU)), rel=1e-12)
    assert stats.nbinom.mean(k, k / (k + MU)) == pytest.approx(MU)  # the parametrisation: mean mu ...
    assert stats.nbinom.var(k, k / (k + MU)) == pytest.approx(MU + MU**2 / k)  # ... variance mu + mu^2/k


def test_negative_binomial_with_huge_dispersion_approaches_poisson():
    poisson = stats.poisson.logpmf(OBS, MU)
    gaps = [np.max(np.abs(log_likelihood(OBS, MU, Target(metric="notifications", dispersion=k), SPEC) - poisson))
            for k in (1e4, 1e5, 1e6)]
    assert gaps[2] < 0.02
    # for large k the difference shrinks as 1/k (the extra variance mu^2/k): ten times smaller per step
    assert 5 < gaps[0] / gaps[1] < 20 and 5 < gaps[1] / gaps[2] < 20, gaps


def test_a_rescaled_count_is_rounded_not_impossible():
    target = Target(metric="notifications", likelihood="poisson")
    assert log_likelihood(np.array([12.4]), np.array([10.0]), target, SPEC) == pytest.approx(
        stats.poisson.logpmf(12, 10.0))


def test_normal_sd_is_cv_times_observed_or_the_absolute_sd():
    obs, mu = np.array([1e6, 2.5e7]), np.array([1.1e6, 2.4e7])
    with_cv = log_likelihood(obs, mu, Target(metric="cost_total", cv=0.2), SPEC)
    assert with_cv == pytest.approx(stats.norm.logpdf(obs, mu, 0.2 * obs))
    spec_cv = log_likelihood(obs, mu, Target(metric="cost_total"), SPEC)  # money: normal with the spec's cv
    assert spec_cv == pytest.approx(stats.norm.logpdf(obs, mu, 0.05 * obs))
    shares = log_likelihood(np.array([0.6]), np.array([0.5]), Target(metric="reviews_on_time_share"), SPEC)
    assert shares == pytest.approx(stats.norm.logpdf(0.6, 0.5, 0.04))  # shares: the spec's absolute sd_share
    given = log_likelihood(np.array([0.6]), np.array([0.5]), Target(metric="reviews_on_time_share", sd=0.1), SPEC)
    assert given == pytest.approx(stats.norm.logpdf(0.6, 0.5, 0.1))


@pytest.mark.parametrize("target", [Target(metric="notifications", likelihood="poisson"),
                                    Target(metric="notifications", dispersion=5.0),
                                    Target(metric="cost_total", cv=0.1)],
                         ids=["poisson", "negative_binomial", "normal"])
@pytest.mark.parametrize("observed", [3.0, 40.0, 850.0])
def test_the_likelihood_is_highest_where_mu_equals_the_observation(target, observed):
    grid = np.round(np.linspace(0.5 * observed, 1.5 * observed, 201), 6)
    assert observed in grid
    ll = log_likelihood(np.full(grid.size, observed), grid, target, SPEC)
    assert grid[np.argmax(ll)] == observed
    assert np.all(np.diff(ll[grid <= observed]) > 0) and np.all(np.diff(ll[grid >= observed]) < 0)  # unimodal


# ---------------------------------------------------------------- 1b. the likelihood-ratio region


def trials_of(logliks: dict[int, float]) -> pd.DataFrame:
    """A synthetic trials frame (trial numbers deliberately out of order); parameters derived from the trial."""
    trials = list(logliks)
    return pd.DataFrame({"trial": trials, "loglik": [logliks[t] for t in trials],
                         "a": [10.0 * t for t in trials], "b": [0.5 + t for t in trials]})


def test_the_region_keeps_exactly_the_trials_within_chi2_over_two_of_the_best():
    threshold = stats.chi2.ppf(0.9, 2) / 2  # 2.3026 for two parameters at 90 %
    frame = trials_of({7: -12.0, 2: -10.0, 5: -10.0 - threshold + 1e-6, 0: -10.0 - threshold - 1e-6,
                       3: -math.inf, 9: float("nan"), 4: -11.0, 8: -40.0})
    region = likelihood_region(frame, 2, 0.9, max_sets=100)
    assert list(region["trial"]) == [2, 4, 5, 7]  # in trial order
    assert list(region.columns[:2]) == ["a", "b"] and {"weight", "loglik", "trial"} <= set(region.columns)
    assert list(region["a"]) == [20.0, 40.0, 50.0, 70.0]  # each row keeps its own parameter values
    assert np.allclose(region["weight"], 0.25) and region["weight"].sum() == pytest.approx(1.0)
    one = likelihood_region(frame, 1, 0.9, max_sets=100)  # one parameter: chi2(0.9, 1)/2 = 1.35, narrower
    assert list(one["trial"]) == [2, 4]


def test_thinning_to_max_sets_keeps_the_first_and_last_trial():
    frame = trials_of({t: -1.0 - 0.01 * (t % 3) for t in [11, 3, 0, 8, 5, 14, 2, 9, 6, 12]})
    region = likelihood_region(frame, 2, 0.9, max_sets=4)
    assert len(region) == 4
    assert region["trial"].iloc[0] == 0 and region["trial"].iloc[-1] == 14
    assert region["trial"].is_monotonic_increasing and region["trial"].is_unique
    assert np.allclose(region["weight"], 0.25)


def test_a_region_without_any_finite_likelihood_is_an_input_error():
    with pytest.raises(InputError, match="finite likelihood"):
        likelihood_region(trials_of({0: -math.inf, 1: float("nan")}), 1, 0.9, 10)


# ---------------------------------------------------------------- 2. specs


def test_the_shipped_spec_loads_and_prepares_against_the_national_history():
    spec = load_spec(NATIONAL_SPEC)
    assert len(spec.parameters) >= 2 and {t.metric for t in spec.targets} >= {"notifications", "children_placed"}
    problem = prepare(resolve_raw(BASELINE), spec, read_history(NATIONAL_HISTORY), source=str(NATIONAL_SPEC))
    assert problem.years == (2015, 2019)
    assert set(problem.metrics) == {t.metric for t in spec.targets}


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"sed": 1}, ["sed", "unknown key"]),
        ({"search": {"trails": 10}}, ["search.trails", "unknown key"]),
        ({"targets": [{"metric": "notifications", "likelihood": "normal", "dispersion": 5}]},
         ["targets[0]", "dispersion goes with likelihood negative_binomial"]),
        ({"targets": [{"metric": "reviews_on_time_share", "likelihood": "negative_binomial"}]},
         ["targets[0]", "reviews_on_time_share is a share"]),
        ({"targets": [{"metric": "cost_total", "cv": 0.1, "sd": 5}]}, ["targets[0]", "cv or sd"]),
        ({"targets": [{"metric": "notifications", "scale": "per_1000_0_99"}]}, ["targets[0].scale"]),
        ({"parameters": [{"path": RATE, "low": 80, "high": 160}, {"path": RATE, "low": 90, "high": 100}]},
         [RATE, "more than once"]),
        ({"years": {"first": 2019, "last": 2015}}, ["years.first", "after years.last"]),
        ({"parameters": [{"path": RATE, "low": 160, "high": 80}]}, ["parameters[0]", "must be above low"]),
        ({"search": {"confidence": 1.5}}, ["search.confidence"]),
    ],
)
def test_bad_specs_name_the_key(changes, words):
    with pytest.raises(CalibrationSpecError) as e:
        spec_from_mapping(minimal_spec(**changes), "bad.yaml")
    message = str(e.value)
    assert message.startswith("invalid calibration spec") and "bad.yaml: " in message
    for w in words:
        assert w in message, (w, message)


def test_a_bad_target_is_reported_once():
    with pytest.raises(CalibrationSpecError) as e:
        spec_from_mapping(minimal_spec(targets=[{"metric": "notifications", "likelihood": "normal",
                                                 "dispersion": 5}]), "bad.yaml")
    assert len(e.value.problems) == 1, e.value.problems


@pytest.mark.parametrize("changes, key", [
    ({"parameters": [{"path": RATE, "low": 80, "high": 160}, {"path": RATE, "low": 90, "high": 100}]}, "parameters"),
    ({"years": {"first": 2019, "last": 2015}}, "years"),
])
def test_cross_field_spec_problems_are_filed_under_their_key(changes, key):
    with pytest.raises(CalibrationSpecError) as e:
        spec_from_mapping(minimal_spec(**changes), "bad.yaml")
    assert [path for path, _ in e.value.problems] == [key], e.value.problems


@pytest.fixture(scope="module")
def national_history() -> pd.DataFrame:
    return read_history(NATIONAL_HISTORY)


@pytest.fixture(scope="module")
def baseline() -> dict:
    return resolve_raw(BASELINE)


@pytest.mark.parametrize(
    "changes, drop_population, words",
    [
        ({"targets": [{"metric": "notifications"}, {"metric": "open_cases"}]}, False,
         ["targets (open_cases)", "no rows for this metric"]),
        ({"scale": "per_1000_0_17"}, True, ["targets[0] (notifications)", "population_0_17"]),
        ({"targets": [{"metric": "children_placed", "scale": "per_1000_0_22"}]}, True,
         ["targets[0] (children_placed)", "population_0_22"]),
        ({"parameters": [{"path": "notifications.per_1000_aged_0_71", "low": 80, "high": 160}]}, False,
         ["parameters[0] (notifications.per_1000_aged_0_71).path", "did you mean 'per_1000_aged_0_17'"]),
        ({"parameters": [{"path": PREVENTIVE_EXIT, "low": -0.5, "high": 1.5}]}, False,
         [f"parameters[0] ({PREVENTIVE_EXIT}).low", "invalid scenario"]),
        ({"parameters": [{"path": "screening.share_acute", "low": 0.0, "high": 0.9}]}, False,
         ["parameters[0] (screening.share_acute).high", "invalid scenario"]),
        ({"parameters": [{"path": "calendar.horizon_years", "low": 1, "high": 3}]}, False,
         ["parameters[0] (calendar.horizon_years).path", "cannot be calibrated"]),
    ],
)
def test_prepare_errors_name_the_spec_key(baseline, national_history, changes, drop_population, words):
    history = national_history
    if drop_population:
        history = history[~history["metric"].str.startswith("population_")]
    spec = spec_from_mapping(minimal_spec(**changes), "bad.yaml")
    with pytest.raises(CalibrationSpecError) as e:
        prepare(baseline, spec, history, source="bad.yaml")
    message = str(e.value)
    assert "bad.yaml: " in message
    for w in words:
        assert w in message, (w, message)


def test_fitted_years_without_history_rows_are_an_error(baseline, national_history):
    spec = spec_from_mapping(minimal_spec(years={"first": 2030, "last": 2031}), "bad.yaml")
    with pytest.raises(CalibrationSpecError, match="years"):
        prepare(baseline, spec, national_history, source="bad.yaml")


def test_a_target_the_scenario_cannot_produce_names_the_target(baseline, national_history):
    history = pd.concat([national_history, history_frame([(2016, "stock.boarding_school", 40)])])
    spec = spec_from_mapping(minimal_spec(targets=[{"metric": "stock.boarding_school"}]), "bad.yaml")
    with pytest.raises(CalibrationSpecError, match=r"targets\[0\] \(stock.boarding_school\).*does not report"):
        prepare(baseline, spec, history, source="bad.yaml")


def test_national_history_per_1000_is_scaled_to_the_scenarios_residents(baseline, national_history):
    history = pd.concat([national_history, history_frame([(2017, "stock.boarding_school", 40)])],
                        ignore_index=True)
    spec = load_spec(NATIONAL_SPEC)
    problem = prepare(baseline, spec, history)
    obs = problem.observed.set_index(["metric", "year"])
    # population only in 2018 (nearest year): 1,160,000 aged 0-17 and 1,536,000 aged 0-22
    kids_17, kids_22 = baseline["population"]["aged_0_17"], baseline["population"]["aged_0_22"]
    assert obs.loc[("notifications", 2015), "observed"] == 97000
    assert obs.loc[("notifications", 2015), "model_observed"] == pytest.approx(97000 / 1160000 * kids_17)
    assert obs.loc[("children_placed", 2019), "model_observed"] == pytest.approx(13600 / 1536000 * kids_22)
    # the scenario's own residents are the model's: growth 0 in the baseline
    assert population_0_17(problem.scenario, 2015) == kids_17 and population_0_22(problem.scenario, 2019) == kids_22
    # every target row of the history is fitted; the rest is listed with a reason, nothing dropped
    targets = {t.metric for t in spec.targets}
    assert len(obs) == national_history["metric"].isin(targets).sum()
    assert len(problem.observed) + len(problem.not_fitted) == len(history)
    reasons = problem.not_fitted.set_index(["metric", "year"])["reason"]
    assert "population" in reasons[("population_0_17", 2018)] and "population" in reasons[("population_0_22", 2018)]
    assert "no step 'boarding_school'" in reasons[("stock.boarding_school", 2017)]
    # the calibration runs over the history's years, not the scenario's future
    assert problem.scenario.calendar.start_year == 2015 and problem.scenario.end_year == 2019
    assert problem.scenario.calendar.burn_in_years == spec.burn_in_years


def test_rows_outside_the_fitted_years_and_non_targets_are_listed(baseline, national_history):
    spec = spec_from_mapping(minimal_spec(years={"first": 2017, "last": 2018}))
    problem = prepare(baseline, spec, national_history)
    assert sorted(problem.observed["year"]) == [2017, 2018]
    reasons = problem.not_fitted.set_index(["metric", "year"])["reason"]
    assert "outside" in reasons[("notifications", 2015)]
    assert "not a target" in reasons[("children_placed", 2017)]
    assert problem.observed["model_observed"].tolist() == problem.observed["observed"].tolist()  # absolute


# ---------------------------------------------------------------- 3. parameter sets


def sets_frame(rates=(60.0, 180.0), exits=(0.6, 1.4), weights=(0.5, 0.5)) -> pd.DataFrame:
    return pd.DataFrame({RATE: rates, PREVENTIVE_EXIT: exits, "weight": weights, "loglik": -1.0, "trial": [0, 1]})


@pytest.mark.parametrize(
    "frame, words",
    [
        (sets_frame().drop(columns="weight"), ["no 'weight' column"]),
        (sets_frame(rates=(60.0, float("nan"))), ["row 2", RATE, "not a finite number"]),
        (sets_frame(weights=(0.5, float("nan"))), ["row 2", "weight"]),
        (sets_frame(weights=(0.5, -0.1)), ["weights must be 0 or more"]),
        (sets_frame(weights=(0.0, 0.0)), ["not all 0"]),
        (sets_frame()[["weight", "loglik"]], ["no parameter columns"]),
        (sets_frame().iloc[0:0], ["no rows"]),
    ],
)
def test_from_frame_refuses_bad_frames(frame, words):
    with pytest.raises(InputError) as e:
        from_frame(frame, "posterior.parquet")
    message = str(e.value)
    assert message.startswith("posterior.parquet")
    for w in words:
        assert w in message, (w, message)


def test_from_frame_normalises_weights_and_ignores_info_columns():
    sets = from_frame(sets_frame(weights=(1.0, 3.0)))
    assert sets.paths == (RATE, PREVENTIVE_EXIT)
    assert sets.weights == pytest.approx((0.25, 0.75)) and sets.values == ((60.0, 0.6), (180.0, 1.4))


def test_index_for_depends_only_on_seed_and_replication():
    a = from_frame(pd.DataFrame({RATE: [1.0, 2.0, 3.0], PREVENTIVE_EXIT: 1.0, "weight": [0.2, 0.3, 0.5]}))
    b = from_frame(pd.DataFrame({"caseworkers.fte": [9.0, 8.0, 7.0], "weight": [2.0, 3.0, 5.0]}))
    forward = [a.index_for(11, r) for r in range(200)]
    assert [a.index_for(11, r) for r in reversed(range(200))] == forward[::-1]  # no hidden state
    assert [b.index_for(11, r) for r in range(200)] == forward  # not the values or paths: (seed, r) and weights
    assert [a.index_for(12, r) for r in range(200)] != forward  # another seed, another sequence
    assert set(forward) == {0, 1, 2}


def test_draw_frequencies_match_the_weights():
    weights = np.array([0.1, 0.0, 0.3, 0.6])
    sets = from_frame(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "weight": weights}))
    n = 20000
    counts = np.bincount([sets.index_for(5, r) for r in range(n)], minlength=4)
    assert counts[1] == 0  # a set of weight 0 is never drawn
    nonzero = weights > 0
    assert stats.chisquare(counts[nonzero], n * weights[nonzero]).pvalue > 1e-3


@pytest.fixture(scope="module")
def tiny() -> dict:
    """A quarter-size municipality, no burn-in, 2 years: about 0.1 s per replication."""
    return small(start_year=2027, burn_in=0, horizon=2)


def test_apply_sets_the_values_at_the_key_paths(tiny):
    sets = from_frame(sets_frame())
    sc = scenario_from_mapping(tiny)
    second = sets.apply(sc, 1)
    assert second.notifications.per_1000_aged_0_17 == 180.0
    assert [lv.improvement_rate_per_year for lv in second.needs.levels if lv.level == 2] == [1.4]
    assert second.caseworkers.fte == sc.caseworkers.fte  # the rest unchanged
    assert sc.notifications.per_1000_aged_0_17 == tiny["notifications"]["per_1000_aged_0_17"]  # not in place
    bad = from_frame(sets_frame(exits=(0.6, -1.0)))
    with pytest.raises(InputError, match="parameter set 1 gives an invalid scenario"):
        bad.apply(sc, 1)


@pytest.mark.slow
def test_each_replication_runs_with_its_own_drawn_set(tiny):
    sets = from_frame(sets_frame())
    sc = scenario_from_mapping(tiny)
    seed, reps = 4, 6
    drawn = [sets.index_for(seed, r) for r in range(reps)]
    assert set(drawn) == {0, 1}  # both sets used (else the test proves less)
    table = run_replications(sc, reps, seed=seed, workers=1, parameter_sets=sets).table
    for r, i in enumerate(drawn):
        rows = table[table["replication"] == r]
        got = list(zip(rows["year"], rows["metric"], rows["value"]))
        assert got == simulate(sets.apply(sc, i), seed, r).rows, r
        assert got != simulate(sets.apply(sc, 1 - i), seed, r).rows, r  # the other set would differ


def test_parameter_set_runs_do_not_depend_on_workers(tiny):
    sets = from_frame(sets_frame(weights=(0.3, 0.7)))
    sc = scenario_from_mapping(tiny)
    one = run_replications(sc, 4, seed=9, workers=1, parameter_sets=sets).table
    two = run_replications(sc, 4, seed=9, workers=2, parameter_sets=sets).table
    pd.testing.assert_frame_equal(one, two)


def test_check_same_base_refuses_an_alternative_that_changes_a_calibrated_value(tiny):
    sets = from_frame(sets_frame())
    base = scenario_from_mapping(tiny)
    other_path = copy.deepcopy(tiny)
    other_path["caseworkers"]["fte"] += 2
    check_same_base(sets, base, scenario_from_mapping(other_path))  # not a calibrated path: fine
    changed = copy.deepcopy(tiny)
    set_path(changed, RATE, 150.0)
    changed["name"] = "more_notifications"
    with pytest.raises(InputError, match=rf"'more_notifications' sets {RATE} = 150"):
        check_same_base(sets, base, scenario_from_mapping(changed))


# ---------------------------------------------------------------- 4. recovery of known parameter values

TRUE = {RATE: 105.0, PREVENTIVE_EXIT: 1.1}  # the baseline has 119 and 0.85
PRIOR = {RATE: (80.0, 160.0), PREVENTIVE_EXIT: (0.5, 1.5)}
TARGETS = ("notifications", "children_preventive")
PAST = range(2015, 2019)  # 4 fitted years
FUTURE = range(2019, 2023)  # 4 projected years
HISTORY_SEED = 101  # "what happened": not the spec's seed
FUTURES = 4  # replication 0 of the true scenario is the fitted past and its future; 1-3 are other futures


@pytest.fixture(scope="module")
def recovery():
    raw = small(start_year=2015, burn_in=1, horizon=len(PAST) + len(FUTURE))
    true_raw = copy.deepcopy(raw)
    for path, value in TRUE.items():
        set_path(true_raw, path, value)
    # one replication is one observed past and its continuation; the past of replication 0 is fitted
    truth = run_replications(scenario_from_mapping(true_raw), FUTURES, seed=HISTORY_SEED, workers=2).table
    truth = truth[truth["metric"].isin(TARGETS)]
    past = truth[truth["year"].isin(PAST) & (truth["replication"] == 0)]
    history = history_frame(zip(past["year"], past["metric"], past["value"]))
    spec = spec_from_mapping({
        "seed": 1, "burn_in_years": 1, "scale": "absolute",
        "parameters": [{"path": p, "low": lo, "high": hi} for p, (lo, hi) in PRIOR.items()],
        # notifications arrive as a Poisson process and preventive support is an infinite-server queue fed by
        # it, whose stock is Poisson too: so Poisson likelihoods are the model's own noise
        "targets": [{"metric": m, "likelihood": "poisson"} for m in TARGETS],
        "search": {"trials": 48, "startup_trials": 16, "replications": 2, "confidence": 0.9},
        "projection_replications": 20,
    })
    problem = prepare(raw, spec, history)  # the scenario at the baseline's values, not the truth
    cal = calibrate(problem, workers=2)
    return {"raw": raw, "truth": truth, "problem": problem, "cal": cal}


def _truth_in_likelihood_region(recovery) -> bool:
    """Whether the true values' log-likelihood, computed as a trial's (same seed and replications), lies within
    the region's threshold of the best trial's."""
    from sim.analysis.calibration import fit_log_likelihood, trial_scenario
    from sim.runs.runner import run_metrics

    problem, cal = recovery["problem"], recovery["cal"]
    spec = problem.spec
    values = [TRUE[p.path] for p in spec.parameters]
    reps = spec.search.replications
    table, _ = run_metrics(trial_scenario(problem, values), reps, spec.seed, problem.metrics)
    threshold = stats.chi2.ppf(spec.search.confidence, len(values)) / 2
    return fit_log_likelihood(problem, table, reps) >= cal.trials["loglik"].max() - threshold


@pytest.mark.slow
def test_the_true_values_lie_in_the_ensembles_range(recovery):
    cal = recovery["cal"]
    summary = parameter_summary(cal).set_index("parameter")
    assert len(cal.ensemble) >= 3, cal.ensemble  # a region, not one point
    truth_inside = _truth_in_likelihood_region(recovery)
    for path, value in TRUE.items():
        row = summary.loc[path]
        # the ensemble is the trials inside the likelihood-ratio region: a discrete sample of it, so the truth may
        # lie just beyond the sampled range and still inside the region (its own likelihood says which)
        assert row["min"] <= value <= row["max"] or truth_inside, (path, value, row.to_dict())
        assert PRIOR[path][0] <= row["min"] and row["max"] <= PRIOR[path][1]
        assert row["scenario_value"] == get_path(recovery["raw"], path)  # the scenario's own, not the truth
    # the strongly identified rate: the fit moved from the prior's middle towards the truth
    middle = sum(PRIOR[RATE]) / 2
    assert abs(cal.best[RATE] - TRUE[RATE]) < abs(middle - TRUE[RATE]) / 2
    # ... and its range is a small part of the prior's
    assert summary.loc[RATE, "max"] - summary.loc[RATE, "min"] < 0.5 * (PRIOR[RATE][1] - PRIOR[RATE][0])


def test_the_ensemble_is_the_likelihood_ratio_region_of_the_trials(recovery):
    cal = recovery["cal"]
    assert len(cal.trials) == 48 and cal.trials["trial"].is_unique
    threshold = stats.chi2.ppf(0.9, 2) / 2
    best = cal.trials["loglik"].max()
    inside = cal.trials[cal.trials["loglik"] >= best - threshold]
    assert sorted(cal.ensemble["trial"]) == sorted(inside["trial"])
    assert cal.ensemble["weight"].sum() == pytest.approx(1.0)
    best_row = cal.trials.loc[cal.trials["loglik"].idxmax()]
    assert cal.best == {p: best_row[p] for p in PRIOR}
    for p, (lo, hi) in PRIOR.items():
        assert cal.trials[p].between(lo, hi).all()


def test_the_fit_bands_cover_the_observed_past(recovery):
    fit = recovery["cal"].fit
    assert list(fit.columns) == FIT_COLUMNS
    fitted = fit[fit["fitted"]]
    assert sorted(zip(fitted["metric"], fitted["year"])) == sorted((m, y) for m in TARGETS for y in PAST)
    truth = recovery["truth"]
    past = truth[truth["replication"] == 0].set_index(["metric", "year"])["value"]
    assert list(fitted["observed"]) == [past[(m, y)] for m, y in zip(fitted["metric"], fitted["year"])]
    assert (fitted["sim_p05"] <= fitted["sim_mean"]).all() and (fitted["sim_mean"] <= fitted["sim_p95"]).all()
    covered = fitted["observed"].between(fitted["sim_p05"], fitted["sim_p95"])
    assert covered.mean() >= 0.6, fitted


@pytest.mark.slow
def test_the_projection_covers_the_simulated_future(recovery):
    problem, cal = recovery["problem"], recovery["cal"]
    longer = copy.deepcopy(problem.raw)
    longer["calendar"]["horizon_years"] = len(PAST) + len(FUTURE)
    table, events = project(scenario_from_mapping(longer), cal.parameter_sets, 20, seed=problem.spec.seed, workers=2)
    assert events > 0
    sim = table[table["metric"].isin(TARGETS) & table["year"].isin(FUTURE)]
    band = sim.groupby(["metric", "year"])["value"].quantile([0.05, 0.95]).unstack()
    truth = recovery["truth"]
    future = truth[truth["year"].isin(FUTURE)].set_index(["metric", "year"])
    assert len(future) == FUTURES * len(TARGETS) * len(FUTURE)
    low, high = band.loc[future.index, 0.05].to_numpy(), band.loc[future.index, 0.95].to_numpy()
    covered = (future["value"].to_numpy() >= low) & (future["value"].to_numpy() <= high)
    # a 5-95 % band of 20 draws holds a new draw about 17/21 = 81 % of the time (order statistics), a bit
    # more with the parameter uncertainty. Several futures, not only the fitted past's own continuation: the
    # projection starts afresh (it is not conditioned on the past's last state), so each future is one draw,
    # and one future's years are correlated (a high stock stays high), so one alone says little.
    assert covered.mean() >= 0.6, future.assign(low=low, high=high)


# ---------------------------------------------------------------- 5. resuming


@pytest.fixture
def tiny_problem(tiny):
    history = history_frame([(2027, "notifications", 300), (2028, "notifications", 320)])
    spec = spec_from_mapping(minimal_spec(
        parameters=[{"path": RATE, "low": 80, "high": 160}, {"path": PREVENTIVE_EXIT, "low": 0.5, "high": 1.5}],
        search={"replications": 1}))
    return tiny, spec, history


@pytest.mark.slow
def test_a_search_resumes_from_its_journal(tiny_problem, tmp_path):
    raw, spec, history = tiny_problem
    journal = tmp_path / "j.journal"
    study, simulations, _, resumed = search(prepare(raw, spec, history), workers=1, journal=journal, trials=6)
    assert resumed == 0 and simulations == 6 and journal.is_file()
    first = trials_frame(study, spec)
    assert len(first) == 6
    study, simulations, _, resumed = search(prepare(raw, spec, history), workers=1, journal=journal, trials=10)
    assert resumed == 6 and simulations == 4  # only the missing trials are run
    again = trials_frame(study, spec)
    assert len(again) == 10 and again["trial"].is_unique
    pd.testing.assert_frame_equal(again.iloc[:6].reset_index(drop=True), first)  # the first six kept as they were


def test_a_journal_of_another_calibration_is_refused(tiny_problem, tmp_path):
    raw, spec, history = tiny_problem
    journal = tmp_path / "j.journal"
    search(prepare(raw, spec, history), workers=1, journal=journal, trials=2)
    other = spec_from_mapping({**spec.model_dump(mode="json"), "seed": spec.seed + 1})
    with pytest.raises(InputError, match="another calibration"):
        search(prepare(raw, other, history), workers=1, journal=journal, trials=4)
    changed_history = history.assign(value=history["value"] + 1)
    with pytest.raises(InputError, match="another calibration"):
        search(prepare(raw, spec, changed_history), workers=1, journal=journal, trials=4)
    _, _, _, resumed = search(prepare(raw, spec, history), workers=1, journal=journal, trials=2)
    assert resumed == 2  # the refusals left the journal as it was


# ---------------------------------------------------------------- fixes found in review


def test_shares_and_ratios_are_never_scaled_per_1000(baseline, national_history):
    """A share or a caseload is the same in a big and a small municipality: a per-1,000 spec leaves it."""
    history = pd.concat([national_history, history_frame([(2018, "screenings_on_time_share", 0.87),
                                                          (2018, "caseload", 31.0)])])
    spec = spec_from_mapping(minimal_spec(scale="per_1000_0_17", targets=[
        {"metric": "notifications"}, {"metric": "screenings_on_time_share"}, {"metric": "caseload"}]), "s.yaml")
    problem = prepare(baseline, spec, history)
    obs = problem.observed.set_index(["metric", "year"])["model_observed"]
    assert obs[("screenings_on_time_share", 2018)] == 0.87
    assert obs[("caseload", 2018)] == 31.0
    assert obs[("notifications", 2018)] == pytest.approx(127754 / 1_160_000 * 11_700)


def test_posterior_gives_anchored_settings_at_the_last_fitted_years_level(baseline, national_history):
    """A rate fitted for 2015 with a 5 % trend is written at its 2019 level: rate x 1.05^4."""
    from sim.analysis.calibration import Calibration, ensemble_for_scenarios

    trend = "notifications.trend_per_year"
    spec = spec_from_mapping(minimal_spec(parameters=[{"path": RATE, "low": 60, "high": 160},
                                                      {"path": trend, "low": 0, "high": 0.2}]), "s.yaml")
    problem = prepare(baseline, spec, national_history)
    assert problem.years == (2015, 2019)
    ensemble = pd.DataFrame({RATE: [80.0, 90.0], trend: [0.05, 0.0], "weight": [0.5, 0.5], "loglik": [-1.0, -2.0],
                             "trial": [3, 7]})
    cal = Calibration(problem=problem, trials=ensemble, ensemble=ensemble, best={RATE: 80.0, trend: 0.05},
                      wall_seconds=0.0, simulations=0, events=0)
    out = ensemble_for_scenarios(cal)
    assert out[RATE].tolist() == pytest.approx([80.0 * 1.05**4, 90.0])
    assert out[trend].tolist() == [0.05, 0.0] and out["weight"].tolist() == [0.5, 0.5]


def test_the_need_mix_is_handed_on_only_when_the_fit_moves_it_and_only_for_listed_levels(baseline, national_history):
    """A fit of the notification rate alone (flat trends) leaves the need mix as it is: no need-share columns, so
    a posterior forces no mix on the scenarios it is run with. Fitting the notification trend moves the mix, and
    a scenario that lists fewer need levels gets only those (a level it does not list has no share to move)."""
    from sim.analysis.calibration import at_last_fitted_year

    trend = "notifications.trend_per_year"
    rate_only = prepare(baseline, spec_from_mapping(minimal_spec(parameters=[{"path": RATE, "low": 60, "high": 160}]),
                                                    "s.yaml"), national_history)
    assert set(at_last_fitted_year(rate_only, {RATE: 90.0})) == {RATE}

    with_trend = spec_from_mapping(minimal_spec(parameters=[{"path": RATE, "low": 60, "high": 160},
                                                            {"path": trend, "low": 0, "high": 0.2}]), "s.yaml")
    moved = at_last_fitted_year(prepare(baseline, with_trend, national_history), {RATE: 90.0, trend: 0.1})
    mix = {k: v for k, v in moved.items() if k.startswith("demand.need_shares.")}
    assert len(mix) == len(baseline["demand"]["need_shares"]) and sum(mix.values()) == pytest.approx(1.0)
    assert mix["demand.need_shares.2"] == pytest.approx(baseline["demand"]["need_shares"][2] / 1.1**4)

    fewer = copy.deepcopy(baseline)
    fewer["demand"]["need_shares"] = {0: 0.5, 1: 0.3, 2: 0.2}
    fewer["provenance"] = []  # the baseline's entries name levels 3-5
    moved = at_last_fitted_year(prepare(fewer, with_trend, national_history), {RATE: 90.0, trend: 0.1})
    assert sorted(k for k in moved if k.startswith("demand.need_shares.")) == [
        f"demand.need_shares.{level}" for level in range(3)]


def test_a_calibrated_scenario_keeps_its_rounded_need_mix_summing_to_one(baseline, national_history):
    """calibrated.yaml writes 6 significant digits; six shares rounded so can miss 1 by more than the validator's
    1e-6 (a mix factor of 0.907 does). Level 0, no need, is written as the rest, so the file always loads."""
    from sim.analysis.calibration import Calibration
    from sim.outputs.history_report import calibrated_mapping

    trend = "notifications.trend_per_year"
    spec = spec_from_mapping(minimal_spec(parameters=[{"path": RATE, "low": 60, "high": 160},
                                                      {"path": trend, "low": 0, "high": 0.2}]), "s.yaml")
    problem = prepare(baseline, spec, national_history)
    best = {RATE: 90.0, trend: 0.907 ** -0.25 - 1.0}  # the need mix falls to 0.907 of 2015's by 2019
    frame = pd.DataFrame({**{k: [v] for k, v in best.items()}, "weight": [1.0], "loglik": [0.0], "trial": [0]})
    cal = Calibration(problem=problem, trials=frame, ensemble=frame, best=best, wall_seconds=0.0, simulations=0,
                      events=0)
    out = calibrated_mapping(cal, baseline, "baseline.yaml", "calibrated")
    shares = out["demand"]["need_shares"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(float(f"{v:.6g}") == v for level, v in shares.items() if int(level) != 0)
    resolved = copy.deepcopy(baseline)
    resolved["demand"]["need_shares"] = shares
    scenario_from_mapping(resolved, "calibrated.yaml")  # loads: the shares sum to 1


def test_a_resumed_search_does_not_repeat_the_trials_it_has(tmp_path):
    raw = small(start_year=2020, burn_in=0, horizon=1)
    raw = scaled(raw, 0.2)
    history = history_frame([(2020, "notifications", 60.0)])
    spec = spec_from_mapping(minimal_spec(search={"trials": 8, "startup_trials": 8, "replications": 1,
                                                  "refine_share": 0}), "s.yaml")
    problem = prepare(raw, spec, history)
    journal = tmp_path / "j.journal"
    search(problem, workers=1, journal=journal, trials=4)
    study, *_ = search(problem, workers=1, journal=journal, trials=8)
    values = trials_frame(study, spec)[RATE].round(9)
    assert len(values) == 8 and values.nunique() == 8


@pytest.mark.slow
def test_the_search_does_not_depend_on_the_number_of_workers(tmp_path):
    raw = scaled(small(start_year=2020, burn_in=0, horizon=1), 0.2)
    history = history_frame([(2020, "notifications", 60.0)])
    spec = spec_from_mapping(minimal_spec(search={"trials": 6, "startup_trials": 4, "replications": 1,
                                                  "batch": 3}), "s.yaml")
    problem = prepare(raw, spec, history)
    one = trials_frame(search(problem, workers=1)[0], spec)
    two = trials_frame(search(problem, workers=2)[0], spec)
    pd.testing.assert_frame_equal(one, two)


@pytest.mark.parametrize("parameter, words", [
    ({"path": "caseworkers.fte", "low": 0.2, "high": 0.8, "integer": True}, ["no whole number"]),
    ({"path": "levers.0.value", "low": 1, "high": 2}, ["leaves out the scenario's levers"]),
])
def test_parameters_that_cannot_be_calibrated_are_named(baseline, national_history, parameter, words):
    spec = spec_from_mapping(minimal_spec(parameters=[parameter]), "bad.yaml")
    with pytest.raises(CalibrationSpecError) as e:
        prepare(baseline, spec, national_history, source="bad.yaml")
    for w in words:
        assert w in str(e.value), str(e.value)


def test_backtest_window_errors_say_what_is_wrong(national_history):
    from sim.analysis.backtest import check_window

    with pytest.raises(InputError, match="before the history starts"):
        check_window(national_history, 2010, 2)
    with pytest.raises(InputError, match="ends in 2019"):
        check_window(national_history, 2019, 1)
    with pytest.raises(InputError, match="only population rows"):
        check_window(national_history[national_history["metric"].str.startswith("population")], 2015, 1)


def test_a_backtest_converts_rates_with_the_population_known_at_fit_until(national_history):
    from sim.analysis.backtest import known_population

    history = pd.concat([national_history, history_frame([(2016, "population_0_17", 1_150_000)])])
    known = known_population(history, 2017).set_index(["metric", "year"])["value"]
    assert dict(known) == {("population_0_17", 2016): 1_150_000,   # known by 2017; 2018's is not used
                           ("population_0_22", 2018): 1_536_000}   # only given later: its first year


def test_every_parameter_of_a_trial_reaches_its_scenario():
    """A trial's values are written into the scenario it runs, each at its own key path (the shipped spec's
    parameters, each at a point inside its range distinct from the baseline's value)."""
    from sim.analysis.calibration import parameter_value, trial_scenario

    spec = load_spec(NATIONAL_SPEC)
    problem = prepare(resolve_raw(BASELINE), spec, read_history(NATIONAL_HISTORY), source=str(NATIONAL_SPEC))
    values = [p.low + 0.37 * (p.high - p.low) for p in spec.parameters]
    scenario = trial_scenario(problem, values)
    assert scenario is not None
    raw = scenario.model_dump(mode="json")
    for p, v in zip(spec.parameters, values):
        assert get_path(raw, p.path) == pytest.approx(parameter_value(p, v)), p.path
