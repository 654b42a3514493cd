"""The events of baseline replications, counted by kind (not a test): where the model's events go.

    python benchmarks/event_census.py [--replications 2] [--years 10] [--seed 1]

Runs replications of scenarios/baseline.yaml event by event and sorts every event SimPy processes by what it
does: a process's start or end, a task's end (and who waits for it), or a process's wake-up (for a child on
its measures: which of its clocks rang). Prints the counts per replication-year (burn-in years included, as
run_benchmarks.py counts them) with their shares, largest first.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.model.municipality import Municipality  # noqa: E402
from sim.runs.runner import with_horizon  # noqa: E402


def _innermost(generator):
    """The generator a process is suspended in (through ``yield from``)."""
    while getattr(generator, "gi_yieldfrom", None) is not None and hasattr(generator.gi_yieldfrom, "gi_frame"):
        generator = generator.gi_yieldfrom
    return generator


def _clock(frame) -> str:
    """Which clock of a child on its measures rang (the order ``on_measures`` tests them in)."""
    loc = frame.f_locals
    t, child, clocks = loc.get("t_next"), loc.get("child"), loc.get("clocks")
    if t is None or clocks is None:
        return "?"
    if t == child.leaves_at:
        return "ages out"
    if t == clocks.move:
        return "moves away"
    if t == loc.get("t_review"):
        return "review lead ends"
    if t == clocks.need:
        return "need changes"
    if t == clocks.limit:
        return "stay limit"
    return "breakdown"


def _waiter(callback) -> str | None:
    """The generator a callback resumes: a SimPy process's or a course's (``sim.model.courses``)."""
    owner = getattr(callback, "__self__", None)
    generator = getattr(owner, "_generator", None) or getattr(owner, "generator", None)
    if generator is None:
        return None
    gen = _innermost(generator)
    name = gen.__name__
    if name == "on_measures":
        return f"on_measures: {_clock(gen.gi_frame)}"
    return name


def kind(event) -> str:
    """What an event about to be processed does."""
    cls = type(event).__name__
    callbacks = event.callbacks or []
    if cls == "Initialize":
        return f"process start: {callbacks[0].__self__._generator.__name__}"
    if cls == "Process":
        return f"process end: {event._generator.__name__}"
    names = [getattr(cb, "__name__", type(cb).__name__) for cb in callbacks]
    waiters = [w for w in (_waiter(cb) for cb in callbacks) if w is not None]
    if "finish" in names:  # a task's end (the same for a process and a course)
        if waiters:
            return f"task end, resumes {waiters[0]}"
        owner = [cb for cb in callbacks if getattr(cb, "__name__", "") == "finish"][0]
        on_done = dict(zip(owner.__code__.co_freevars, (c.cell_contents for c in owner.__closure__))).get("on_done")
        what = "screening" if on_done is not None else "nobody"
        return f"task end, callback ({what})"
    if waiters:
        return f"{cls.lower()} wakes {waiters[0]}"
    return f"{cls.lower()} ({', '.join(names) or 'no callbacks'})"


def census(scenario, seed: int, replication: int) -> collections.Counter:
    m = Municipality(scenario, seed, replication)
    ends = m.start_processes()
    env = m.env
    counts: collections.Counter = collections.Counter()
    while env._queue and ends.callbacks is not None:
        counts[kind(env._queue[0][3])] += 1
        env.step()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    args = ap.parse_args()
    scenario = with_horizon(sim.load_scenario(args.scenario), args.years)
    rep_years = args.replications * (scenario.calendar.burn_in_years + args.years)
    total: collections.Counter = collections.Counter()
    for r in range(args.replications):
        total += census(scenario, args.seed, r)
    n = sum(total.values())
    print(f"{n / rep_years:,.0f} events per replication-year ({args.replications} replications x "
          f"{scenario.calendar.burn_in_years} + {args.years} years)")
    for what, c in total.most_common():
        print(f"{c / rep_years:9,.1f}  {c / n:6.1%}  {what}")


if __name__ == "__main__":
    main()
