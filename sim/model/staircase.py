"""The staircase of measures (indsatstrappen), as data, and how a step is chosen for a child.

A step is *adequate* for a need level when its ``need_level`` is at least that level. The choice walks up
the staircase from the least intrusive adequate step: each step is taken with its ``uptake_share`` (e.g.
kinship care is tried first with a set probability), unless the child's age is outside the step's range or
the step is full (limited supply of foster families). The caseworker's time with the family
(``sim.model.family_time``) then moves the choice: with more hours per case than the reference, with a chance,
one step less intrusive (a kinship family found instead of a foster family); with fewer, one step more
intrusive; never more than one. Nothing here names a particular step.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.scenario import Scenario, Step

NO_STEP = -1  # "on no step" / "no step qualifies" (step indices are >= 0)


@dataclass(frozen=True)
class StepInfo:
    """One step as the running model sees it (levers replace it when they change a field)."""

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
        # family care (familiepleje) by the steps' own attribute: kinship (netværkspleje) and foster families
        self.kinship_care = [i for i, s in enumerate(ordered) if s.family_care == "kinship"]
        self.foster_care = [i for i, s in enumerate(ordered) if s.family_care == "foster"]
        # family-like settings (kinship, foster family, own room) by the steps' own attribute
        self.family_like = [i for i, s in enumerate(ordered) if s.family_like]
        # the wellbeing proxy's weights: the share of children in the setting who report good wellbeing
        self.wellbeing_weights = {i: s.good_wellbeing_share for i, s in enumerate(ordered)
                                  if s.good_wellbeing_share is not None}

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
        time_effect: float,
        uniforms,
        above: int = NO_STEP,
    ) -> int:
        """Index of the step chosen for a child with this need and age.

        ``above``: only steps more intrusive than this index are considered (a step up after an escalation
        or a breakdown). ``time_effect`` in [-1, 1] (``sim.model.family_time.time_effect``): when positive, the
        chance that the choice is one step less intrusive than it would otherwise be (time to find it); when
        negative, minus the chance that it is one step more intrusive (time is short). ``uniforms`` yields
        uniforms as needed. Returns NO_STEP when no step qualifies.
        """
        candidates = [
            st.index
            for st in self.steps[above + 1 :]
            if st.need_level >= need and st.min_age <= age < st.max_age + 1 and occupancy[st.index] < st.capacity
        ]
        if not candidates:
            return NO_STEP
        # the least intrusive adequate step that takes the child; the most intrusive one if none does
        chosen = len(candidates) - 1
        for pos, index in enumerate(candidates):
            if next(uniforms) < self.steps[index].uptake_share:
                chosen = pos
                break
        # time with the family moves the choice one step, never more; the draw is made whatever the effect
        # (whenever there is a step to move to), so scenarios with different caseloads stay on the same numbers
        if len(candidates) > 1:
            u = next(uniforms)
            if time_effect > 0.0 and chosen > 0 and u < time_effect:
                chosen -= 1
            elif time_effect < 0.0 and chosen + 1 < len(candidates) and u < -time_effect:
                chosen += 1
        return candidates[chosen]
