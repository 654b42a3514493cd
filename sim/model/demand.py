"""Demand as it really moves: what is reported apart from what is needed, and need that is not met.

Two things that a model of notifications alone would tie together are kept apart here:

- **Reporting.** The notification stream (``notifications.per_1000_aged_0_17`` and its trend) is how much is
  *reported*. The **prevalence of need** is a second series: the mix of real needs among newly notified
  children in the start year (``demand.need_shares``) and the growth of the number of notified children with
  a real need (``demand.need_trend_per_year``). When reporting grows faster than need, the extra notifications
  are about children without a need for a measure, so the share of notifications with a real need falls.
- **Unmet need.** A child keeps its real need when its inquiry is closed at screening or its investigation
  finds less than there is. Unmet, the need can escalate or fade, and the child comes back later as a
  notification (re-notification), the sooner the more severe.

Screening closes by *perceived severity*: a child's severity is a score (need level plus its position within
the level), and the screening outcome bands (closed after advice, early measure, investigation, acute) are
cut at the scores that give the scenario's screening shares in the start year's need mix. With triage
accuracy ``a`` the screening sees the real score, otherwise an unrelated score from the year's mix.
So in the start year the screening shares are exactly the scenario's, and a later year with more low-need
reports closes more of them (the cut-offs stay put in severity).

Everything here is a function of numbers and a child's luck: the path that calls it is
``sim.model.pathway``, the numbers are ``Settings.demand`` (a :class:`DemandSettings`). Its draws come from
the decision streams ``need`` (real need, triage, what an investigation finds) and ``unmet`` (the course of an
unmet need), made whatever a setting's value, so scenarios compared stay on the same random numbers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.damping import scenario_damped_years
from sim.model.population import notifications_per_year, population_0_17

if TYPE_CHECKING:
    from sim.model.randomness import ChildLuck
    from sim.model.scenario import Scenario

NO_NEED = 0  # need level 0: nothing a measure should answer

# screening outcomes, in the order of Settings.screening_cumulative (sim.model.pathway uses the same names)
ACUTE_PLACEMENT, CLOSED_AFTER_ADVICE, EARLY_MEASURE, INVESTIGATE = 0, 1, 2, 3


# ---------------------------------------------------------------- the need mix by year


def need_growth_factor(scenario: Scenario, year: int) -> float:
    """How the share of new notifications with a real need has moved since the start year.

    Notified children with a real need grow with the population and ``need_trend_per_year``; new
    notifications grow with the notification rate (reporting, levers included). Their ratio scales the
    shares of need levels 1 and above; before the start year both are flat (as the notification trend is).
    Both trends are damped alike (``trend_damping``; sim.model.damping)."""
    start = scenario.calendar.start_year
    reported_at_start = notifications_per_year(scenario, start)
    if year <= start or reported_at_start <= 0.0:
        return 1.0  # before the trends start, or no reporting to compare with (no notifications at all)
    need = population_0_17(scenario, year) / population_0_17(scenario, start)
    need *= (1.0 + scenario.demand.need_trend_per_year) ** scenario_damped_years(scenario, year)
    reported = notifications_per_year(scenario, year) / reported_at_start
    return need / reported if reported > 0.0 else 1.0


def need_shares_in(scenario: Scenario, year: int, new_child_factor: float = 1.0) -> list[float]:
    """Shares of need levels 0..max among newly notified children in a calendar year.

    Levels 1 and above move with :func:`need_growth_factor` (times ``new_child_factor``, see
    :meth:`DemandSettings.known_share_changed`); level 0 (no need) takes the rest. If need outgrows reporting
    so far that nothing is left for level 0, the levels 1 and above are scaled to sum to 1."""
    return need_shares_from(base_need_shares(scenario), need_growth_factor(scenario, year), new_child_factor)


def base_need_shares(scenario: Scenario) -> list[float]:
    """The start year's shares of need levels 0..max among newly notified children (``demand.need_shares``)."""
    base = scenario.demand.need_shares
    levels = max(n.level for n in scenario.needs.levels)
    return [base.get(level, 0.0) for level in range(levels + 1)]


def need_shares_from(shares: list[float], growth: float, new_child_factor: float = 1.0) -> list[float]:
    """:func:`need_shares_in` from the start year's shares and the year's growth factor of need over reporting."""
    factor = growth * new_child_factor
    with_need = [x * factor for x in shares[1:]]
    total = sum(with_need)
    if total > 1.0:
        with_need = [x / total for x in with_need]
        total = 1.0
    return [1.0 - total, *with_need]


