"""Caseworkers as people: leavers, vacancies, recruitment and induction (``caseworkers.turnover``).

The establishment (``caseworkers.fte``, what levers set) is a list of posts: whole ones and one part-time post
for a fraction that matters, as ``sim.model.department.people_for`` counts caseworkers. A post is filled or
vacant. Every month, brought up to date with the rest of the caseworkers' capacity:

- each filled post's holder leaves with probability 1 - exp(-leave_rate_per_year / 12); her cases go to her
  colleagues (``OwnCaseDepartment.set_capacities`` hands them over, fewest cases first) and the post is vacant
  for ``recruitment_months``;
- a vacant post whose recruitment time is over is filled by a new caseworker, who works at
  ``induction_productivity`` of a full caseworker for ``induction_months`` (with own caseloads she is given
  cases in proportion, and her tasks take longer);
- an FTE increase adds vacant posts that are filled after the recruitment time (hiring has its lag); a cut
  removes posts at once (vacant ones first, then the last filled ones, whose cases go to colleagues) or, with
  ``cuts: attrition``, removes vacant posts at once and the rest as their holders leave.

Vacant posts are not paid: ``caseworker_fte`` (and the caseworker cost) counts filled posts; caseload is open
cases per caseworker at work, a newcomer counting as one. Temporary caseworkers of an overloaded department
(``caseworkers.overload``) are extra filled posts at full productivity that do not leave.

Each post draws one uniform a month from its own stream (by the post's number, whatever its state), so two
scenarios with the same posts lose the same caseworkers in the same months (common random numbers).
"""

from __future__ import annotations

import heapq
import math

from sim.model.department import SLIVER_FTE, people_for
from sim.model.randomness import D, Draws
from sim.model.scenario import Turnover
from sim.model.units import MONTH

STREAM = D["policy"]  # the decision type whose plain generators the posts use
STREAM_KEY_BASE = 1_000_000  # post n draws from generator key STREAM_KEY_BASE + n (no other user of these keys)
NOT_VACANT = -math.inf  # a filled post's "open until"
EXPERIENCED = -math.inf  # the holder's start time of a post filled before the run: past any induction


class Post:
    """One post: its share of an FTE, its caseworker slot, whether it is filled, and since when."""

    __slots__ = ("serial", "slot", "share", "open_until", "since", "temporary", "uniforms")

    def __init__(self, serial: int, slot: int, share: float, uniforms, open_until: float, temporary: bool = False):
        self.serial = serial
        self.slot = slot  # the caseworker slot of the own-cases department this post's holder works in
        self.share = share
        self.open_until = open_until  # vacant until then (NOT_VACANT: filled)
        self.since = EXPERIENCED  # when its holder started
        self.temporary = temporary
        self.uniforms = uniforms  # one uniform per month of the run

    @property
    def filled(self) -> bool:
        return self.open_until == NOT_VACANT


