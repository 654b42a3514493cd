"""Mutation check of the model core: plant plausible bugs one at a time and see whether the fast tests catch them.

    python benchmarks/mutation.py [--only NAME ...] [--jobs 2] [--list]

Each mutation replaces one piece of code (the text must occur exactly once, else the mutation itself is
reported as broken) in a temporary copy of the repository and runs ``pytest -m "not slow" -x`` there. A
mutation is *caught* when a test fails; it is caught *by a behavioural test* unless the only test that
failed is the stored regression summary (``tests/properties/test_regression.py``), which says "something changed" but
not what. Writes ``benchmarks/results/mutation.json``:
``{"mutations": [{"name", "file", "caught", "by"}], "caught_share", "commit"}`` (``caught_share`` counts
behavioural catches only). Not part of CI: it takes minutes per mutation.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.outputs.files import git_commit  # noqa: E402  (the manifest's commit, one definition)

RESULTS = ROOT / "benchmarks" / "results" / "mutation.json"
REGRESSION_TEST = "tests/properties/test_regression.py"
# the quick unit tests first, so that with -x a caught mutant stops early; then every other test file
FIRST = ("test_staircase_choice.py", "test_dispatcher.py", "test_ledger_books.py", "test_addressed_draws.py",
         "test_known_children.py", "test_one_small_year.py", "test_workforce.py", "test_department.py",
         "test_caseworker_organisations.py", "test_layers.py", "test_economics.py", "test_forecast.py",
         "test_register.py",
         "test_theory.py", "test_monotonicity.py", "test_common_random_numbers.py", "test_policy_levers.py")


@dataclass(frozen=True)
class Mutation:
    """A plausible bug: in ``file``, ``old`` (occurring exactly once) becomes ``new``."""

    name: str
    file: str
    old: str
    new: str


MUTATIONS: tuple[Mutation, ...] = (
    # the caseworkers' queue
    Mutation("priorities inverted", "sim/model/caseworkers.py",
             "heapq.heappush(self._queue, (priority,", "heapq.heappush(self._queue, (-priority,"),
    Mutation("last in, first out within a priority", "sim/model/caseworkers.py",
             "(priority, next(self._seq),", "(priority, -next(self._seq),"),
    Mutation("a fractional FTE works at full speed", "sim/model/caseworkers.py",
             "self.partial_speed = frac if frac > 0.05 else 0.0", "self.partial_speed = 1.0 if frac > 0.05 else 0.0"),
    Mutation("ongoing work not reserved", "sim/model/caseworkers.py",
             "self.set_available(productive_fte - ongoing)", "self.set_available(productive_fte)"),
    # reviews
    Mutation("the scenario's review interval ignored (6 months always)", "sim/model/settings.py",
             "self.review_interval = r.interval_months * MONTH", "self.review_interval = 6 * MONTH"),
    Mutation("a review never steps down", "sim/model/pathway.py",
             "if not adequate_below or child.luck.u(DRAW_REVIEW) >= review_step_down_share(office, child):",
             "if True or child.luck.u(DRAW_REVIEW) >= review_step_down_share(office, child):"),
    Mutation("reviews on time judged after the work, not at its start", "sim/model/pathway.py",
             "office.ledger.book_review(office.env.now, started <= due)",
             "office.ledger.book_review(office.env.now, office.env.now <= due)"),
    # the staircase choice
    Mutation("step age limit off by one", "sim/model/staircase.py",
             "st.min_age <= age < st.max_age + 1", "st.min_age <= age < st.max_age"),
    # time with the family (the hours-per-case dose-response)
    Mutation("time with the family has no effect", "sim/model/family_time.py",
             "return max_effect * max(-1.0, min(1.0, d / full_effect_hours))", "return 0.0"),
    Mutation("the dose-response's sign turned", "sim/model/family_time.py",
             "    d = hours - reference\n", "    d = reference - hours\n"),
    Mutation("time-effect draw skipped when time has no effect", "sim/model/staircase.py",
             "        if len(candidates) > 1:\n", "        if len(candidates) > 1 and time_effect != 0.0:\n"),
    # caseworkers as people (turnover)
    Mutation("a leaver's cases not handed over", "sim/model/department.py",
             "        for worker in leavers:\n            self._hand_over(worker)",
             "        for worker in leavers:\n            pass"),
    Mutation("newcomers at full productivity from day one", "sim/model/workforce.py",
             "            return self.turnover.induction_productivity", "            return 1.0"),
    Mutation("new posts filled at once (no recruitment time)", "sim/model/workforce.py",
             "self._new_post(share, now + self.recruitment)", "self._new_post(share, now)"),
    Mutation("capacity ignored", "sim/model/staircase.py",
             "and occupancy[st.index] < st.capacity", ""),
    Mutation("uptake ignored: always the least intrusive step", "sim/model/staircase.py",
             "if next(uniforms) < self.steps[index].uptake_share:", "if next(uniforms) <= 1.0:"),
    # draws
    Mutation("a random draw reused", "sim/model/randomness.py",
             "return row[k - CHUNK]", "return row[k - CHUNK - 1]"),
    Mutation("exponential waits with the rate inverted", "sim/model/randomness.py",
             "return -math.log(1.0 - u) / rate", "return -math.log(1.0 - u) * rate"),
    # the known children
    Mutation("known child picked by list position", "sim/model/known.py",
             "i = bisect.bisect_left(self._keys, u)", "i = int(u * len(self._keys))"),
    Mutation("closed children stay known for ever", "sim/model/known.py",
             "expired = not child.open and not child.in_episode and now - child.closed_at > self.window",
             "expired = False"),
    # needs and exits
    Mutation("need improves on an inadequate step", "sim/model/pathway.py",
             "improve = settings.improvement_rate[level] if (adequate and level > 0) else 0.0",
             "improve = settings.improvement_rate[level] if level > 0 else 0.0"),
    Mutation("nobody moves away", "sim/model/pathway.py",
             "self.move = office.env.now + child.luck.exponential(DRAW_DYNAMICS, office.settings.move_away_rate)",
             "self.move = office.env.now + child.luck.exponential(DRAW_DYNAMICS, 0.0)"),
    # levers
    Mutation("levers of one setting applied in list order", "sim/model/levers.py",
             "out.sort(key=lambda x: x[:4])", "out.sort(key=lambda x: (x[2], x[0], x[1], x[3]))"),
    Mutation("a ramp jumps to its end at once", "sim/model/levers.py",
             "min(1.0, k / lv.ramp_months)", "1.0"),
    # costs and the ledger
    Mutation("costs not indexed", "sim/model/ledger.py",
             "amount = price_per_year * (t1 - t0) * self.price_index[y]",
             "amount = price_per_year * (t1 - t0)"),
    Mutation("placements counted over the preventive steps", "sim/model/ledger.py",
             'add("placements_started", sum(self.measures_started[i][y] for i in sc.placement))',
             'add("placements_started", sum(self.measures_started[i][y] for i in sc.preventive))'),
    Mutation("caseworker salaries left out of the total", "sim/model/ledger.py",
             "total = step_costs + cw + policy", "total = step_costs + policy"),
    # the register
    Mutation("a CPR number with a space as separator not detected", "sim/data/register.py",
             '_SEP = "[-\\u2010\\u2011\\u2012\\u2013\\u2014\\u2212/ ]"',
             '_SEP = "[-\\u2010\\u2011\\u2012\\u2013\\u2014\\u2212/]"'),
    # economics and forecast
    Mutation("budget overrun as 'mean above budget'", "sim/analysis/forecast.py",
             'row["overrun_prob"] = float(np.mean(expected > budget))',
             'row["overrun_prob"] = float(np.mean(expected) > budget)'),
    Mutation("discounting from the year before the start", "sim/analysis/economics.py",
             "exponents = np.asarray(list(years), dtype=float) - float(start_year)",
             "exponents = np.asarray(list(years), dtype=float) - float(start_year) + 1.0"),
    Mutation("the net saving's sign turned", "sim/analysis/economics.py",
             'cost["saving"] = cost["base"] - cost["alt"]', 'cost["saving"] = cost["alt"] - cost["base"]'),
    # calibration
    Mutation("calibration's second parameter never applied to the trial runs", "sim/analysis/calibration/problem.py",
             "    for p, v in zip(problem.spec.parameters, values):\n"
             "        set_path(raw, p.path, parameter_value(p, v))",
             "    for p, v in list(zip(problem.spec.parameters, values))[:1]:\n"
             "        set_path(raw, p.path, parameter_value(p, v))"),
)


def _copy_repository(target: Path) -> None:
    patterns = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info")

    def ignore(folder: str, names: list[str]) -> set[str]:
        # the run outputs in results/ are left out, not the stored measurements in calibration/*/results/,
        # which tests read (without them every mutant would be "caught" by a missing file)
        top = {"results"} if Path(folder) == ROOT else set()
        return set(patterns(folder, names)) | (top & set(names))

    shutil.copytree(ROOT, target, ignore=ignore, dirs_exist_ok=True)


def apply(mutation: Mutation, tree: Path) -> None:
    path = tree / mutation.file
    text = path.read_text(encoding="utf-8")
    found = text.count(mutation.old)
    if found != 1:
        raise ValueError(f"{mutation.name}: the text to mutate occurs {found} times in {mutation.file}")
    path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")


def _failed_tests(output: str) -> list[str]:
    return re.findall(r"^FAILED (\S+)", output, flags=re.M) + re.findall(r"^ERROR (\S+)", output, flags=re.M)


def test_files(tree: Path) -> list[str]:
    paths = {p.name: p for p in (tree / "tests").rglob("test_*.py")}
    files = sorted(paths)
    # the regression summary last: with -x, a mutant it catches has first met every behavioural test
    last = Path(REGRESSION_TEST).name
    ordered = ([f for f in FIRST if f in files] + [f for f in files if f not in FIRST and f != last]
               + [f for f in files if f == last])
    return [str(paths[f]) for f in ordered]


def run_one(mutation: Mutation) -> dict:
    """Apply one mutation to a fresh copy and run the fast tests there (stopping at the first failure)."""
    with tempfile.TemporaryDirectory(prefix="boernesim-mutant-") as tmp:
        tree = Path(tmp)
        _copy_repository(tree)
        try:
            apply(mutation, tree)
        except ValueError as e:
            return {"name": mutation.name, "file": mutation.file, "caught": None, "by": None, "error": str(e)}
        env_python = sys.executable  # the project's venv: the copy is put first on the path instead
        done = subprocess.run(
            [env_python, "-m", "pytest", "-m", "not slow", "-x", "-q", "-p", "no:cacheprovider", "-o",
             f"pythonpath=tests {tree}", "--rootdir", str(tree), *test_files(tree)],
            capture_output=True, text=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
            timeout=3600,
        )
        failed = _failed_tests(done.stdout)
        caught = done.returncode != 0
        behavioural = [t for t in failed if not t.startswith(REGRESSION_TEST)]
        by = behavioural[0] if behavioural else (failed[0] if failed else None)
        return {"name": mutation.name, "file": mutation.file, "caught": caught,
                "by": by, "behavioural": bool(behavioural)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="names (or parts of names) of mutations to run")
    parser.add_argument("--jobs", type=int, default=2, help="mutations run at once")
    parser.add_argument("--list", action="store_true", help="list the mutations and check they apply")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or any(part in m.name for part in args.only)]
    if args.list:
        for m in chosen:
            text = (ROOT / m.file).read_text(encoding="utf-8")
            print(f"{'ok ' if text.count(m.old) == 1 else 'BAD'} {m.file:32} {m.name}")
        return
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = []
        for result in pool.map(run_one, chosen):
            mark = "caught" if result.get("behavioural") else ("regression only" if result["caught"] else "SURVIVED")
            if result["caught"] is None:
                mark = "BROKEN MUTATION"
            print(f"{mark:16} {result['name']}  ({result.get('by') or result.get('error', '')})", flush=True)
            results.append(result)
    valid = [r for r in results if r["caught"] is not None]
    share = sum(bool(r.get("behavioural")) for r in valid) / len(valid) if valid else float("nan")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"mutations": results, "caught_share": share, "commit": git_commit()}, indent=2))
    print(f"caught by a behavioural test: {share:.0%} of {len(valid)}; wrote {RESULTS}")


if __name__ == "__main__":
    main()