def new_children_factor(known_share_at_start: float, known_share: float) -> float:
    """How many times as many new children per notification as in the start year, inverted: the factor on the
    need mix when the share of notifications about known children has moved from its start value (1 when it
    started at 1: no new children to rescale)."""
    if known_share_at_start >= 1.0:
        return 1.0
    return (1.0 - known_share_at_start) / max(1.0 - known_share, 1e-9)


def cumulative_to_one(shares: list[float]) -> list[float]:
    """Running sums of shares that sum to 1, the last set to exactly 1 (``settings.cumulative`` leaves it as summed)."""
    out, acc = [], 0.0
    for x in shares:
        acc += x
        out.append(acc)
    out[-1] = 1.0  # no gap above the last level from rounding
    return out


# ---------------------------------------------------------------- severity scores


def score_of_rank(rank: float, cum: list[float]) -> float:
    """The severity score at a rank (0..1) of a need mix: level + position within the level.

    Scores run from 0 (no need, least severe) to max level + 1; the mix's cumulative shares ``cum`` map a
    uniform rank to the level it falls in and to how far into that level's share it is."""
    below = 0.0
    for level, upto in enumerate(cum):
        if rank < upto or level == len(cum) - 1:
            share = upto - below
            inside = (rank - below) / share if share > 0.0 else 0.0
            return level + min(max(inside, 0.0), 1.0 - 1e-12)
        below = upto
    return float(len(cum) - 1)  # pragma: no cover - the loop returns on the last level


def level_of(score: float) -> int:
    return int(math.floor(score))


class ScreeningCutoffs:
    """Severity scores that cut the screening outcome bands, from the start year's need mix.

    Below ``closed``: closed after advice; below ``early``: an early measure; from ``acute`` up: an acute
    placement; in between: an investigation. The bands hold the scenario's screening shares in the start
    year whatever the triage accuracy, because a perceived score has the same distribution as a real one."""

    __slots__ = ("closed", "early", "acute")

    def __init__(self, start_cum: list[float], share_acute: float, share_closed: float, share_early: float):
        self.closed = score_of_rank(share_closed, start_cum) if share_closed > 0.0 else -math.inf
        upto_early = min(share_closed + share_early, 1.0)
        self.early = score_of_rank(upto_early, start_cum) if upto_early > 0.0 else -math.inf
        self.acute = score_of_rank(1.0 - share_acute, start_cum) if share_acute > 0.0 else math.inf


class DemandSettings:
    """The demand mechanism's numbers as the running model reads them."""

    __slots__ = (
        "enabled", "cumulative_by_year", "start_index", "cutoffs", "finds_need_share",
        "unmet_escalation_multiplier", "unmet_improvement_share", "renotification_rate",
        "_base_shares", "_growth", "_known_share_at_start",
    )

    def __init__(self, scenario: Scenario, first_year: int, n_years: int):
        d = scenario.demand
        self.enabled = d.enabled
        # the numbers a drift of the known-children share recomputes the mix from (the scenario is not kept)
        self._base_shares = base_need_shares(scenario)
        self._growth = [need_growth_factor(scenario, first_year + y) for y in range(n_years)]
        self.cumulative_by_year = [cumulative_to_one(need_shares_from(self._base_shares, g)) for g in self._growth]
        self.start_index = scenario.calendar.start_year - first_year
        self._known_share_at_start = scenario.notifications.share_about_known_children
        self.cutoffs: ScreeningCutoffs | None = None
        self.finds_need_share = d.investigation_finds_need_share
        self.unmet_escalation_multiplier = d.unmet_escalation_multiplier
        self.unmet_improvement_share = d.unmet_improvement_share
        levels = max(n.level for n in scenario.needs.levels)
        self.renotification_rate = [0.0] + [d.renotification_rate_per_year.get(k, 0.0) for k in range(1, levels + 1)]

    def refresh_cutoffs(self, share_acute: float, share_closed: float, share_early: float) -> None:
        """After a screening share changed (an intake-team lever): new cut-offs in the start year's mix."""
        self.cutoffs = ScreeningCutoffs(self.cumulative_by_year[self.start_index], share_acute, share_closed,
                                        share_early)

    def known_share_changed(self, share: float) -> None:
        """The share of notifications about known children moved (a drift): new children are then
        (1 - share) / (1 - share at start) as many per notification, and the need mix of the years after the
        start year is rescaled by the inverse, so children with a real need still grow with the need trend and
        only children without one become fewer. The start year's mix, which sets the screening cut-offs, stays
        (so does a burn-in year's: a lever dated before the start year does not rescale it). Near a share of 1
        the few new children all have a need (need_shares_in caps the levels at the whole mix); a start share of
        1 leaves no new children to rescale. The triage's misperceived score (:func:`screening_outcome`) draws
        from the same rescaled mix: it is the year's mix of new children."""
        if self._known_share_at_start >= 1.0:
            return
        factor = new_children_factor(self._known_share_at_start, share)
        for y in range(self.start_index + 1, len(self.cumulative_by_year)):
            self.cumulative_by_year[y] = cumulative_to_one(need_shares_from(self._base_shares, self._growth[y], factor))

    def mix(self, year_index: int) -> list[float]:
        return self.cumulative_by_year[min(max(year_index, 0), len(self.cumulative_by_year) - 1)]


