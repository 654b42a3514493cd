"""Benchmarks (not tests): speed and memory of the model on this machine.

    python benchmarks/run_benchmarks.py [--replications N] [--years Y] [--workers W]
                                        [--memory-replications 100,400] [--skip-dask] [--instructions]
                                        [--compare benchmarks/results/FILE.json]

Measures in one run, on the same machine:
- bare SimPy timeouts per second (the ceiling for any SimPy model);
- replications per second and simulated events per second for the baseline (burn-in + Y years), in one
  process and with W worker processes;
- their ratio, events per replication and per simulated replication-year, the projected wall time of
  1,000 replications x 10 years on all cores, and peak memory;
- with --instructions: the CPU instructions of one replication (valgrind's callgrind, burn-in + 1 year),
  which unlike wall time do not move when other work shares the machine;
- scaling: replications per second with 1 and 2 local workers (sim.runs.executors.map_chunks), and the scaling
  efficiency rate(2) / (2 x rate(1));
- executors: the same replications with the local executor and with a local Dask cluster (W workers each),
  wall times and their ratio, Dask's cluster start-up shown apart;
- memory: the peak memory of whole runs of each of --memory-replications replications (each in a fresh
  process), streamed to disk as `boernesim run` does (the main process keeps no replication's rows);
- with --answers: what users wait for, as they run it (sim.jobs.run_job, outputs written): the app's typical
  question (one policy, more caseworkers, against the baseline, average municipality, 10 years, both languages)
  and the README's main job (seven policies against the baseline), both at the default precision (each
  policy to +-10 % on its NPV and +-0.03 on its chance of a saving, up to the app's and the command line's
  cap; --answers-precision and --answers-cap change them), with the replications each policy needed and the
  errors reached; with --answers-fixed also the app's default fixed replications (or --answers-replications)
  and --main-job-replications 20, each scenario's burn-in on its own and shared (sim.runs.shared). Each wall
  time also in CPU seconds and in units of the bare SimPy throughput measured just before it (wall s x bare
  timeouts/s: the bare SimPy timeouts that fit in that time), so a loaded machine's number can be compared
  with a quiet one's;
  --answers-only skips the rest;
- with --sobol: the wall time of a Sobol analysis of 8 parameters with N = 256 (2,560 sample points);
- with --calibration: the national calibration (8 parameters, 5 years of history).
The headline numbers are stored as JSON in benchmarks/results/ with the commit they measured; --compare FILE
prints them beside an earlier file's (before -> after). Wall-clock numbers on a shared machine are noisy:
compare the ratio to bare SimPy measured in the same run, events per replication and instructions.
Goals (speed): 1,000 x 10 years in <= 60 s on 2 cores; model events/s >= 0.5 x bare SimPy; < 1 GiB.
Goals (executors): scaling efficiency >= 0.85; Dask wall time within 15 % of the local executor's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.model.municipality import simulate  # noqa: E402
from sim.outputs.files import git_commit  # noqa: E402
from sim.runs.executors import map_chunks  # noqa: E402
from sim.runs.runner import Start, _replications, run_replications, with_horizon  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def bare_simpy_timeouts_per_second(n_processes: int = 100, until: int = 5000) -> float:
    env = simpy.Environment()

    def ticker(env):
        while True:
            yield env.timeout(1.0)

    for _ in range(n_processes):
        env.process(ticker(env))
    t = time.perf_counter()
    env.run(until=until)
    return n_processes * until / (time.perf_counter() - t)


def single_process(scenario, replications: int) -> tuple[float, int]:
    simulate(scenario, 1, 10_000)  # warm-up: imports, caches
    t = time.perf_counter()
    events = 0
    for r in range(replications):
        events += simulate(scenario, 1, r).events
    return time.perf_counter() - t, events


def peak_memory_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0  # ru_maxrss is KiB on Linux


def timed_map(scenario, replications: int, **executor) -> float:
    """Wall seconds of ``replications`` replications (one per chunk) through sim.runs.executors.map_chunks."""
    fn = functools.partial(_replications, scenario, 1, start=Start())
    t = time.perf_counter()
    parts = map_chunks(fn, [[r] for r in range(replications)], **executor)
    wall = time.perf_counter() - t
    assert [p[0][0] for p in parts] == list(range(replications))
    return wall


def scaling(scenario, replications: int) -> dict:
    print("\n-- scaling (local executor, one replication per chunk) --")
    rates = {}
    for w in (1, 2):
        rates[w] = replications / timed_map(scenario, replications, executor="local", workers=w)
        print(f"{w} worker{'s' if w > 1 else ' '}:             {rates[w]:12.2f} replications/s")
    efficiency = rates[2] / (2 * rates[1])
    print(f"scaling efficiency:    {efficiency:12.2f}   (rate(2) / (2 x rate(1)); goal >= 0.85)")
    return {"replications_per_s_1_worker": rates[1], "replications_per_s_2_workers": rates[2],
            "scaling_efficiency": efficiency}


def executors(scenario, replications: int, workers: int) -> None:
    print(f"\n-- executors ({workers} workers each, {replications} replications, one per chunk) --")
    local = timed_map(scenario, replications, executor="local", workers=workers)
    print(f"local processes:       {local:12.2f} s wall")
    t = time.perf_counter()
    map_chunks(abs, list(range(workers)), executor="dask", workers=workers)  # start, use and close a cluster
    startup = time.perf_counter() - t
    dask = timed_map(scenario, replications, executor="dask", workers=workers)
    print(f"local Dask cluster:    {dask:12.2f} s wall, of which about {startup:.1f} s starting and closing the "
          "cluster")
    print(f"ratio Dask/local:      {dask / local:12.2f}   (goal <= 1.15)")
    print(f"  without the start-up: {(dask - startup) / local:11.2f}   (what remains per replication: spawned "
          "workers import the model afresh, tasks and results go through the scheduler)")


def _rss_tree(proc) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except Exception:  # noqa: BLE001 - a worker that just ended
            pass
    return total


def memory_child(replications: int, years: int, workers: int) -> None:
    """In a fresh process: one whole run; prints its peak memory as JSON."""
    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), years)
    peak = {"tree": 0, "main": 0}
    stop = threading.Event()
    try:
        import psutil

        me = psutil.Process()

        def sample():
            while not stop.is_set():
                peak["tree"] = max(peak["tree"], _rss_tree(me))
                peak["main"] = max(peak["main"], me.memory_info().rss)
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    except ImportError:
        sampler = None
    import tempfile

    import pyarrow.parquet as pq

    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        stream = Path(d) / "replications.parquet"
        run_replications(scenario, replications, seed=1, workers=workers, stream_to=stream)
        wall = time.perf_counter() - t
        meta = pq.ParquetFile(stream).metadata
        rows, file_mib = meta.num_rows, stream.stat().st_size / 2**20
    stop.set()
    if sampler:
        sampler.join()
    print(json.dumps({
        "replications": replications,
        "wall": wall,
        "rows": rows,
        "table_mib": file_mib,
        "main_peak_mib": peak["main"] / 2**20 if sampler else None,  # sampled every 50 ms
        "main_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
        "tree_peak_mib": peak["tree"] / 2**20 if sampler else None,
    }))


def memory(sizes: list[int], years: int, workers: int) -> None:
    print(f"\n-- memory of whole runs ({workers} workers, {years} years; each run in a fresh process) --")
    cols = ["replications", "rows", "file MiB", "main peak MiB", "main maxrss MiB", "largest worker MiB",
            "all processes MiB", "wall s"]
    print("  ".join(cols))
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(n), "--years", str(years), "--workers", str(workers)],
            check=True, capture_output=True, text=True,
        ).stdout
        m = json.loads(out.strip().splitlines()[-1])
        cells = [n, f"{m['rows']:,d}", f"{m['table_mib']:.1f}",
                 "-" if m["main_peak_mib"] is None else f"{m['main_peak_mib']:.0f}",
                 f"{m['main_maxrss_mib']:.0f}", f"{m['worker_peak_mib']:.0f}",
                 "(no psutil)" if m["tree_peak_mib"] is None else f"{m['tree_peak_mib']:.0f}", f"{m['wall']:.1f}"]
        print("  ".join(f"{c:>{len(h)}}" for c, h in zip(cells, cols)))
    print("(peaks sampled with psutil every 50 ms; maxrss from getrusage. Results are streamed to disk one "
          "replication at a time, so no process's peak should grow with the number of replications)")


POLICIES = ("more-caseworkers", "swedish-model", "intensive-home-support", "intake-team", "rising-notifications",
            "notification-surge", "caseworker-cuts")  # the README's main job, after the baseline


def timed_answer(names: list[str], workers: int, langs: tuple[str, ...], replications: int = 0,
                 precision=None, share: bool = True) -> dict:
    """One question run as a user runs it (sim.jobs.run_job, outputs written to a temporary folder): wall
    seconds, the same in bare SimPy timeouts, replications run and, to a precision, whether it was reached.
    ``share``: False runs every scenario's burn-in on its own (as before sim.runs.shared)."""
    import tempfile

    import sim.runs.experiment as experiment
    from sim.jobs import Request, run_job

    scenarios = tuple(sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml") for name in names)
    if precision is not None:
        replications = precision.cap
    request = Request(scenarios, replications, seed=1, workers=workers, precision=precision)
    bare = bare_simpy_timeouts_per_second()  # just before: the machine's load moves during a long benchmark
    worth = experiment.worth_sharing
    experiment.worth_sharing = worth if share else (lambda _scenarios: False)
    t, cpu = time.perf_counter(), _cpu_seconds()
    try:
        with tempfile.TemporaryDirectory() as d:
            done = run_job(request, Path(d) / "out", langs, stream=len(langs) == 1)
    finally:
        experiment.worth_sharing = worth
    wall, cpu = time.perf_counter() - t, _cpu_seconds() - cpu
    out = {"wall_s": wall, "cpu_s": cpu, "bare_timeouts_per_s": bare, "bare_timeouts_m": wall * bare / 1e6,
           "replications": done.replications,
           "events": done.events}
    if done.precision is not None:
        out["precision_reached"] = done.precision["reached"]
        keys = ("replications", "npv_mean_dkk", "npv_mc_error_dkk", "npv_mc_target_dkk", "prob_net_saving",
                "prob_mc_error", "precision_reached", "npv_sign_clear")
        out["policies"] = {name: {k: p[k] for k in keys if k in p} for name, p in done.precision["policies"].items()}
        out["replications_each"] = done.replications_each
    return out


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its ended workers (and theirs): less moved by a loaded machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def answers(workers: int, relative: float | None, cap: int | None, main_job: bool,
            app_replications: int | None = None, main_replications: int = 20, fixed: bool = False) -> dict:
    """What users wait for at the default precision (``relative`` None) or at ``relative``: the app's typical
    question (its cap the app's default, or ``cap``) and the main job (the command line's cap, or ``cap``);
    with ``fixed`` also the app question at its default replications and the main job at ``main_replications``,
    each scenario's burn-in on its own (before) and shared (after)."""
    from sim.analysis.precision import Precision, default_precision
    from sim.app.timing import default_cap, default_replications

    print(f"\n-- what users wait for ({workers} workers; load average {os.getloadavg()[0]:.1f}; in units of "
          "bare SimPy: wall x bare SimPy timeouts/s measured just before each) --")
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    question = ["baseline", "more-caseworkers"]
    size = (base.population.aged_0_17, 2, base.calendar.horizon_years, base.calendar.burn_in_years)
    if app_replications is None:
        app_replications = default_replications(*size)
    out = {}

    def show(key: str, label: str, result: dict) -> None:
        out[key] = result
        extra = ""
        if "precision_reached" in result:
            extra = " (precision " + ("reached" if result["precision_reached"] else "not reached: the cap") + ")"
        print(f"{label:50s} {result['wall_s']:8.1f} s wall = {result['bare_timeouts_m']:8.0f} M bare timeouts "
              f"({result['cpu_s']:.0f} CPU s) "
              f"(bare {result['bare_timeouts_per_s']:,.0f}/s just before); {result['replications']} replications"
              f"{extra}", flush=True)
        for name, p in result.get("policies", {}).items():
            error, prob = p.get("npv_mc_error_dkk"), p.get("prob_mc_error")
            print(f"    {name:28s} {p.get('replications'):4d} runs  NPV {p.get('npv_mean_dkk', 0) / 1e6:+7.1f} M "
                  f"±{(error or 0) / 1e6:5.1f} M (95 %)  P(saving) {p.get('prob_net_saving', float('nan')):.2f} "
                  f"±{prob or 0:.3f} (1 SE)  {'precise' if p.get('precision_reached') else 'at the cap'}"
                  f"{', sign clear' if p.get('npv_sign_clear') else ''}", flush=True)

    def precision_for(app: bool) -> Precision:
        chosen = default_precision(cap=cap if cap is not None else (default_cap(*size) if app else None))
        return chosen if relative is None else Precision(relative=relative, cap=chosen.cap)

    if fixed:
        for share in (False, True):
            show(f"app_question_{'shared' if share else 'alone'}",
                 f"app question, {app_replications} replications, burn-in {'shared' if share else 'alone'}",
                 timed_answer(question, workers, ("en", "da"), app_replications, share=share))
    chosen = precision_for(app=True)
    show("app_question_precision", f"app question, precision {chosen.relative:g} (cap {chosen.cap})",
         timed_answer(question, workers, ("en", "da"), precision=chosen))
    if main_job:
        if fixed:
            for share in (False, True):
                show(f"main_job_{'shared' if share else 'alone'}",
                     f"main job, {main_replications} replications, burn-in {'shared' if share else 'alone'}",
                     timed_answer(["baseline", *POLICIES], workers, ("en",), main_replications, share=share))
        chosen = precision_for(app=False)
        show("main_job_precision", f"main job, precision {chosen.relative:g} (cap {chosen.cap})",
             timed_answer(["baseline", *POLICIES], workers, ("en",), precision=chosen))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--memory-replications", default="100,400",
                    help="comma-separated sizes of whole runs whose peak memory is measured; empty or 0 to skip")
    ap.add_argument("--skip-dask", action="store_true", help="do not compare with a local Dask cluster")
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--instructions-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of one replication with valgrind (a minute or two)")
    ap.add_argument("--instructions-only", action="store_true",
                    help="only count the instructions of one replication (and store and compare them)")
    ap.add_argument("--no-scaling", action="store_true", help="skip the 1-and-2-worker scaling runs")
    ap.add_argument("--save", help="where to store the JSON (default benchmarks/results/<time>-<commit>.json)")
    ap.add_argument("--compare", help="an earlier results JSON to compare with (before -> after)")
    ap.add_argument("--calibration", action="store_true", help="also time the national calibration (minutes)")
    ap.add_argument("--answers", action="store_true",
                    help="also time the app's typical question and the README's main job (long)")
    ap.add_argument("--answers-only", action="store_true", help="only bare SimPy and --answers")
    ap.add_argument("--answers-precision", type=float, help="the precision of --answers (default: the default)")
    ap.add_argument("--answers-cap", type=int,
                    help="the cap of both answers (default: the app's default for the app question, the command "
                         "line's for the main job)")
    ap.add_argument("--answers-fixed", action="store_true",
                    help="with --answers: also the fixed replications, each burn-in alone and shared")
    ap.add_argument("--no-main-job", action="store_true", help="with --answers: skip the main job")
    ap.add_argument("--answers-replications", type=int, help="the app question's (default: the app's default)")
    ap.add_argument("--main-job-replications", type=int, default=20)
    ap.add_argument("--sobol", action="store_true", help="also time a Sobol analysis, 8 parameters (long)")
    ap.add_argument("--sobol-only", action="store_true", help="only the Sobol benchmark")
    ap.add_argument("--sobol-n", type=int, default=256)
    ap.add_argument("--sobol-replications", type=int, default=1)
    ap.add_argument("--sobol-years", type=int, default=2)
    ap.add_argument("--calibration-only", action="store_true", help="only the calibration benchmark")
    ap.add_argument("--calibration-trials", type=int, help="trials (default: the spec's)")
    args = ap.parse_args()
    if args.calibration_only:
        calibration(args.workers, args.calibration_trials)
        return
    if args.sobol_only:
        sobol(args.workers, args.sobol_n, args.sobol_replications, args.sobol_years)
        return
    if args.memory_child:
        memory_child(args.memory_child, args.years, args.workers)
        return
    if args.instructions_child:
        instructions_child(args.instructions_child, simulate_too=not args.setup_only)
        return

    if args.instructions_only:
        args.years = 1 if args.years == 10 else args.years  # burn-in + 1 year: minutes under valgrind, not an hour
    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), args.years)
    simulated_years = scenario.calendar.burn_in_years + args.years
    cores = os.cpu_count() or 1
    out: dict = {
        "commit": git_commit(),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": cores, "python": sys.version.split()[0], "simpy": simpy.__version__,
                    "load_average_1min": os.getloadavg()[0]},
        "years": args.years,
        "burn_in_years": scenario.calendar.burn_in_years,
        "replications": args.replications,
        "workers": args.workers,
    }
    print(f"commit {out['commit']}; machine: {cores} cores, Python {sys.version.split()[0]}, "
          f"simpy {simpy.__version__}, load average {out['machine']['load_average_1min']:.1f}")
    print(f"baseline: {args.years} projected + {scenario.calendar.burn_in_years} burn-in years per replication")
    if args.instructions_only:
        out.update(instructions(args.years))
        finish(out, args)
        return

    bare = bare_simpy_timeouts_per_second()
    print(f"bare SimPy:            {bare:12,.0f} timeouts/s")
    if args.answers_only:
        out.update(bare_simpy_timeouts_per_s=bare,
                   answers=answers(args.workers, args.answers_precision, args.answers_cap,
                                   not args.no_main_job, args.answers_replications, args.main_job_replications,
                                   args.answers_fixed))
        out["bare_simpy_timeouts_per_s_after"] = bare_simpy_timeouts_per_second()
        print(f"bare SimPy again:      {out['bare_simpy_timeouts_per_s_after']:12,.0f} timeouts/s (after)")
        finish(out, args)
        return

    n1 = max(2, args.replications // 4)
    secs, events = single_process(scenario, n1)
    model_rate = events / secs
    print(f"model, 1 process:      {n1 / secs:12.2f} replications/s  {model_rate:12,.0f} events/s  "
          f"({events / n1:,.0f} events and {secs / n1:.2f} s per replication)")
    print(f"ratio model/bare:      {model_rate / bare:12.2f}   (goal >= 0.5)")
    per_rep_year = events / n1 / simulated_years
    print(f"events per replication-year: {per_rep_year:8,.0f}   (burn-in years included)")

    t = time.perf_counter()
    result = run_replications(scenario, args.replications, seed=1, workers=args.workers)
    wall = time.perf_counter() - t
    per_rep = wall / args.replications
    print(f"model, {args.workers} workers:     {args.replications / wall:12.2f} replications/s  "
          f"{result.events / wall:12,.0f} events/s")
    projected = per_rep * 1000 * ((scenario.calendar.burn_in_years + 10) / simulated_years)
    projected_all = projected * args.workers / cores
    print(f"projected 1,000 x 10 years on {cores} cores: {projected_all:8.0f} s   (goal <= 60 s)")
    peak = peak_memory_mib()
    print(f"peak memory (this process + workers): {peak:8.0f} MiB   (goal < 1024 MiB)")
    out.update(
        bare_simpy_timeouts_per_s=bare,
        model_replications_per_s_1_process=n1 / secs,
        model_events_per_s=model_rate,
        ratio_model_to_bare=model_rate / bare,
        events_per_replication=events / n1,
        events_per_replication_year=per_rep_year,
        model_replications_per_s_all_workers=args.replications / wall,
        projected_seconds_1000_x_10_years=projected_all,
        peak_memory_mib=peak,
    )
    if args.instructions:
        out.update(instructions(args.years))

    if not args.no_scaling:
        out["scaling"] = scaling(scenario, args.replications)
    if not args.skip_dask:
        executors(scenario, args.replications, args.workers)
    sizes = [int(x) for x in args.memory_replications.split(",") if x.strip()]
    if any(n < 0 for n in sizes):
        ap.error("--memory-replications: sizes are numbers of replications (0 or empty to skip)")
    # 0 skips, as an empty list does (a whole run of 0 replications is no measurement)
    sizes = [n for n in sizes if n > 0]
    if sizes:
        memory(sizes, args.years, args.workers)

    if args.answers:
        out["answers"] = answers(args.workers, args.answers_precision, args.answers_cap,
                                 not args.no_main_job, args.answers_replications, args.main_job_replications,
                                 args.answers_fixed)
    if args.sobol:
        sobol(args.workers, args.sobol_n, args.sobol_replications, args.sobol_years)
    if args.calibration:
        calibration(args.workers, args.calibration_trials)
    finish(out, args)


def finish(out: dict, args) -> None:
    path = store(out, args.save)
    if args.compare:
        compare(json.loads(Path(args.compare).read_text(encoding="utf-8")), out, args.compare)
    print(f"\nstored {path}")


# ---------------------------------------------------------------- instructions (valgrind)


def instructions_child(years: int, simulate_too: bool) -> None:
    """In a process under callgrind: the set-up alone, or the set-up and one replication (replication 0)."""
    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), years)
    if simulate_too:
        print(json.dumps({"events": simulate(scenario, 1, 0).events}))


