"""The staircase of measures (indsatstrappen), as data, and how a step is chosen for a child.

A step is *adequate* for a need level when its ``need_level`` is at least that level. The choice walks up
the staircase from the least intrusive adequate step: each step is taken with its ``uptake_share`` (e.g.
kinship care is tried first with a set probability), unless the child's age is outside the step's range or
the step is full (limited supply of foster families); time pressure (caseload above the reference) lowers
every uptake share, so costlier steps are chosen more often. Nothing here names a particular step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .scenario import Scenario, Step


@dataclass(frozen=True)
class StepInfo:
    index: int  # position in the staircase, least intrusive first
    id: str
    kind: str
    need_level: int
    price_per_year_dkk: float
    uptake_share: float
    min_age: int
    max_age: int
    capacity: float  # inf when unlimited
    breakdown_rate: float
    account_function: str

    @property
    def is_placement(self) -> bool:
        return self.kind == "placement"


class Staircase:
    """The scenario's steps in order, with the choice rule."""

    def __init__(self, steps: list[Step]):
        ordered = sorted(steps, key=lambda s: s.order)
        self.steps: list[StepInfo] = [
            StepInfo(
                index=i,
                id=s.id,
                kind=s.kind,
                need_level=s.need_level,
                price_per_year_dkk=s.price_per_year_dkk,
                uptake_share=s.uptake_share,
                min_age=s.min_age,
                max_age=s.max_age,
                capacity=float("inf") if s.capacity is None else float(s.capacity),
                breakdown_rate=s.breakdown_rate_per_year,
                account_function=s.account_function,
            )
            for i, s in enumerate(ordered)
        ]
        self.ids = [s.id for s in self.steps]
        self.placement = [s.index for s in self.steps if s.is_placement]
        self.preventive = [s.index for s in self.steps if not s.is_placement]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Staircase:
        return cls(scenario.staircase)

    def __len__(self) -> int:
        return len(self.steps)

    def choose(
        self,
        need: int,
        age: float,
        occupancy: list[int],
        pressure: float,
        uniforms,
        above: int = -1,
    ) -> int:
        """Index of the step chosen for a child with this need and age.

        ``above``: only steps more intrusive than this index are considered (a step up after an escalation
        or a breakdown). ``pressure`` in [0, 1] scales every uptake share down. ``uniforms`` yields one
        uniform per step considered. Returns -1 when no step qualifies.
        """
        last_with_room = -1
        keep = 1.0 - pressure
        for st in self.steps[above + 1 :]:
            if st.need_level < need or not (st.min_age <= age < st.max_age + 1):
                continue
            if occupancy[st.index] >= st.capacity:
                continue
            last_with_room = st.index
            if next(uniforms) < st.uptake_share * keep:
                return st.index
        # Nobody took the child on the way up: the most intrusive step with room takes it.
        return last_with_room


def time_pressure(caseload: float, reference: float, effect: float) -> float:
    """Share by which uptake of the least intrusive steps drops when caseload is above the reference."""
    if caseload <= reference:
        return 0.0
    return min(1.0, effect * (caseload / reference - 1.0))