# ---------------------------------------------------------------- screening and investigation (sim.model.pathway)


def screening_outcome(luck: ChildLuck, draw_need: int, mix: list[float], cutoffs: ScreeningCutoffs,
                      triage_accuracy: float, known_need: int | None = None) -> tuple[int, int]:
    """(outcome band, real need) of a new episode's screening, by perceived severity, in a year's need mix.

    Three draws from the ``need`` stream, always: the real score's rank (for a child whose need is known,
    ``known_need``, only its position within that level), whether triage sees the real score, and the score it
    sees otherwise. Band numbers: 0 acute, 1 closed after advice, 2 early measure, 3 investigation."""
    rank, sees_real, other_rank = luck.u(draw_need), luck.u(draw_need), luck.u(draw_need)
    if known_need is not None:
        need = known_need
        real_score = need + rank * (1.0 - 1e-12)
    else:
        real_score = score_of_rank(rank, mix)
        need = level_of(real_score)
    seen = real_score if sees_real < triage_accuracy else score_of_rank(other_rank, mix)
    if seen >= cutoffs.acute:
        return ACUTE_PLACEMENT, need
    if seen < cutoffs.closed:
        return CLOSED_AFTER_ADVICE, need
    if seen < cutoffs.early:
        return EARLY_MEASURE, need
    return INVESTIGATE, need


def investigation_finding(luck: ChildLuck, draw_need: int, need: int, finds_need_share: float) -> int:
    """The need an investigation finds: the real need, or one level less (``1 - finds_need_share``)."""
    misses = luck.u(draw_need) >= finds_need_share
    return max(need - 1, NO_NEED) if misses else need


# ---------------------------------------------------------------- unmet need (sim.model.pathway)

# what ends an unmet need's wait
UNMET_ESCALATES, UNMET_FADES, UNMET_COMES_BACK, UNMET_MOVES_AWAY = 0, 1, 2, 3


def unmet_need_clock(luck: ChildLuck, draw_unmet: int, demand: DemandSettings, level: int, escalation_rate: float,
                     improvement_rate: float, move_away_rate: float) -> tuple[float, int]:
    """The wait until an unmet need at ``level`` next moves, and what moves it (two draws of ``unmet``).

    Competing clocks, one at a time: the need escalates (its level's escalation rate times
    ``unmet_escalation_multiplier``), fades (its improvement rate times ``unmet_improvement_share``: help
    makes a need improve faster than none), the child is re-notified (``renotification_rate_per_year`` of its
    level), or the child moves away."""
    escalate = escalation_rate * demand.unmet_escalation_multiplier
    fade = improvement_rate * demand.unmet_improvement_share
    comes_back = demand.renotification_rate[level]
    total = escalate + fade + comes_back + move_away_rate
    wait, which = luck.exponential(draw_unmet, total), luck.u(draw_unmet) * total
    if which < escalate:
        return wait, UNMET_ESCALATES
    if which < escalate + fade:
        return wait, UNMET_FADES
    if which < escalate + fade + comes_back:
        return wait, UNMET_COMES_BACK
    return wait, UNMET_MOVES_AWAY