def _callgrind_total(args: list[str]) -> tuple[int, str]:
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "callgrind.out"
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                              __file__, *args], capture_output=True, text=True, check=True)
        collected = re.search(r"Collected\s*:\s*(\d+)", run.stderr)
        return int(collected.group(1)), run.stdout


def instructions(years: int) -> dict:
    """Instructions of one replication: callgrind of set-up and replication less callgrind of set-up alone.
    Repeatable to a fraction of a per cent whatever else runs on the machine (wall time is not)."""
    import shutil

    if shutil.which("valgrind") is None:
        print("instructions:          (valgrind not installed)")
        return {}
    setup, _ = _callgrind_total(["--instructions-child", str(years), "--setup-only"])
    total, stdout = _callgrind_total(["--instructions-child", str(years)])
    events = json.loads(stdout.strip().splitlines()[-1])["events"]
    per_rep = total - setup
    print(f"instructions, 1 replication (burn-in + {years} years): {per_rep / 1e9:8.2f} G  "
          f"({per_rep / events:,.0f} per event, {events:,} events; callgrind)")
    return {"instructions_years": years, "instructions_per_replication": per_rep,
            "instructions_events": events, "instructions_per_event": per_rep / events}


# ---------------------------------------------------------------- results as JSON, and comparisons


