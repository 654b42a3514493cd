"""The long-term public value of a policy's path differences, per public actor, kept apart from the municipal
answer (docs/long-term.md).

For each replication *r* (common random numbers: the policy and its baseline ran on the same random numbers),
the path difference of a quantity in year *y* is ``D[r, y] = policy − baseline`` (e.g. the child-years spent
in residential care, the breakdowns, the children who reach 18 on a step). A consequence profile says how much
more of a public service one unit of that quantity brings in each of the years after (``units[k]``, year
``y + k``); a price says what one unit of the service costs each actor. The extra cost to actor *a* is

    sum over y, k of D[r, y] · units[k] · f_profile[r] · price[a] · f_price[r] · adjust(k) · discount(y + k)

counted for years ``y + k`` within ``horizon_years`` of the start year, where ``f`` are the replication's drawn
factors on the profile and the price (``low``/``high``, triangular with its peak at 1, from the same random
streams as the scenario's assumptions), ``adjust(k) = (1 − deadweight) · attribution · (1 − drop_off)^(k−1)``
(HM Treasury's guidance for local partnerships) and ``discount(t) = (1 + rate)^−(t − start_year)`` (year-end
convention, as the municipal NPV). The actor's *net saving* is minus that cost: positive when the policy lowers
the actor's later spending, signed like ``npv_dkk``; the optimism-bias share of the weaker grade of profile and
price then takes a saving down and a cost up (:func:`less_favourable`). A profile whose quantity the run did not
report is left out with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.economics import alternatives, discount_factors, paired
from sim.model.scenario import ACTORS, GRADES, Assumption, ConsequenceProfile, LongTerm, Scenario, ServicePrice
from sim.runs.assumptions import uniform_draw, value_at

STAT_SUFFIXES = ("npv_dkk", "npv_p05_dkk", "npv_p95_dkk", "prob_positive")


def column(actor: str, stat: str) -> str:
    """economics.csv's column of one actor's statistic, e.g. ``long_term_region_npv_dkk``."""
    return f"long_term_{actor}_{stat}"


LONG_TERM_COLUMNS = [column(a, s) for a in ACTORS for s in STAT_SUFFIXES] + [
    "long_term_horizon_years", "long_term_weakest_grade", "long_term_illustrative", "long_term_note"]


def weakest_grade(*grades: str) -> str:
    """The weakest of the grades (register strongest, assumption weakest)."""
    return max(grades, key=GRADES.index)


def draw_factor(number: ConsequenceProfile | ServicePrice, key: str, seed: int, replication: int) -> float:
    """The factor replication ``replication`` puts on a long-term number: triangular on its ``low``..``high``
    with its peak at 1, from the uniform number of the assumption stream keyed ``key`` (1 without a range)."""
    if number.low == number.high == 1.0:
        return 1.0
    shape = Assumption(low=number.low, high=number.high, grade=number.grade, source=number.source)
    return value_at(shape, 1.0, uniform_draw(seed, replication, key))


def factors(numbers: Sequence, keys: Sequence[str], replications: Sequence[int], seed: int | None) -> np.ndarray:
    """numbers x replications of drawn factors; all 1 when ``seed`` is None (assumptions held as written)."""
    out = np.ones((len(numbers), len(replications)))
    if seed is None:
        return out
    for i, (number, key) in enumerate(zip(numbers, keys)):
        out[i] = [draw_factor(number, key, seed, r) for r in replications]
    return out


def quantity_metrics(profile: ConsequenceProfile, have: set[str], scenario: Scenario) -> list[str]:
    """The metrics of the long table a profile's quantity sums: the metric itself, else its per-step family's
    members (the profile's steps, the steps of its kind, or all); empty when the run reported none of them."""
    if profile.metric in have:
        return [profile.metric]
    prefix = profile.metric + "."
    members = sorted(m for m in have if m.startswith(prefix))
    if profile.steps:
        wanted = set(profile.steps)
    elif profile.step_kind is not None:
        wanted = {s.id for s in scenario.staircase if s.kind == profile.step_kind}
    else:
        return members
    return [m for m in members if m[len(prefix):] in wanted]


def path_difference(table: pd.DataFrame, baseline: str, alternative: str, metrics: Sequence[str]) -> pd.DataFrame:
    """Replication x year of ``alternative − baseline`` summed over ``metrics`` (a metric missing on one side
    counts as 0, as a step a scenario does not have)."""
    pairs = paired(table, baseline, alternative, metrics=list(metrics), zero_fill=True)
    pairs["diff"] = pairs["alt"] - pairs["base"]
    return pairs.groupby(["replication", "year"], sort=True)["diff"].sum().unstack("year", fill_value=0.0)


def year_weights(years: Sequence[int], units: Sequence[float], settings: LongTerm, rate: float,
                 start_year: int) -> np.ndarray:
    """Per year *y* a unit occurs: the adjusted, discounted extra use of the service it brings in the years
    after, ``sum over k of units[k] · (1 − deadweight) · attribution · (1 − drop_off)^(k−1) · discount(y + k)``
    within the horizon (the optimism bias comes after: :func:`less_favourable`)."""
    keep = (1.0 - settings.deadweight) * settings.attribution
    out = np.zeros(len(years))
    last = start_year + settings.horizon_years - 1
    for i, y in enumerate(years):
        for k, amount in enumerate(units, start=1):
            if y + k > last:
                break
            drop = (1.0 - settings.drop_off_per_year) ** (k - 1)
            out[i] += amount * keep * drop * float(discount_factors([y + k], rate, start_year)[0])
    return out


@dataclass
class LongTermValue:
    """One alternative's long-term value: per actor, each replication's net saving (DKK, present value in the
    start year), the profiles valued and those left out."""

    alternative: str
    baseline: str
    by_actor: dict[str, np.ndarray]
    used: list[ConsequenceProfile] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # profile ids whose quantity the run did not report


def value_pair(table: pd.DataFrame, baseline: Scenario, alternative: str, seed: int | None = None,
               rate: float | None = None) -> LongTermValue:
    """The long-term value of ``alternative`` against ``baseline`` with the baseline's ``long_term`` settings
    (drawn per replication from ``seed``; held at their values when ``seed`` is None)."""
    settings = baseline.long_term
    rate = baseline.economics.discount_rate if rate is None else rate
    start = baseline.calendar.start_year
    base_name = baseline.name
    replications = sorted(int(r) for r in table.loc[table["scenario"] == base_name, "replication"].unique())
    have = set(table.loc[table["scenario"].isin([base_name, alternative]), "metric"].unique())
    price_of = {p.service: p for p in settings.prices}
    price_factors = dict(zip(price_of, factors(list(price_of.values()),
                                               [f"long_term.prices.{s}" for s in price_of], replications, seed)))
    by_actor = {a: np.zeros(len(replications)) for a in ACTORS}
    result = LongTermValue(alternative, base_name, by_actor)
    for profile in settings.profiles:
        metrics = quantity_metrics(profile, have, baseline)
        if not metrics:
            result.left_out.append(profile.id)
            continue
        result.used.append(profile)
        diff = path_difference(table, base_name, alternative, metrics).reindex(replications, fill_value=0.0)
        price = price_of[profile.service]
        weights = year_weights(list(diff.columns), profile.units_per_year, settings, rate, start)
        bias = settings.optimism_bias.get(weakest_grade(profile.grade, price.grade), 0.0)
        extra_use = diff.to_numpy(dtype=float) @ weights  # per replication, before the drawn factors
        extra_use = extra_use * factors([profile], [f"long_term.profiles.{profile.id}"], replications, seed)[0]
        extra_use = extra_use * price_factors[profile.service]
        for actor, dkk in price.dkk.items():
            by_actor[actor] += less_favourable(-extra_use * dkk * price_conversion(baseline), bias)
    return result


def less_favourable(saving: np.ndarray, bias: float) -> np.ndarray:
    """HM Treasury's optimism-bias correction on a net saving: a saving taken down by the share, a cost (a
    negative saving) taken up by it, so that a weaker grade always makes the answer less favourable."""
    return saving * np.where(saving > 0, 1.0 - bias, 1.0 + bias)


def price_conversion(scenario: Scenario) -> float:
    """Long-term prices (in ``long_term.price_year``'s DKK) to the scenario's price year, by its price index when
    it has both years; 1 when they are the same year or the index lacks one (docs/long-term.md says so)."""
    own = scenario.long_term.price_year
    target = scenario.price_year
    index = scenario.prices.index
    if own is None or own == target or own not in index or target not in index:
        return 1.0
    return float(index[target]) / float(index[own])


def summary_row(value: LongTermValue, settings: LongTerm, price_of: Mapping[str, ServicePrice]) -> dict:
    """economics.csv's long-term columns of one alternative."""
    row: dict = {"scenario": value.alternative, "baseline": value.baseline}
    for actor in ACTORS:
        npvs = value.by_actor[actor]
        priced = any(actor in price_of[p.service].dkk for p in value.used)
        finite = npvs[~np.isnan(npvs)] if priced else np.array([])
        if finite.size:
            p05, p95 = (float(v) for v in np.quantile(finite, [0.05, 0.95]))
            stats = (float(np.mean(finite)), p05, p95, float(np.mean(finite > 0)))
        else:
            stats = (float("nan"),) * 4
        row.update({column(actor, s): v for s, v in zip(STAT_SUFFIXES, stats)})
    grades = [g for p in value.used for g in (p.grade, price_of[p.service].grade)]
    row["long_term_horizon_years"] = settings.horizon_years
    row["long_term_weakest_grade"] = weakest_grade(*grades) if grades else ""
    row["long_term_illustrative"] = any(p.illustrative or price_of[p.service].illustrative for p in value.used)
    row["long_term_note"] = left_out_note(value.left_out)
    return row


def left_out_note(left_out: Sequence[str]) -> str:
    """Which profiles were left out because the run did not report their quantity (empty if none)."""
    return f"left out, quantity not reported: {', '.join(left_out)}" if left_out else ""


def left_out_ids(note) -> list[str]:
    """The profile ids a ``long_term_note`` names (none for an empty note)."""
    if not isinstance(note, str) or ":" not in note:
        return []
    return [i.strip() for i in note.split(":", 1)[1].split(",") if i.strip()]


def has_long_term(economics: pd.DataFrame | None) -> bool:
    """True when an economics table carries the long-term columns (the baseline enabled ``long_term:``)."""
    return economics is not None and not economics.empty and column(ACTORS[0], "npv_dkk") in economics.columns


def long_term_table(table: pd.DataFrame, baseline: Scenario, seed: int | None = None) -> pd.DataFrame | None:
    """The long-term columns of economics.csv, one row per alternative with ``scenario`` and ``baseline``; None
    when the baseline's ``long_term`` is off. ``seed``: the run's seed when its assumptions were drawn."""
    if not baseline.long_term.enabled:
        return None
    price_of = {p.service: p for p in baseline.long_term.prices}
    rows = [summary_row(value_pair(table, baseline, alt, seed), baseline.long_term, price_of)
            for alt in alternatives(table, baseline.name)]
    return pd.DataFrame(rows, columns=["scenario", "baseline", *LONG_TERM_COLUMNS])


def with_long_term(economics: pd.DataFrame, long_term: pd.DataFrame | None) -> pd.DataFrame:
    """economics.csv with the long-term columns appended (unchanged when there are none): the municipal columns
    are kept as they are and nothing is added to them."""
    if long_term is None or economics.empty:
        return economics
    return economics.merge(long_term, on=["scenario", "baseline"], how="left", validate="one_to_one")
