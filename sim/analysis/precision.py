"""Answers to a stated precision: when a run has had replications enough.

A run to a precision (``--precision 0.1``) runs replications in batches (sim.runs.batches) and, after each
batch, asks of every policy's NPV per replication (a comparison: the paired net saving against the baseline;
a single run: its own total cost):

- the **Monte Carlo error of the mean**: the half-width of its 95 % interval, 1.96 standard deviations over
  the replications divided by the square root of their number, must be at most ``relative`` times the mean's
  size, or ``floor_dkk`` when that is larger (an effect near zero is pinned to within the floor, not to a
  share of nothing);
- in a comparison also the **Monte Carlo error of the chance of a saving**: its standard error (one standard
  error, as the Monte Carlo literature states it) in the Agresti-Coull form, which adds z^2/2 savings and
  z^2/2 non-savings (z = 1.96) before it takes sqrt(p(1 - p)/n): 0 or n savings of n runs is not an error of
  zero. It must be at most ``probability`` (0.03).

Each policy stops on its own: one that meets both runs no more batches, and the baseline runs as far as the
longest-running policy needs (replication r of every scenario keeps its seed r, so each policy is paired with
the baseline's first replications, as many as its own). At the cap a policy that has not met them is reported
with the errors it reached: a *clear* saving or cost when the 95 % interval of its mean NPV excludes 0
(``npv_sign_clear``), *no clear saving* only when it does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from sim.analysis.uncertainty import Z95
from sim.errors import InputError

DEFAULT_FLOOR_DKK = 5_000_000.0  # an NPV over ten years within ±5 M DKK (±0.5 M a year) of zero is no clear effect
DEFAULT_PROBABILITY = 0.03  # the chance of a saving to within ±3 percentage points (one standard error)
DEFAULT_BATCH = 10  # the sign of a policy's effect is clear after 5-10 replications; a batch is the first look
DEFAULT_RELATIVE = 0.1  # the default of `compare` and the app: each policy's mean NPV to within ±10 % (95 %)
# replications of each scenario at most: the main job (seven policies, 10 years) then ends in about 10 minutes on
# an idle 2-core machine (about 1.5-1.8 CPU s per scenario-replication with the burn-in shared; docs/model.md)
DEFAULT_CAP = 100
MAX_CAP = 100_000  # sim.runs.runner.MAX_REPLICATIONS

PRECISION_ECONOMICS_COLUMNS = ["npv_mc_error_dkk", "npv_mc_target_dkk", "prob_mc_error", "prob_mc_target",
                               "precision_reached", "npv_sign_clear"]


@dataclass(frozen=True)
class Precision:
    """The precision a run stops at (see the module), the batch size and the cap on replications."""

    relative: float
    floor_dkk: float = DEFAULT_FLOOR_DKK
    probability: float = DEFAULT_PROBABILITY
    batch: int = DEFAULT_BATCH
    cap: int = DEFAULT_CAP

    def as_dict(self) -> dict:
        return asdict(self)


def precision_from_options(precision: float | None, replications: int | None,
                           max_replications: int | None, chance: float | None = None,
                           default: bool = False) -> Precision | None:
    """The precision of ``--precision``, ``--max-replications`` and ``--precision-chance``; without
    ``--precision`` None, or with ``default`` (a command whose default is a precision, e.g. `compare`) the
    default precision unless ``--replications`` asks for a fixed number. Every refusal names the option."""
    if precision is None and default and replications is None:
        precision = DEFAULT_RELATIVE
    if precision is None:
        for option, value in (("--max-replications", max_replications), ("--precision-chance", chance)):
            if value is not None:
                raise InputError(f"{option} goes with --precision")
        return None
    if chance is not None and not 0 < chance < 1:
        raise InputError(f"--precision-chance must be above 0 and below 1, e.g. 0.05 for ±5 percentage points "
                         f"(got {chance})")
    if replications is not None:
        raise InputError("--precision and --replications exclude each other: a run to a precision chooses its "
                         "replications (cap them with --max-replications)")
    if not (isinstance(precision, (int, float)) and 0 < precision <= 1):
        raise InputError(f"--precision must be a share above 0 and at most 1, e.g. 0.1 for ±10 % (got {precision})")
    cap = DEFAULT_CAP if max_replications is None else max_replications
    if not 1 <= cap <= MAX_CAP:
        raise InputError(f"--max-replications must be from 1 to {MAX_CAP:,} (got {cap:,})")
    return Precision(relative=float(precision), cap=int(cap),
                     probability=DEFAULT_PROBABILITY if chance is None else float(chance))


def default_precision(cap: int | None = None) -> Precision:
    """The default precision of `compare` and the app: ±10 % on each mean NPV (at least ±5 M DKK, 95 %) and
    ±0.03 on each chance of a saving (one standard error), at most ``cap`` (default ``DEFAULT_CAP``)."""
    return Precision(relative=DEFAULT_RELATIVE, cap=DEFAULT_CAP if cap is None else int(cap))


def mean_error(values: np.ndarray) -> float:
    """Half-width of the 95 % interval of the mean of ``values`` (NaN left out); NaN with fewer than 2."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size < 2:
        return math.nan
    return float(Z95 * np.std(v, ddof=1) / math.sqrt(v.size))