def store(out: dict, path: str | None) -> Path:
    """Write the results as JSON (benchmarks/results/<UTC time>-<commit>.json unless a path is given)."""
    if path is None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{stamp}-{(out['commit'] or 'nocommit')[:10]}.json"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return path


COMPARED = (
    # (key, how to show it, whether higher is better)
    ("bare_simpy_timeouts_per_s", "{:,.0f}", True),
    ("model_replications_per_s_1_process", "{:.3f}", True),
    ("model_events_per_s", "{:,.0f}", True),
    ("ratio_model_to_bare", "{:.3f}", True),
    ("events_per_replication", "{:,.0f}", False),
    ("events_per_replication_year", "{:,.0f}", False),
    ("model_replications_per_s_all_workers", "{:.3f}", True),
    ("projected_seconds_1000_x_10_years", "{:,.0f}", False),
    ("peak_memory_mib", "{:,.0f}", False),
    ("instructions_per_replication", "{:,.0f}", False),
    ("instructions_per_event", "{:,.0f}", False),
)


def compare(before: dict, after: dict, name: str) -> None:
    """Before -> after for every headline number both runs have, and the factor (above 1: better)."""
    print(f"\n-- compared with {name} (commit {str(before.get('commit'))[:10]}, load "
          f"{before.get('machine', {}).get('load_average_1min', float('nan')):.1f}) --")
    for key, fmt, higher_better in COMPARED:
        if key not in before or key not in after:
            continue
        a, b = before[key], after[key]
        factor = (b / a if higher_better else a / b) if a and b else float("nan")
        print(f"{key:38s} {fmt.format(a):>16s} -> {fmt.format(b):>16s}   x{factor:.2f}")


