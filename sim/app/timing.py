"""How long a run will take, before it starts: a measured cost per replication-year scaled by the
municipality's size, the replications, scenarios and years, the machine's cores and how busy it is now.

The constants were measured on the development machine (2 cores) with ``simulate`` of Denmark scaled to a
municipality (``building.start_scaled``), 3 replications each, CPU time (``time.process_time``, which unlike
wall time does not move when other work shares the machine), burn-in included:

    children 0-17   CPU s per replication-year   per 1,000 children
      5,000            0.0344                      0.00689
     20,000            0.1504                      0.00752
     60,000            0.6116                      0.01019

so the cost per 1,000 children grows a little with size: ``RUN_CPU_PER_1000`` + ``RUN_CPU_GROWTH`` x
thousands of children fits all three within 5 %. Writing the report, workbook and tables took 2.4-2.6 s of CPU
per language at 20,000 children with 2 or 8 replications of two scenarios (``write_outputs``), and starting the
worker process about 1.5 s more (its imports). The app's whole job (two scenarios, 2 replications, 10 years,
both languages) took 23.0 s to run and 15.1 s to write at a load average of 11.6 on the 2 cores; the
estimate below gives 24 s and 16 s for it.

A busy machine slows the parallel replications by about the load per core (5.8 there: 23.0 s measured, 23.5 s
estimated) and one process, which gets a larger share of a core, by about its square root (wall over CPU time
of writing and of one ``simulate``: 2.4-2.9 at that load, 4.1 at most).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

RUN_CPU_PER_1000 = 0.0066  # CPU seconds per replication-year per 1,000 children aged 0-17 (table above)
RUN_CPU_GROWTH = 0.00006  # ... plus this much per 1,000 children for each 1,000 children (the larger, the slower)
WRITE_CPU_PER_LANG = 2.5  # CPU seconds to write one language's outputs (report, workbook, tables)
START_CPU = 1.5  # CPU seconds to start the worker process (its imports)
TARGET_SECONDS = 30.0  # the default replications answer in about this on an idle 2-core machine (under a minute)
MIN_DEFAULT, MAX_DEFAULT = 5, 20
PRECISION_SECONDS = 600.0  # a run to the default precision stops by its cap in about this on an idle 2-core machine
MIN_CAP = 20  # a run to a precision runs at least this many (two batches) when it has not been precise before


@dataclass(frozen=True)
class Estimate:
    """Seconds to run the replications and to write the outputs, on this machine as busy as it is now."""

    runs: float
    writing: float

    @property
    def total(self) -> float:
        return self.runs + self.writing


def cores() -> int:
    return os.cpu_count() or 1


def busy_factor() -> float:
    """How much slower than an idle machine: the load average per core, at least 1."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # not on every system
        return 1.0
    return max(1.0, load / cores())


def cpu_per_replication_year(children: float) -> float:
    """CPU seconds one replication takes for one simulated year of a municipality of this many children."""
    thousands = children / 1000.0
    return thousands * (RUN_CPU_PER_1000 + RUN_CPU_GROWTH * thousands)


def estimate(children: float, replications: int, scenarios: int, years: int, burn_in: int, langs: int = 2,
             workers: int | None = None, busy: float | None = None) -> Estimate:
    """The run's estimated wall time: every replication of every scenario simulates its burn-in and years,
    spread over the workers (at most the cores); then one process writes each language's outputs."""
    busy = busy_factor() if busy is None else busy
    parallel = max(1, min(workers or cores(), cores(), replications * scenarios))
    cpu = cpu_per_replication_year(children) * replications * scenarios * (years + burn_in)
    return Estimate(runs=cpu / parallel * busy, writing=(START_CPU + WRITE_CPU_PER_LANG * langs) * busy ** 0.5)


def default_replications(children: float, scenarios: int, years: int, burn_in: int) -> int:
    """The most replications (5 to 20) that answer in about ``TARGET_SECONDS`` on an idle 2-core machine."""
    per = estimate(children, 1, scenarios, years, burn_in, workers=2, busy=1.0)
    room = TARGET_SECONDS - per.writing
    n = int(room // max(per.runs, 1e-9)) if room > 0 else MIN_DEFAULT
    return max(MIN_DEFAULT, min(MAX_DEFAULT, n))


def default_cap(children: float, scenarios: int, years: int, burn_in: int) -> int:
    """The app's cap on a run to the default precision: the most replications (``MIN_CAP`` to the command
    line's default cap) that end in about ``PRECISION_SECONDS`` on an idle 2-core machine; the average
    municipality's one policy against its baseline gets the command line's cap."""
    from sim.analysis.precision import DEFAULT_CAP

    per = estimate(children, 1, scenarios, years, burn_in, workers=2, busy=1.0)
    n = int((PRECISION_SECONDS - per.writing) // max(per.runs, 1e-9))
    return max(MIN_CAP, min(DEFAULT_CAP, n))


def format_seconds(seconds: float, lang: str) -> str:
    """'about 40 s' / 'ca. 40 s'; minutes from 90 seconds: 'about 3 min' / 'ca. 3 min.'."""
    about = "ca." if lang == "da" else "about"
    if seconds < 90:
        return f"{about} {max(1, round(seconds / 5) * 5 if seconds >= 10 else round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{about} {minutes} min." if lang == "da" else f"{about} {minutes} min"


def estimate_question(question, langs: int = 2) -> Estimate:
    """The estimate for a run request (``sim.jobs.Request``), from its scenarios as they run (the years
    chosen, or from the register's date for a forecast) and their burn-in."""
    first = question.scenarios_run()[0]
    return estimate(first.population.aged_0_17, question.replications, len(question.scenarios),
                    first.calendar.horizon_years, first.calendar.burn_in_years, langs, question.workers)


@dataclass(frozen=True)
class Progress:
    """Where a running job is: the share of the whole job done (the report included), its phase ("runs" or
    "writing") and the seconds left."""

    fraction: float
    phase: str
    left: float


def progress(done: int, total: int, elapsed: float, writing_for: float | None, guess: Estimate) -> Progress:
    """The whole job's progress: the replications' share of the estimated time, measured by how many are done
    (their pace so far gives the time left), then the writing's, measured by its estimated time."""
    runs_share = guess.runs / guess.total if guess.total > 0 else 0.5
    if writing_for is None:
        left_runs = elapsed / done * (total - done) if done else max(guess.runs - elapsed, 0.0)
        return Progress(runs_share * min(done / max(total, 1), 1.0), "runs", left_runs + guess.writing)
    part = min(writing_for / guess.writing, 0.95) if guess.writing > 0 else 0.95
    return Progress(runs_share + (1 - runs_share) * part, "writing", max(guess.writing - writing_for, 1.0))
