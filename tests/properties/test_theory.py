"""The model against queueing theory.

1. Erlang C: the caseworker queue (``sim.model.caseworkers.CaseworkerTeam``) with Poisson arrivals, exponential
   task times, one priority and c whole FTEs is an M/M/c queue; its waits must match the Erlang C formula,
   and its time-average queue length must satisfy Little's law.
2. Little's law on the whole model: with unlimited capacity and one step that children leave at a known
   exponential rate, the mean year-end stock equals entry rate x mean stay.

Expected values are derived from the inputs only (formulas written out below), never from earlier runs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from conftest import build, metric_table
from queueing import erlang_c, mmc_mean_wait

from sim.model.caseworkers import INVESTIGATION, CaseworkerTeam
from sim.model.municipality import simulate
from sim.model.units import WEEKS_PER_YEAR

# ---------------------------------------------------------------- formulas


def test_erlang_c_formula_known_values():
    # textbook values: M/M/1 waits with probability rho; M/M/2 at a = 1: C = 1/3
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)
    assert mmc_mean_wait(1, 0.5, 1.0) == pytest.approx(1.0)  # rho/(1-rho) * S


# ---------------------------------------------------------------- driving the team directly


def run_queue(c: float, hours_per_week: float, lam: float, mean_hours: float, n: int, seed: int):
    """Poisson arrivals of n tasks (one priority, exponential hours) into a team of c FTEs.

    Returns submit times, waits (start - submit, in years) and the queue length as a step function
    (change times, lengths), read from ``team.queue_length`` after every submit and every task end."""
    env = simpy.Environment()
    team = CaseworkerTeam(env, available_fte=c, hours_per_week=hours_per_week)
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / lam, n)
    hours = rng.exponential(mean_hours, n)
    submitted = np.empty(n)
    waits = np.full(n, np.nan)
    q_times, q_lengths = [0.0], [0]

    def log_queue(_event=None):
        q_times.append(env.now)
        q_lengths.append(team.queue_length)

    def arrivals():
        for i in range(n):
            yield env.timeout(gaps[i])
            t0 = env.now
            submitted[i] = t0
            event = team.submit(INVESTIGATION, float(hours[i]))
            log_queue()

            def done(ev, i=i, t0=t0):
                waits[i] = ev.value - t0  # the event's value is the start time of the work
                log_queue()  # the team has dispatched the next waiting task by now

            event.callbacks.append(done)

    env.process(arrivals())
    env.run()
    return submitted, waits, np.asarray(q_times), np.asarray(q_lengths)


def time_average(times: np.ndarray, values: np.ndarray, t0: float, t1: float) -> float:
    """Time average over [t0, t1] of the right-continuous step function (times, values)."""
    grid = np.clip(times, t0, t1)
    widths = np.diff(np.append(grid, t1))
    return float(np.sum(values * widths) / (t1 - t0))


# M/M/3 at utilisation 0.8, 10-hour tasks, 20 productive hours a week per FTE.
C_SERVERS = 3
HOURS_PER_WEEK = 20.0
MEAN_HOURS = 10.0
RHO = 0.8
N_TASKS = 400_000
WARM_UP = 10_000  # tasks; the queue starts empty
SERVICE_YEARS = MEAN_HOURS / (HOURS_PER_WEEK * WEEKS_PER_YEAR)
LAMBDA = RHO * C_SERVERS / SERVICE_YEARS  # tasks per year
# Tolerances. Over 16 seeds at this length the relative error of the mean wait had SD 1.9 % (waits are
# strongly autocorrelated at rho = 0.8) and P(wait > 0) had SD 0.003; the tolerances are about 3 and 5 SD.
# Errors a real bug makes are far larger: one server fewer or half-speed servers make the queue unstable,
# a team 3 % slower than its hours per week say waits 25 % longer (10 % slower: 2.5 times as long).
REL_TOL_MEAN_WAIT = 0.06
ABS_TOL_P_WAIT = 0.015


@pytest.fixture(scope="module")
def mm3():
    return run_queue(C_SERVERS, HOURS_PER_WEEK, LAMBDA, MEAN_HOURS, N_TASKS, seed=20240611)


@pytest.mark.slow
def test_every_task_starts_and_no_wait_is_negative(mm3):
    _, waits, _, q_lengths = mm3
    assert not np.isnan(waits).any(), "some submitted tasks never started"
    assert (waits >= 0).all()
    assert q_lengths[-1] == 0


def test_mm3_mean_wait_matches_erlang_c(mm3):
    _, waits, _, _ = mm3
    expected = mmc_mean_wait(C_SERVERS, LAMBDA, SERVICE_YEARS)
    observed = waits[WARM_UP:].mean()
    assert observed == pytest.approx(expected, rel=REL_TOL_MEAN_WAIT), (
        f"mean wait {observed / SERVICE_YEARS:.3f} service times, Erlang C says {expected / SERVICE_YEARS:.3f}"
    )


def test_mm3_probability_of_waiting_matches_erlang_c(mm3):
    _, waits, _, _ = mm3
    expected = erlang_c(C_SERVERS, LAMBDA * SERVICE_YEARS)
    observed = float((waits[WARM_UP:] > 0).mean())
    assert observed == pytest.approx(expected, abs=ABS_TOL_P_WAIT)


def test_mm3_littles_law_on_the_queue(mm3):
    """Time-average number waiting (from the team's own queue length) = arrival rate x mean wait."""
    submitted, waits, q_times, q_lengths = mm3
    t0, t1 = submitted[WARM_UP], submitted[-1]
    in_window = (submitted >= t0) & (submitted <= t1)
    lam_observed = in_window.sum() / (t1 - t0)
    l_q = time_average(q_times, q_lengths, t0, t1)
    # The same sample path: only edge effects of order (mean wait / window) separate the two sides.
    assert l_q == pytest.approx(lam_observed * waits[in_window].mean(), rel=0.01)
    # And against theory: Lq = lambda Wq (Erlang C), with the mean-wait tolerance.
    assert l_q == pytest.approx(LAMBDA * mmc_mean_wait(C_SERVERS, LAMBDA, SERVICE_YEARS), rel=REL_TOL_MEAN_WAIT)


def test_half_fte_is_one_server_at_half_speed():
    """A fractional FTE is one slower server: 0.5 FTE is M/M/1 with twice the service time.

    rho = 0.5, 100,000 tasks: Wq = rho/(1-rho) x S' = S' and P(wait > 0) = rho. Over 10 seeds the
    relative error of the mean wait had SD 1.3 %, P(wait > 0) SD 0.003: tolerances 6 % and 0.015."""
    fte, mean_hours, n = 0.5, 4.0, 100_000
    service = mean_hours / (HOURS_PER_WEEK * WEEKS_PER_YEAR) / fte
    lam = 0.5 / service
    submitted, waits, _, _ = run_queue(fte, HOURS_PER_WEEK, lam, mean_hours, n, seed=7)
    assert waits[1000:].mean() == pytest.approx(mmc_mean_wait(1, lam, service), rel=0.06)
    assert float((waits[1000:] > 0).mean()) == pytest.approx(0.5, abs=0.015)


# ---------------------------------------------------------------- Little's law on the model

MOVE_AWAY = 1.0  # per year: the only way off the step, so the mean stay is 1 / MOVE_AWAY years
ENTRIES = 1000.0  # notifications (= entries on the step) per year


def one_step_scenario(raw: dict):
    """Every notification is a new child aged 0 who goes straight onto the one step and leaves only by
    moving away (rate MOVE_AWAY); caseworkers are never the bottleneck; no initial stock."""
    only = dict(raw["staircase"][0])
    only.update(id="only", kind="placement", need_level=1, uptake_share=1.0, price_per_year_dkk=100000.0)
    only.pop("breakdown_rate_per_year", None)
    only.pop("capacity", None)
    level = dict(raw["needs"]["levels"][0])
    level.update(improvement_rate_per_year=0.0, escalation_rate_per_year=0.0)
    return build(
        raw,
        **{
            "calendar.burn_in_years": 0,
            "calendar.horizon_years": 12,
            "population.aged_0_17": 10000.0,
            "population.aged_0_22": 13000.0,
            "population.growth_per_year": 0.0,
            "population.notified_age_shares": {"0-0": 1.0},
            "notifications.per_1000_aged_0_17": ENTRIES / 10.0,
            "notifications.trend_per_year": 0.0,
            "notifications.share_about_known_children": 0.0,
            "screening.share_acute": 0.0,
            "screening.share_closed_after_advice": 0.0,
            "screening.share_early_measure": 1.0,
            "investigation.outcome_need_shares": {1: 1.0},
            "needs.levels": [level],
            "needs.acute_need_level": 1,
            "staircase": [only],
            "reviews.first_after_months": 600.0,  # no reviews within the horizon: fewer events
            "reviews.interval_months": 600.0,
            "caseworkers.fte": 200.0,
            "caseworkers.ongoing_hours_per_case_per_month": 0.0,
            "caseworkers.family_time": {},
            "caseworkers.turnover": {},
            "exits.aftercare.enabled": False,
            "exits.move_away_rate_per_year": MOVE_AWAY,
            "initial_state.stock_per_1000_aged_0_22": {"only": 0.0},
            "diversion": {},  # the baseline's (switched-off) policies name steps this staircase lacks
            "time_limited_stays": {},
            "demand": {},  # fixed screening shares (demand model off): every notification enters the step
            "provenance": [],  # the baseline's calibrated numbers name levels and settings this scenario lacks
        },
    )


@pytest.mark.slow
def test_littles_law_on_a_step(baseline_raw):
    """Mean stock on the step at 31 December = entry rate x mean stay.

    Expected from the inputs: entries are Poisson with rate ENTRIES per year, stays are exponential with
    mean 1/MOVE_AWAY (children are aged 0-1, so ageing out at 18 is out of reach), so starting empty the
    stock at time t has mean ENTRIES/MOVE_AWAY x (1 - exp(-MOVE_AWAY t)) (M/M/infinity). Screening takes
    minutes, so entries lag notifications by a negligible amount.

    Noise: the stock at a year end is Poisson (SD about 32 on 1,000); consecutive year ends are
    correlated by exp(-1) = 0.37, so 4 replications x 12 years give a standard error of the mean of
    about 0.8 %. Tolerance 3 % (about 4 SE); a mean stay off by one month (8 %) fails."""
    s = one_step_scenario(baseline_raw)
    years = s.calendar.horizon_years
    stocks, starts, expected = [], [], []
    for rep in range(4):
        m = metric_table(simulate(s, seed=11, replication=rep).rows)
        for k in range(years):
            year = s.calendar.start_year + k
            stocks.append(m["stock.only"][year])
            starts.append(m["measures_started.only"][year])
            expected.append(ENTRIES / MOVE_AWAY * (1.0 - math.exp(-MOVE_AWAY * (k + 1))))
    stocks, starts = np.asarray(stocks), np.asarray(starts)
    # the entry rate is what the inputs say (Poisson counts: SD 32 a year, 48 years: SE 0.5 %)
    assert starts.mean() == pytest.approx(ENTRIES, rel=0.02)
    # stock = rate x stay, the rate and the stay both from the inputs, start-up transient included
    assert stocks.mean() == pytest.approx(np.mean(expected), rel=0.03)
    # Little's law with the measured entry rate, from year 5 on (the transient exp(-5) is under 1 %)
    steady = np.arange(len(stocks)) % years >= 4
    # (the stock and the entries share their noise: over 10 seeds this ratio had SD 0.3 %)
    assert stocks[steady].mean() == pytest.approx(starts[steady].mean() / MOVE_AWAY, rel=0.015)


@pytest.mark.slow
def test_stay_on_the_step_is_the_move_away_time(baseline_raw):
    """From the trace: time from 'enter' to 'close' has mean 1/MOVE_AWAY (exponential: also SD 1/MOVE_AWAY).

    Children entering in the first 6 of 12 years, so censoring at the end (P(stay > 6) = 0.25 %) is
    negligible; about 6,000 stays give a standard error of 1.3 %. Tolerance 5 %."""
    s = one_step_scenario(baseline_raw)
    end = float(s.calendar.burn_in_years + s.calendar.horizon_years)
    stays = []
    for path in simulate(s, seed=12, replication=0, trace=True).paths.values():
        (t_in, what_in, step), *rest = path
        assert (what_in, step) == ("enter", 0)  # nothing else can happen before entering the only step
        if t_in >= end / 2:
            continue
        if rest:
            (t_out, what_out, _), = rest
            assert what_out == "close"
        else:
            t_out = end
        stays.append(t_out - t_in)
    stays = np.asarray(stays)
    assert len(stays) > 5000
    assert stays.mean() == pytest.approx(1.0 / MOVE_AWAY, rel=0.05)
    assert stays.std() == pytest.approx(1.0 / MOVE_AWAY, rel=0.08)