def probability_error(share: float, n: int) -> float:
    """One standard error of a share of ``n`` runs in the Agresti-Coull form: the share with z^2/2 successes and
    z^2/2 failures added (z = 1.96), so 0 or n of n is not an error of zero; NaN with no runs."""
    if n < 1 or share is None or math.isnan(share):
        return math.nan
    n_tilde = n + Z95 * Z95
    p_tilde = (share * n + Z95 * Z95 / 2.0) / n_tilde
    return math.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)


def assess(values: np.ndarray, precision: Precision, probability: bool) -> dict:
    """How precise the mean of ``values`` (one NPV per replication) is, and with ``probability`` the share of
    them above zero; ``reached`` when both are within the precision."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    mean = float(np.mean(v)) if v.size else math.nan
    error = mean_error(v)
    target = max(precision.relative * abs(mean), precision.floor_dkk) if not math.isnan(mean) else math.nan
    reached = not math.isnan(error) and error <= target
    out = {"replications": int(v.size), "npv_mean_dkk": mean, "npv_mc_error_dkk": error,
           "npv_mc_target_dkk": target, "npv_sign_clear": bool(not math.isnan(error) and abs(mean) > error)}
    if probability:
        share = float(np.mean(v > 0)) if v.size else math.nan
        margin = probability_error(share, int(v.size))
        out.update(prob_net_saving=share, prob_mc_error=margin, prob_mc_target=precision.probability)
        reached = reached and not math.isnan(margin) and margin <= precision.probability
    out["precision_reached"] = bool(reached)
    return out


def assess_all(npvs: Mapping[str, np.ndarray], precision: Precision, probability: bool) -> dict[str, dict]:
    """:func:`assess` of each policy's NPVs, by name."""
    return {name: assess(values, precision, probability) for name, values in npvs.items()}


def all_reached(assessed: Mapping[str, dict]) -> bool:
    return all(a["precision_reached"] for a in assessed.values())


def still_running(assessed: Mapping[str, dict], compare: bool) -> list[int]:
    """The scenarios (by position) that run another batch: alone, the scenario until it is precise; in a
    comparison each policy (position 1, 2, ... in ``assessed``'s order) until it is precise, and the baseline
    (position 0) while any policy runs. Empty: the run stops."""
    pending = [i for i, a in enumerate(assessed.values()) if not a["precision_reached"]]
    if not compare:
        return [0] if pending else []
    return [0, *(i + 1 for i in pending)] if pending else []


def paired_rows(frame: pd.DataFrame, baseline: str, alternative: str, replications: int) -> pd.DataFrame:
    """The rows of a long ``frame`` (with ``scenario`` and ``replication``) of ``alternative`` and of the
    baseline's first ``replications``: the pair as a run of that many replications holds it (the baseline of a
    run to a precision may have run more)."""
    mine = (frame["scenario"] == alternative) | ((frame["scenario"] == baseline)
                                                 & (frame["replication"] < replications))
    return frame[mine].reset_index(drop=True)


def cost_npvs(table: pd.DataFrame, rate: float, start_year: int) -> np.ndarray:
    """Each replication's NPV of its total cost (a single run's statistic)."""
    from sim.analysis.economics import discount_factors

    rows = table[table["metric"] == "cost_total"]
    matrix = rows.pivot_table(index="replication", columns="year", values="value", aggfunc="sum")
    matrix = matrix.sort_index(axis=0).sort_index(axis=1)
    return matrix.to_numpy(dtype=float) @ discount_factors(matrix.columns, rate, start_year)


def saving_npvs(table: pd.DataFrame, baseline: str, alternatives: Sequence[str], rate: float,
                start_year: int) -> dict[str, np.ndarray]:
    """Each alternative's NPV of its net saving against ``baseline`` per replication (economics.csv's)."""
    from sim.analysis.economics import net_saving_matrix, npv_by_replication

    return {alt: npv_by_replication(net_saving_matrix(table, baseline, alt), rate, start_year) for alt in alternatives}


def summary(precision: Precision, assessed: Mapping[str, dict], reached: bool, replications: int) -> dict:
    """What the manifest records of a run to a precision."""
    return {**precision.as_dict(), "replications": int(replications), "reached": bool(reached),
            "rule": "after each batch, each policy on its own: 95 % half-width of its mean NPV <= max(relative x "
                    "|mean|, floor_dkk), and one standard error of its chance of a saving (Agresti-Coull) <= "
                    "probability; a policy that meets both stops, the baseline runs while any policy does; "
                    "else on to the cap",
            "policies": {name: {k: _plain(v) for k, v in a.items()} for name, a in assessed.items()}}


def _plain(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


__all__ = ["Precision", "precision_from_options", "mean_error", "probability_error", "assess", "assess_all",
           "all_reached", "still_running", "paired_rows", "cost_npvs", "saving_npvs", "summary", "default_precision",
           "PRECISION_ECONOMICS_COLUMNS", "DEFAULT_CAP", "DEFAULT_BATCH", "DEFAULT_FLOOR_DKK", "DEFAULT_PROBABILITY",
           "DEFAULT_RELATIVE"]
