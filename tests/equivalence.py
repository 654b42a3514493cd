"""The stored equivalence reference: mean, spread and count per metric-year of the baseline and two policies.

`tests/properties/test_equivalence.py` runs the current model with another seed and checks that every metric-year's
mean agrees with the stored one within Monte Carlo error. Unlike the regression summary
(`tests/regression.py`, which must match to the byte), it lets a faster model draw different random numbers,
as long as it is the same model in distribution.

Regenerate only on purpose, after a change meant to change the model's results (not after a speed-up):

    python tests/equivalence.py --update
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORED = ROOT / "tests" / "data" / "equivalence_reference.csv"
SCENARIOS = ("baseline", "more-caseworkers", "intake-team")  # the baseline and two policies that act in year 1
REFERENCE_SEED, TEST_SEED = 101, 202  # independent samples: the test is a real two-sample comparison
REPLICATIONS, YEARS = 16, 2
FAMILY_ALPHA = 0.01  # chance that an unchanged model fails the test somewhere (Bonferroni over metric-years)
KEYS = ["scenario", "year", "metric"]
ROUNDING = 1e-9  # relative differences below this are floating-point rounding, not Monte Carlo error


def spread_summary(seed: int, replications: int = REPLICATIONS, workers: int | None = None) -> pd.DataFrame:
    """Per scenario, year and metric: replications with a value (n), their mean and standard deviation."""
    import sim
    from sim.runs.runner import run_replications, with_horizon

    parts = []
    for name in SCENARIOS:
        scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml"), YEARS)
        parts.append(run_replications(scenario, replications, seed=seed, workers=workers).table)
    table = pd.concat(parts, ignore_index=True)
    grouped = table.dropna(subset=["value"]).groupby(KEYS, sort=True)["value"]
    return grouped.agg(n="count", mean="mean", sd="std").reset_index()


def disagreements(reference: pd.DataFrame, now: pd.DataFrame, family_alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """The metric-years whose means differ by more than Monte Carlo error, with their t statistics.

    Welch's two-sample t per metric-year (the two runs are independent samples of replications); the
    threshold is Bonferroni's, family_alpha / (metric-years with a spread), so an unchanged model fails
    anywhere with probability at most family_alpha. A metric-year without spread in both (population,
    FTEs) must agree to rounding. A metric missing on one side counts as a disagreement."""
    from scipy import stats

    merged = reference.merge(now, on=KEYS, how="outer", suffixes=("_ref", "_now"), indicator=True)
    missing = merged["_merge"] != "both"
    both = merged[~missing].copy()
    se = ((both["sd_ref"] ** 2 / both["n_ref"]) + (both["sd_now"] ** 2 / both["n_now"])).pow(0.5)
    # a spread of rounding only (the FTE integral of a ramp: the same in every replication) is no spread
    scale = both[["mean_ref", "mean_now"]].abs().max(axis=1).clip(lower=1.0)
    spread = (se > ROUNDING * scale) & (both["n_ref"] > 1) & (both["n_now"] > 1)
    tests = int(spread.sum())
    alpha = family_alpha / max(tests, 1)
    both["t"] = float("nan")
    both["p"] = float("nan")
    if tests:
        s = both[spread]
        col = lambda name: s[name].to_numpy(dtype=float)  # noqa: E731
        t, p = stats.ttest_ind_from_stats(col("mean_ref"), col("sd_ref"), col("n_ref"), col("mean_now"),
                                          col("sd_now"), col("n_now"), equal_var=False)
        both.loc[spread, "t"], both.loc[spread, "p"] = t, p
    exact = ~spread
    differs_exactly = exact & ~both.apply(lambda r: math.isclose(r["mean_ref"], r["mean_now"], rel_tol=ROUNDING,
                                                                 abs_tol=ROUNDING), axis=1)
    bad = both[(spread & (both["p"] < alpha)) | differs_exactly]
    cols = [*KEYS, "mean_ref", "mean_now", "t", "p"]
    gone = merged.loc[missing, [*KEYS, "mean_ref", "mean_now"]]
    out = pd.concat([bad[cols], gone], ignore_index=True)
    out.attrs.update(tests=tests, alpha=alpha)
    return out


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit(__doc__)
    spread_summary(REFERENCE_SEED).to_csv(STORED, index=False, float_format="%.10g")
    print(f"wrote {STORED}")
