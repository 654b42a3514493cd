"""Statistical equivalence with the stored reference (tests/data/equivalence_reference.csv).

A speed-up may change the random numbers a replication draws, but not the model: the current model's
summary of the baseline and two policies, run with another seed than the reference, must agree with the
stored one in every metric-year within Monte Carlo error (Welch's t, Bonferroni-bounded; see
tests/equivalence.py). Not a timing: speed is measured in benchmarks/run_benchmarks.py."""

import pandas as pd
import pytest
from equivalence import FAMILY_ALPHA, STORED, TEST_SEED, disagreements, spread_summary


@pytest.mark.slow
def test_the_model_matches_the_stored_reference_within_monte_carlo_error():
    reference = pd.read_csv(STORED)
    bad = disagreements(reference, spread_summary(TEST_SEED, workers=2))
    assert bad.attrs["tests"] > 100  # the comparison compared something
    assert bad.empty, (
        f"{len(bad)} metric-years differ beyond Monte Carlo error (family alpha {FAMILY_ALPHA}, per test "
        f"{bad.attrs['alpha']:.1e}):\n{bad.to_string()}"
    )


def _summary(means, sd=1.0, n=16):
    return pd.DataFrame({"scenario": "s", "year": 2027, "metric": [f"m{i}" for i in range(len(means))],
                         "n": n, "mean": means, "sd": sd})


def test_a_shift_of_many_standard_errors_is_caught_and_noise_is_not():
    reference = _summary([0.0] * 50)
    se = (2 * 1.0 / 16) ** 0.5
    noise = _summary([0.3 * se * ((-1) ** i) for i in range(50)])
    assert disagreements(reference, noise).empty
    shifted = _summary([0.0] * 49 + [8 * se])
    bad = disagreements(reference, shifted)
    assert list(bad["metric"]) == ["m49"]


def test_metrics_without_spread_must_agree_exactly_and_none_may_go_missing():
    reference = _summary([20.0, 5.0], sd=0.0)
    assert disagreements(reference, _summary([20.0, 5.0], sd=0.0)).empty
    assert list(disagreements(reference, _summary([20.0, 5.5], sd=0.0))["metric"]) == ["m1"]
    assert list(disagreements(reference, _summary([20.0], sd=0.0))["metric"]) == ["m1"]
