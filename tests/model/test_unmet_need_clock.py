"""The competing clocks of an unmet need (sim.model.demand.unmet_need_clock) and what an investigation finds
(investigation_finding), with the draws given: each clock's share of the total rate is the chance that it
rings first, and the settings scale the clocks as documented."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from sim.model import demand


class Luck:
    """Stands in for a child's ChildLuck: hands out the given uniforms in order, whatever the decision."""

    def __init__(self, *uniforms: float):
        self.uniforms = list(uniforms)

    def u(self, decision: int) -> float:
        return self.uniforms.pop(0)

    def exponential(self, decision: int, rate: float) -> float:
        return -math.log(1.0 - self.u(decision)) / rate


def _settings(**kw):
    base = dict(unmet_escalation_multiplier=2.0, unmet_improvement_share=0.25, renotification_rate=[0.0, 0.5, 1.0])
    return SimpleNamespace(**{**base, **kw})


def _clock(which_u: float, settings=None, level: int = 1):
    """Escalation 0.5/yr (x2 = 1.0), improvement 2.0/yr (x0.25 = 0.5), re-notification 0.5, moving 0.5: total 2.5."""
    luck = Luck(0.5, which_u)
    return demand.unmet_need_clock(luck, 0, settings or _settings(), level, 0.5, 2.0, 0.5)


def test_the_clocks_ring_in_proportion_to_their_rates():
    # the second uniform times the total rate (2.5) picks the clock: [0, 1) escalates, [1, 1.5) fades,
    # [1.5, 2) comes back, [2, 2.5) moves away
    wait, event = _clock(0.39)
    assert event == demand.UNMET_ESCALATES
    assert wait == pytest.approx(math.log(2.0) / 2.5)
    assert _clock(0.41)[1] == demand.UNMET_FADES
    assert _clock(0.59)[1] == demand.UNMET_FADES
    assert _clock(0.61)[1] == demand.UNMET_COMES_BACK
    assert _clock(0.79)[1] == demand.UNMET_COMES_BACK
    assert _clock(0.81)[1] == demand.UNMET_MOVES_AWAY


def test_the_renotification_rate_is_the_needs_level():
    # at level 2 the child comes back at 1.0 a year: total 3.0, so [1.5, 2.5) of it comes back
    assert _clock(0.80, level=2)[1] == demand.UNMET_COMES_BACK
    assert _clock(0.80, level=1)[1] == demand.UNMET_MOVES_AWAY
    assert _clock(0.80, _settings(renotification_rate=[0.0, 0.0, 0.0]))[1] == demand.UNMET_MOVES_AWAY


def test_an_investigation_finds_the_need_or_one_level_less():
    assert demand.investigation_finding(Luck(0.79), 0, 3, 0.8) == 3
    assert demand.investigation_finding(Luck(0.81), 0, 3, 0.8) == 2
    assert demand.investigation_finding(Luck(0.99), 0, 0, 0.8) == 0  # never below no need