def sobol(workers: int, n: int, replications: int, years: int) -> None:
    """The sensitivity benchmark: a Sobol analysis of 8 parameters (the first 8 of scenarios/sensitivity.yaml)."""
    import yaml

    from sim.analysis.sensitivity import rows_needed, run_sensitivity, spec_from_mapping
    from sim.model.scenario import resolve_raw

    data = yaml.safe_load((ROOT / "scenarios" / "sensitivity.yaml").read_text(encoding="utf-8"))
    data["parameters"] = data["parameters"][:8]
    data.update(years=years, replications=replications)
    spec = spec_from_mapping(data, "sensitivity.yaml (first 8 parameters)")
    points = rows_needed("sobol", 8, n)
    print(f"\n-- Sobol: 8 parameters, N = {n}: {points} sample points x {replications} replications x "
          f"(burn-in + {years} years), {workers} workers --")
    t = time.perf_counter()
    run = run_sensitivity(resolve_raw(ROOT / "scenarios" / "baseline.yaml"), spec, method="sobol", n=n,
                          replications=replications, workers=workers)
    wall = time.perf_counter() - t
    print(f"{wall:.0f} s in all, {wall / (points + 1):.2f} s per sample point, {run.events:,} events")


def calibration(workers: int, trials: int | None) -> None:
    """The calibration benchmark: calibrating 8 parameters to 5 years of history (the shipped national spec)."""
    from sim.analysis.calibration import calibrate, load_spec, parameter_summary, prepare
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    print("\n-- calibration (calibration/national/spec.yaml: 8 parameters, 2015-2019) --")
    spec = load_spec(ROOT / "calibration" / "national" / "spec.yaml")
    problem = prepare(resolve_raw(ROOT / "scenarios" / "baseline.yaml"), spec,
                      read_history(ROOT / "calibration" / "national" / "history.csv"))
    t = time.perf_counter()
    cal = calibrate(problem, workers=workers, trials=trials)
    wall = time.perf_counter() - t
    print(f"{len(cal.trials)} trials, {cal.simulations} replication-runs, {wall:.0f} s on {workers} workers "
          f"(goal < 900 s); {len(cal.ensemble)} parameter sets kept")
    print(parameter_summary(cal)[["parameter", "low", "high", "best", "min", "max"]].to_string(index=False))
    fit = cal.fit
    inside = ((fit["observed"] >= fit["sim_p05"]) & (fit["observed"] <= fit["sim_p95"])).mean()
    print(f"history values inside the fitted 5-95 % band: {inside:.0%} of {len(fit)}")


if __name__ == "__main__":
    main()
