"""The scenario's uncertain assumptions, drawn once per replication (``assumptions:`` in the scenario format).

Every number a scenario lists under ``assumptions:`` has a range, a grade of evidence and a source. A run gives
replication *r* a value of each from its range: a uniform number from a random stream keyed by (seed, r, the
assumption's key path) only, turned into a value by the assumption's distribution (triangular, most likely at
the scenario's own value, or uniform). The draw does not depend on workers, executor or the other assumptions,
and in a ``compare`` replication *r* of every scenario gets the same uniform number for the same key path:
common random numbers carry over to the assumptions, so a paired difference is the policy's effect under one
shared state of the world. ``fixed`` runs (``--fixed-assumptions``) keep every value as written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import InputError, ScenarioError
from sim.model.keypaths import get_path, set_path
from sim.model.scenario import Assumption, Scenario, applicable_assumptions, scenario_from_mapping

ASSUMPTION_STREAM = 0xA55  # keeps these draws apart from the model's decision streams and the parameter sets


def path_key(path: str) -> int:
    """A stable 64-bit number for a key path (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little")


def draw_key(path: str, assumption: Assumption | None = None) -> str:
    """What names an assumption's random number: its key path, or for a lever's number the lever's setting and
    field (a lever's position differs between scenarios; the same setting is the same question)."""
    if assumption is not None and assumption.setting and path.startswith("levers."):
        return f"levers[{assumption.setting}].{path.rsplit('.', 1)[1]}"
    return path


def uniform_draw(seed: int, replication: int, key: str) -> float:
    """The uniform number in (0, 1) that replication ``replication`` uses for the assumption named ``key``
    (:func:`draw_key`)."""
    return float(np.random.default_rng([ASSUMPTION_STREAM, seed, replication, path_key(key)]).random())


def value_at(assumption: Assumption, mode: float, u: float) -> float:
    """The assumption's value at the uniform number ``u``: its distribution's quantile function."""
    low, high = assumption.low, assumption.high
    if high <= low:
        return float(low)
    if assumption.distribution == "uniform":
        return float(low + u * (high - low))
    c = (mode - low) / (high - low)  # triangular with its peak at the scenario's value
    if u < c:
        return float(low + np.sqrt(u * (high - low) * (mode - low)))
    return float(high - np.sqrt((1.0 - u) * (high - low) * (high - mode)))


@dataclass(frozen=True)
class AssumptionDraws:
    """Draws a scenario's assumptions per replication; ``skip``: key paths set otherwise (parameter sets, a
    sweep's setting), which keep the value they are given."""

    skip: frozenset[str] = frozenset()

    def draws(self, scenario: Scenario, seed: int,
              replications: Iterable[int]) -> Iterator[tuple[int, str, float, float]]:
        """(replication, key path, uniform number, value) of every assumption the replications draw."""
        raw = scenario.model_dump(mode="json")
        for path, a in applicable_assumptions(scenario, raw).items():
            if path in self.skip:
                continue
            mode = float(get_path(raw, path))
            for r in replications:
                u = uniform_draw(seed, r, draw_key(path, a))
                yield r, path, u, value_at(a, mode, u)

    def drawn(self, scenario: Scenario, seed: int, replication: int) -> dict[str, float]:
        """Key path -> the value replication ``replication`` uses."""
        return {path: value for _, path, _, value in self.draws(scenario, seed, (replication,))}

    def apply(self, scenario: Scenario, values: dict[str, float], label: str = "drawn assumptions") -> Scenario:
        """The scenario with ``values`` at their key paths, validated again."""
        raw = scenario.model_dump(mode="json")
        for path, value in values.items():
            set_path(raw, path, value)
        raw["assumptions"] = {}  # the drawn values are the scenario's now; their ranges need not hold them
        try:
            return scenario_from_mapping(raw, f"{scenario.name} with {label}")
        except ScenarioError as e:
            reasons = "; ".join(f"{p}: {r}" for p, r in e.problems)
            raise InputError(f"scenario '{scenario.name}': an assumption's range gives an invalid scenario "
                             f"({label}): {reasons}") from None

    def for_replication(self, scenario: Scenario, seed: int, replication: int) -> Scenario:
        return self.apply(scenario, self.drawn(scenario, seed, replication), f"the assumptions of replication "
                                                                               f"{replication}")

    def check(self, scenario: Scenario) -> None:
        """InputError unless the scenario is valid with every assumption at its low and at its high end."""
        for path, a in applicable_assumptions(scenario).items():
            if path in self.skip:
                continue
            for end in (a.low, a.high):
                self.apply(scenario, {path: end}, f"{path} = {end:g}")


DRAW_COLUMNS = ["scenario", "replication", "path", "u", "value"]  # assumption_draws.csv


def draws_table(scenarios: Sequence[Scenario], seed: int, replications: int,
                skip: Iterable[str] = ()) -> pd.DataFrame:
    """What each replication of each scenario drew: scenario, replication, path, u, value (empty without
    assumptions). Recomputed from the seed, so it needs nothing from the runs themselves."""
    draws = AssumptionDraws(frozenset(skip))
    rows = [(sc.name, *draw) for sc in scenarios for draw in draws.draws(sc, seed, range(replications))]
    return pd.DataFrame(rows, columns=DRAW_COLUMNS)


def long_term_uncertain(scenario: Scenario) -> bool:
    """True when the scenario values the long term with a number that has a range: the run then draws per
    replication (sim.analysis.long_term draws those factors from the same streams), though nothing in the
    model itself is uncertain."""
    lt = scenario.long_term
    return lt.enabled and any(n.low != n.high for n in (*lt.profiles, *lt.prices))


def draws_for(scenarios: Sequence[Scenario], fixed: bool, skip: Iterable[str] = ()) -> AssumptionDraws | None:
    """How the scenarios' uncertain assumptions are drawn (None: ``fixed``, or none to draw), checked against
    every scenario: each assumption's ends must give a valid scenario. Paths in ``skip`` are set otherwise."""
    if fixed or not any(sc.assumptions or long_term_uncertain(sc) for sc in scenarios):
        return None
    draws = AssumptionDraws(frozenset(skip))
    for sc in scenarios:
        draws.check(sc)
    return draws


__all__ = ["AssumptionDraws", "DRAW_COLUMNS", "draws_for", "long_term_uncertain", "draws_table", "draw_key",
           "uniform_draw", "value_at",
           "path_key"]
