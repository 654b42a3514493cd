"""A child's state: an internal number, its luck, a birth time, a need, a step, and where its case stands.

No personal data. What happens to a child is told in ``sim.model.pathway``; the decision types of a child's
draws are named here, looked up once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.randomness import ChildLuck, D
from sim.model.staircase import NO_STEP

if TYPE_CHECKING:
    from sim.model.settings import Settings

INF = math.inf
NOT_DRAWN = -1.0  # a child's key on the known-children circle before the municipality first knows it (keys are >= 0)
NO_SLOT = -1  # a child without an open case has no place in the list of open cases
NOT_NOTIFIED = -1  # the year index of a child not yet notified in any simulated year

# decision types, looked up once
DRAW_DEMOGRAPHY, DRAW_SCREENING, DRAW_INVESTIGATION = D["demography"], D["screening"], D["investigation"]
DRAW_CHOICE, DRAW_DYNAMICS, DRAW_REVIEW, DRAW_TASKS = D["choice"], D["dynamics"], D["review"], D["tasks"]
DRAW_POLICY = D["policy"]

DRAW_NEED, DRAW_UNMET = D["need"], D["unmet"]


class Child:
    """State of one child. No personal data: an internal number, a birth time, a need, a step."""

    __slots__ = (
        "cid",
        "luck",
        "birth",
        "need",
        "step",
        "booked_from",
        "price",
        "open",
        "slot",
        "notified_year",
        "leaves_at",
        "aftercare_decided",
        "gone",
        "in_episode",
        "closed_at",
        "known_key",
        "in_known",
        "diverted",
        "need_drawn",
        "unmet_token",
        "had_unmet_need",
        "need_unmet",
        "prev_step",
        "placed_since",
        "placed_from_year",
        "changed_type_at",
        "reached_18_booked",
    )

    def __init__(self, cid: int, luck: ChildLuck, birth: float):
        self.cid = cid
        self.luck = luck
        self.birth = birth
        self.need = 0
        self.step = NO_STEP  # index on the staircase
        self.booked_from = 0.0  # cost booked up to here
        self.price = 0.0  # price per year on the current step, base-year DKK
        self.open = False
        self.slot = NO_SLOT  # position in Municipality.open_children
        self.notified_year = NOT_NOTIFIED
        self.leaves_at = INF  # age-out time
        self.aftercare_decided = False
        self.gone = False  # aged out or moved away: never notified again
        self.in_episode = False  # from the notification that opened an episode to the case's close
        self.closed_at = -INF
        self.known_key = NOT_DRAWN  # drawn when the municipality first knows the child
        self.in_known = False
        self.diverted = False  # on an alternative to placement instead of the placement its need calls for
        self.need_drawn = False  # the real need is known to the model (drawn at a first screening, or set on a step)
        self.unmet_token = 0  # counts the child's unmet-need courses; a course that is not the latest stops
        self.had_unmet_need = False  # an inquiry about the child was once closed while it had a real need
        self.need_unmet = False  # closed with a real need that has not faded, and not notified again since
        self.prev_step = NO_STEP  # the step just left, until the child enters the next or the case closes
        self.placed_since = INF  # when the child's current placement spell began (placement steps without a break)
        self.placed_from_year = NOT_NOTIFIED  # the year index at whose 1 January the child was placed (else -1)
        self.changed_type_at = -INF  # when the child last moved from one placement step to another
        self.reached_18_booked = False  # the child's age-out birthday with an open case is counted

    def age(self, t: float) -> float:
        return t - self.birth


def new_child(cid: int, luck: ChildLuck, settings: Settings, now: float, age: float | None = None,
              ages: tuple[float, float] | None = None) -> Child:
    """A child with its own luck; its age is given, drawn in a range, or drawn from the notified ages."""
    if age is None:
        if ages is None:
            ages = settings.age_bands[luck.pick(DRAW_DEMOGRAPHY, settings.age_cumulative)]
            ages = (ages[0], ages[1] + 1.0)
        age = ages[0] + luck.u(DRAW_DEMOGRAPHY) * max(ages[1] - ages[0], 0.0)
    child = Child(cid, luck, now - age)
    child.leaves_at = child.birth + settings.age_out
    return child
