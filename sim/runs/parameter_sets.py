"""Parameter sets from a calibration, drawn one per replication so that bands carry parameter uncertainty.

``posterior.parquet`` (written by ``boernesim calibrate``) has one row per parameter set: a column per
parameter (its key path into the scenario, see :mod:`sim.model.keypaths`; a fit with the demand model may add the
need mix it implies, ``demand.need_shares.<level>``) and ``weight``. A run with
``--parameter-sets FILE`` gives replication *r* the set drawn with probability ``weight`` from a random
stream keyed by (seed, r) only: the draw does not depend on workers or executor, and in a ``compare`` every
scenario's replication *r* gets the same set (common random numbers carry over to the parameters).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError, ScenarioError
from sim.model.keypaths import get_path, set_path
from sim.model.scenario import Scenario, scenario_from_mapping

WEIGHT = "weight"
INFO_COLUMNS = ("weight", "loglik", "trial")  # besides the parameters; loglik and trial are informative only
PARAMETER_SET_STREAM = 0x5E75  # keeps this draw apart from the model's own decision streams


@dataclass(frozen=True)
class ParameterSets:
    """Calibrated parameter sets with weights; replication r runs with the set drawn for (seed, r)."""

    paths: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]  # one tuple per set, in ``paths`` order
    weights: tuple[float, ...]  # sum to 1
    source: str = "<parameter sets>"
    digest: str = ""

    def __len__(self) -> int:
        return len(self.values)

    def index_for(self, seed: int, replication: int) -> int:
        """The set replication ``replication`` uses: a weighted draw keyed by (seed, replication) only."""
        rng = np.random.default_rng([PARAMETER_SET_STREAM, seed, replication])
        return int(np.searchsorted(np.cumsum(self.weights), rng.random() * sum(self.weights), side="right")
                   .clip(0, len(self.weights) - 1))

    def apply(self, scenario: Scenario, index: int) -> Scenario:
        """The scenario with set ``index``'s values at its key paths, validated again."""
        raw = scenario.model_dump(mode="json")
        for path, value in zip(self.paths, self.values[index]):
            set_path(raw, path, value)
            raw.get("assumptions", {}).pop(path, None)  # the calibrated value replaces the assumed range
        try:
            return scenario_from_mapping(raw, f"{scenario.name} with parameter set {index} of {self.source}")
        except ScenarioError as e:
            reasons = "; ".join(f"{p}: {r}" for p, r in e.problems)
            raise InputError(f"{self.source}: parameter set {index} gives an invalid scenario: {reasons}") from None

    def for_replication(self, scenario: Scenario, seed: int, replication: int) -> Scenario:
        return self.apply(scenario, self.index_for(seed, replication))

    def check_against(self, scenario: Scenario) -> None:
        """InputError unless every path is a number set in the scenario and every set gives a valid scenario."""
        raw = scenario.model_dump(mode="json")
        for path in self.paths:
            try:
                get_path(raw, path)
            except KeyError as e:
                raise InputError(f"{self.source}: column '{path}' is not a parameter of scenario "
                                 f"'{scenario.name}': {e.args[0]}") from None
        for i in range(len(self)):
            self.apply(scenario, i)

    def base_values(self, scenario: Scenario) -> tuple[float, ...]:
        raw = scenario.model_dump(mode="json")
        return tuple(float(get_path(raw, p)) for p in self.paths)


def from_frame(frame: pd.DataFrame, source: str = "<parameter sets>") -> ParameterSets:
    """Parameter sets from a frame with a column per key path and ``weight`` (other info columns ignored)."""
    if WEIGHT not in frame.columns:
        raise InputError(f"{source}: no '{WEIGHT}' column; expected a column per parameter and '{WEIGHT}' "
                         "(the posterior.parquet of `boernesim calibrate`)")
    paths = tuple(c for c in frame.columns if c not in INFO_COLUMNS)
    if not paths:
        raise InputError(f"{source}: no parameter columns besides {', '.join(INFO_COLUMNS)}")
    if frame.empty:
        raise InputError(f"{source}: no parameter sets (no rows)")
    for column in (*paths, WEIGHT):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            raise InputError(f"{source}: row {int(np.flatnonzero(bad.to_numpy())[0]) + 1}, column '{column}': "
                             "not a finite number")
    weights = frame[WEIGHT].to_numpy(dtype=float)
    if (weights < 0).any() or not weights.sum() > 0:
        raise InputError(f"{source}: weights must be 0 or more and not all 0")
    values = frame[list(paths)].to_numpy(dtype=float)
    digest = hashlib.sha256(values.tobytes() + weights.tobytes() + "\0".join(paths).encode()).hexdigest()[:16]
    return ParameterSets(
        paths=paths,
        values=tuple(tuple(float(x) for x in row) for row in values),
        weights=tuple(float(w) / float(weights.sum()) for w in weights),
        source=source,
        digest=digest,
    )


def read_parameter_sets(path: str | Path) -> ParameterSets:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"parameter sets file not found: {path}")
    try:
        frame = pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for a file that is not parquet
        raise InputError(f"{path}: not a parquet file of parameter sets ({type(e).__name__})") from None
    return from_frame(frame, str(path))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of a weighted sample (the smallest value whose cumulative weight reaches q)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(np.asarray(weights, dtype=float)[order])
    cum /= cum[-1]
    return float(np.asarray(values, dtype=float)[order][min(int(np.searchsorted(cum, q - 1e-12)), len(cum) - 1)])


def check_same_base(sets: ParameterSets, baseline: Scenario, other: Scenario) -> None:
    """In a compare, sets replace the value at each path in every scenario; an alternative that sets a
    different value there itself would silently lose its change, so that is refused."""
    for path, a, b in zip(sets.paths, sets.base_values(baseline), sets.base_values(other)):
        if not math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0):
            raise InputError(f"scenario '{other.name}' sets {path} = {b:g} (the baseline has {a:g}), but "
                             f"--parameter-sets replaces that value in every scenario; express the change as a "
                             f"lever instead, or calibrate a different parameter")


__all__ = ["ParameterSets", "from_frame", "read_parameter_sets", "weighted_quantile", "check_same_base"]