class Workforce:
    """The posts of the establishment and the temporary caseworkers; monthly leavers, fills and induction."""

    def __init__(self, turnover: Turnover, establishment: float, draws: Draws, n_months: int, start: float):
        self.turnover = turnover
        self.leave_chance = 1.0 - math.exp(-turnover.leave_rate_per_year * MONTH)
        self.recruitment = turnover.recruitment_months * MONTH
        self.induction = turnover.induction_months * MONTH
        self.draws = draws
        self.n_months = n_months
        self.start = start
        self.posts: list[Post] = []
        self._serial = 0
        self._free_slots: list[int] = []  # slots of removed posts, lowest first
        self._next_slot = 0
        self._excess = 0  # with cuts by attrition: posts to remove as their holders leave
        self.establishment = 0.0
        self.leavers = 0  # since the run began
        # totals, brought up to date whenever posts change (the FTE integrals read them at every case event)
        self.filled = self.vacant = self.in_induction = self.productive = 0.0
        for share in people_for(establishment):
            self._new_post(share, NOT_VACANT)
        self.establishment = establishment
        self._refresh(start)

    # ------------------------------------------------------------ posts

    def _new_post(self, share: float, open_until: float, temporary: bool = False) -> Post:
        if self._free_slots:  # the lowest free slot: a newcomer takes the desk of someone gone
            slot = heapq.heappop(self._free_slots)
        else:
            slot, self._next_slot = self._next_slot, self._next_slot + 1
        uniforms = self.draws.generator(STREAM, STREAM_KEY_BASE + self._serial).random(self.n_months + 2).tolist()
        post = Post(self._serial, slot, share, uniforms, open_until, temporary)
        self._serial += 1
        self.posts.append(post)
        return post

    @property
    def permanent(self) -> list[Post]:
        return [p for p in self.posts if not p.temporary]

    def establish(self, fte: float, now: float) -> None:
        """The establishment becomes ``fte`` (a lever): new posts are vacant for the recruitment time; a cut
        removes posts at once or by attrition (``turnover.cuts``)."""
        if fte == self.establishment:
            return
        self.establishment = fte
        target = people_for(fte)
        posts = self.permanent
        surplus = len(posts) - len(target)
        if surplus > 0:
            removed = self._remove_for_cut(posts, surplus)
            posts = [p for p in posts if p not in removed]
        self._excess = max(0, len(posts) - len(target))
        for post, share in zip(posts, target):
            post.share = share
        for share in target[len(posts):]:
            self._new_post(share, now + self.recruitment)
        self._refresh(now)

    def _remove_for_cut(self, posts: list[Post], surplus: int) -> list[Post]:
        """Vacant posts go first (the latest first); at once also filled ones, the last first."""
        order = [p for p in reversed(posts) if not p.filled]
        if self.turnover.cuts == "at_once":
            order += [p for p in reversed(posts) if p.filled]
        removed = order[:surplus]
        for post in removed:
            self._remove(post)
        return removed

    def _remove(self, post: Post) -> None:
        self.posts.remove(post)
        heapq.heappush(self._free_slots, post.slot)

    def set_temporary(self, fte: float, now: float) -> None:
        """Temporary caseworkers: filled posts at full productivity that do not leave (0 ends them)."""
        for post in [p for p in self.posts if p.temporary]:
            self._remove(post)
        for share in people_for(fte):
            self._new_post(share, NOT_VACANT, temporary=True)
        self._refresh(now)

    # ------------------------------------------------------------ the month

    def month(self, now: float) -> int:
        """Leavers and fills of the month starting now; returns the number of leavers."""
        k = min(max(0, int(round((now - self.start) / MONTH))), self.n_months + 1)
        leavers = 0
        for post in list(self.posts):
            if post.temporary or not post.filled:
                continue
            if post.uniforms[k] < self.leave_chance:
                leavers += 1
                if self._excess > 0:  # a cut by attrition: the post goes with its holder
                    self._excess -= 1
                    self._remove(post)
                else:
                    post.open_until = now + self.recruitment
        for post in self.posts:
            if not post.filled and post.open_until <= now + 1e-9:
                post.open_until = NOT_VACANT
                post.since = now
        self.leavers += leavers
        self._refresh(now)
        return leavers

    # ------------------------------------------------------------ what the department sees

    def productivity(self, post: Post, now: float) -> float:
        if not post.filled:
            return 0.0
        if now < post.since + self.induction - 1e-9:
            return self.turnover.induction_productivity
        return 1.0

    def capacities(self, now: float) -> list[float]:
        """Each caseworker slot's share of a full caseworker's capacity (0: nobody there)."""
        caps = [0.0] * self._next_slot
        for post in self.posts:
            cap = post.share * self.productivity(post, now)
            caps[post.slot] = cap if cap > SLIVER_FTE else 0.0
        return caps

    def _refresh(self, now: float) -> None:
        """The totals at ``now``; induction ends are seen at the next month or change of posts."""
        self.filled = sum(p.share for p in self.posts if p.filled and not p.temporary)
        self.vacant = sum(p.share for p in self.posts if not p.filled)
        self.in_induction = sum(p.share for p in self.posts if p.filled and now < p.since + self.induction - 1e-9)
        self.productive = sum(p.share * self.productivity(p, now) for p in self.posts)

    def filled_fte(self) -> float:
        """FTEs of the establishment at work (newcomers count in full; temporary staff not)."""
        return self.filled

    def vacant_fte(self) -> float:
        return self.vacant

    def induction_fte(self) -> float:
        return self.in_induction

    def productive_fte(self) -> float:
        """FTEs of capacity: newcomers at their induction productivity, temporary staff included."""
        return self.productive
