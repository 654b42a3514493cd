"""Mutation check of every layer: plant plausible bugs one at a time and see whether the fast tests catch them.

    python benchmarks/mutation.py [--only NAME ...] [--jobs 2] [--list] [--quick]

The mutations cover the model (sim/model), the runs (sim/runs), the analyses (sim/analysis), the data readers
(sim/data), the outputs (sim/outputs) and the app (sim/app). Each mutation replaces one piece of code (the text
must occur exactly once, else the mutation itself is reported as broken) in a temporary copy of the repository
and runs ``pytest -m "not slow" -x`` there, the mutation's own test files (``tests``: the ones meant to catch
it) first. A mutation is *caught* when a test fails; it is caught *by a behavioural test* unless the only test
that failed is the stored regression summary (``tests/properties/test_regression.py``), which says "something
changed" but not what. ``by`` is the first test that failed. A full run writes
``benchmarks/results/mutation.json``: ``{"mutations": [{"name", "file", "caught", "by", "behavioural"}],
"caught_share", "commit"}`` (``caught_share`` counts behavioural catches only); ``--only`` and ``--quick`` (only
the mutation's own tests, seconds each) print without writing. Not part of CI: a mutation that survives runs
the whole fast suite, minutes.
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
    tests: tuple[str, ...] = ()  # test files (under tests/) run first: the ones meant to catch it


MUTATIONS: tuple[Mutation, ...] = (
    # the caseworkers' queue
    Mutation("priorities inverted", "sim/model/caseworkers.py",
             "heapq.heappush(self._queue, (priority,", "heapq.heappush(self._queue, (-priority,",
             ("model/test_dispatcher.py",)),
    Mutation("last in, first out within a priority", "sim/model/caseworkers.py",
             "(priority, next(self._seq),", "(priority, -next(self._seq),", ("model/test_dispatcher.py",)),
    Mutation("a fractional FTE works at full speed", "sim/model/caseworkers.py",
             "self.partial_speed = frac if frac > 0.05 else 0.0", "self.partial_speed = 1.0 if frac > 0.05 else 0.0",
             ("properties/test_theory.py",)),
    Mutation("ongoing work not reserved", "sim/model/caseworkers.py",
             "self.set_available(productive_fte - ongoing)", "self.set_available(productive_fte)",
             ("properties/test_caseworker_time.py",)),
    # reviews
    Mutation("the scenario's review interval ignored (6 months always)", "sim/model/settings.py",
             "self.review_interval = r.interval_months * MONTH", "self.review_interval = 6 * MONTH",
             ("model/test_one_small_year.py",)),
    Mutation("a review never steps down", "sim/model/pathway.py",
             "if not adequate_below or child.luck.u(DRAW_REVIEW) >= review_step_down_share(office, child):",
             "if True or child.luck.u(DRAW_REVIEW) >= review_step_down_share(office, child):",
             ("model/test_one_small_year.py",)),
    Mutation("reviews on time judged after the work, not at its start", "sim/model/pathway.py",
             "office.ledger.book_review(office.env.now, started <= due)",
             "office.ledger.book_review(office.env.now, office.env.now <= due)", ("model/test_one_small_year.py",)),
    # the staircase choice
    Mutation("step age limit off by one", "sim/model/staircase.py",
             "st.min_age <= age < st.max_age + 1", "st.min_age <= age < st.max_age",
             ("model/test_staircase_choice.py",)),
    # time with the family (the hours-per-case dose-response)
    Mutation("time with the family has no effect", "sim/model/family_time.py",
             "return max_effect * max(-1.0, min(1.0, d / full_effect_hours))", "return 0.0",
             ("model/test_staircase_choice.py",)),
    Mutation("the dose-response's sign turned", "sim/model/family_time.py",
             "    d = hours - reference\n", "    d = reference - hours\n", ("model/test_staircase_choice.py",)),
    Mutation("time-effect draw skipped when time has no effect", "sim/model/staircase.py",
             "        if len(candidates) > 1:\n", "        if len(candidates) > 1 and time_effect != 0.0:\n",
             ("model/test_staircase_choice.py",)),
    # caseworkers as people (turnover)
    Mutation("a leaver's cases not handed over", "sim/model/department.py",
             "        for worker in leavers:\n            self._hand_over(worker)",
             "        for worker in leavers:\n            pass", ("model/test_workforce.py",)),
    Mutation("newcomers at full productivity from day one", "sim/model/workforce.py",
             "            return self.turnover.induction_productivity", "            return 1.0",
             ("model/test_workforce.py",)),
    Mutation("new posts filled at once (no recruitment time)", "sim/model/workforce.py",
             "self._new_post(share, now + self.recruitment)", "self._new_post(share, now)",
             ("model/test_workforce.py",)),
    Mutation("capacity ignored", "sim/model/staircase.py",
             "and occupancy[st.index] < st.capacity", "", ("model/test_staircase_choice.py",)),
    Mutation("uptake ignored: always the least intrusive step", "sim/model/staircase.py",
             "if next(uniforms) < self.steps[index].uptake_share:", "if next(uniforms) <= 1.0:",
             ("model/test_staircase_choice.py",)),
    # draws
    Mutation("a random draw reused", "sim/model/randomness.py",
             "return row[k - CHUNK]", "return row[k - CHUNK - 1]", ("model/test_addressed_draws.py",)),
    Mutation("exponential waits with the rate inverted", "sim/model/randomness.py",
             "return -math.log(1.0 - u) / rate", "return -math.log(1.0 - u) * rate", ("model/test_one_small_year.py",)),
    # the known children
    Mutation("known child picked by list position", "sim/model/known.py",
             "i = bisect.bisect_left(self._keys, u)", "i = int(u * len(self._keys))",
             ("model/test_known_children.py",)),
    Mutation("closed children stay known for ever", "sim/model/known.py",
             "expired = not child.open and not child.in_episode and now - child.closed_at > self.window",
             "expired = False", ("model/test_known_children.py",)),
    # needs and exits
    Mutation("need improves on an inadequate step", "sim/model/pathway.py",
             "improve = settings.improvement_rate[level] if (adequate and level > 0) else 0.0",
             "improve = settings.improvement_rate[level] if level > 0 else 0.0", ("model/test_one_small_year.py",)),
    Mutation("nobody moves away", "sim/model/pathway.py",
             "self.move = office.env.now + child.luck.exponential(DRAW_DYNAMICS, office.settings.move_away_rate)",
             "self.move = office.env.now + child.luck.exponential(DRAW_DYNAMICS, 0.0)",
             ("model/test_one_small_year.py",)),
    # levers
    Mutation("levers of one setting applied in list order", "sim/model/levers.py",
             "out.sort(key=lambda x: x[:4])", "out.sort(key=lambda x: (x[2], x[0], x[1], x[3]))",
             ("model/test_policy_levers.py",)),
    Mutation("a ramp jumps to its end at once", "sim/model/levers.py",
             "min(1.0, k / lv.ramp_months)", "1.0", ("model/test_policy_levers.py",)),
    # costs and the ledger
    Mutation("costs not indexed", "sim/model/ledger.py",
             "amount = price_per_year * (t1 - t0) * self.price_index[y]",
             "amount = price_per_year * (t1 - t0)", ("model/test_one_small_year.py",)),
    Mutation("placements counted over the preventive steps", "sim/model/ledger.py",
             'add("placements_started", sum(self.measures_started[i][y] for i in sc.placement))',
             'add("placements_started", sum(self.measures_started[i][y] for i in sc.preventive))',
             ("model/test_drift.py",)),
    Mutation("caseworker salaries left out of the total", "sim/model/ledger.py",
             "total = step_costs + cw + policy", "total = step_costs + policy", ("properties/test_monotonicity.py",)),
    # the register
    Mutation("a CPR number with a space as separator not detected", "sim/data/register.py",
             '_SEP = "[-\\u2010\\u2011\\u2012\\u2013\\u2014\\u2212/ ]"',
             '_SEP = "[-\\u2010\\u2011\\u2012\\u2013\\u2014\\u2212/]"', ("sources/test_register.py",)),
    # economics and forecast
    Mutation("budget overrun as 'mean above budget'", "sim/analysis/forecast.py",
             'row["overrun_prob"] = float(np.mean(expected > budget))',
             'row["overrun_prob"] = float(np.mean(expected) > budget)', ("analysis/test_forecast.py",)),
    Mutation("discounting from the year before the start", "sim/analysis/economics.py",
             "exponents = np.asarray(list(years), dtype=float) - float(start_year)",
             "exponents = np.asarray(list(years), dtype=float) - float(start_year) + 1.0",
             ("analysis/test_economics.py",)),
    Mutation("the net saving's sign turned", "sim/analysis/economics.py",
             'cost["saving"] = cost["base"] - cost["alt"]', 'cost["saving"] = cost["alt"] - cost["base"]',
             ("analysis/test_economics.py",)),
    # calibration
    Mutation("calibration's second parameter never applied to the trial runs", "sim/analysis/calibration/problem.py",
             "    for p, v in zip(problem.spec.parameters, values):\n"
             "        set_path(raw, p.path, parameter_value(p, v))",
             "    for p, v in list(zip(problem.spec.parameters, values))[:1]:\n"
             "        set_path(raw, p.path, parameter_value(p, v))", ("analysis/test_calibration.py",)),
    # ---- the model: demand and unmet need, caseworkers as people
    Mutation("triage sees the real need only when it should not", "sim/model/demand.py",
             "seen = real_score if sees_real < triage_accuracy", "seen = real_score if sees_real >= triage_accuracy",
             ("model/test_demand.py",)),
    Mutation("an investigation misses the need when it should find it", "sim/model/demand.py",
             "misses = luck.u(draw_need) >= finds_need_share", "misses = luck.u(draw_need) < finds_need_share",
             ("model/test_unmet_need_clock.py",)),
    Mutation("an unmet need fades as fast as one under a measure", "sim/model/demand.py",
             "fade = improvement_rate * demand.unmet_improvement_share", "fade = improvement_rate",
             ("model/test_unmet_need_clock.py",)),
    Mutation("an unmet need never brings the child back", "sim/model/demand.py",
             "comes_back = demand.renotification_rate[level]", "comes_back = 0.0",
             ("model/test_unmet_need_clock.py",)),
    Mutation("the growth of need ignored in the need mix", "sim/model/demand.py",
             "with_need = [x * factor for x in shares[1:]]", "with_need = [x for x in shares[1:]]",
             ("model/test_demand.py",)),
    Mutation("a part-time caseworker left out of the team", "sim/model/department.py",
             "return [1.0] * whole + ([part] if part > SLIVER_FTE else [])", "return [1.0] * whole",
             ("model/test_department.py", "model/test_caseload_per_fte.py")),
    Mutation("a cut by attrition removes filled posts at once", "sim/model/workforce.py",
             '        if self.turnover.cuts == "at_once":', "        if True:",
             ("model/test_workforce.py",)),
    Mutation("a yearly leave rate taken as the monthly chance", "sim/model/workforce.py",
             "self.leave_chance = 1.0 - math.exp(-turnover.leave_rate_per_year * MONTH)",
             "self.leave_chance = 1.0 - math.exp(-turnover.leave_rate_per_year)",
             ("model/test_workforce.py",)),
    # ---- runs: assumptions drawn per replication, parameter sets, a register start
    Mutation("a triangular assumption's quantile function mirrored", "sim/runs/assumptions.py",
             "    if u < c:\n", "    if u > c:\n", ("runs/test_assumptions.py",)),
    Mutation("a uniform assumption ignores its low end", "sim/runs/assumptions.py",
             "return float(low + u * (high - low))", "return float(u * high)", ("runs/test_assumptions.py",)),
    Mutation("every replication draws the same assumptions", "sim/runs/assumptions.py",
             "np.random.default_rng([ASSUMPTION_STREAM, seed, replication, path_key(key)])",
             "np.random.default_rng([ASSUMPTION_STREAM, seed, path_key(key)])", ("runs/test_assumptions.py",)),
    Mutation("a lever's assumption keyed by its position, not its setting", "sim/runs/assumptions.py",
             '    if assumption is not None and assumption.setting and path.startswith("levers."):',
             "    if False:", ("runs/test_assumptions.py",)),
    Mutation("assumptions set otherwise drawn all the same", "sim/runs/assumptions.py",
             "            if path in self.skip:\n                continue\n            mode",
             "            mode", ("runs/test_drawn_values.py",)),
    Mutation("every replication runs the same parameter set", "sim/runs/parameter_sets.py",
             "rng = np.random.default_rng([PARAMETER_SET_STREAM, seed, replication])",
             "rng = np.random.default_rng([PARAMETER_SET_STREAM, seed])", ("analysis/test_calibration.py",)),
    Mutation("a weighted quantile of weights that do not sum to 1", "sim/runs/parameter_sets.py",
             "    cum /= cum[-1]\n", "", ("runs/test_drawn_values.py",)),
    Mutation("a register run one year short", "sim/runs/runner.py",
             "horizon_years=scenario.end_year - as_of.year + 1,", "horizon_years=scenario.end_year - as_of.year,",
             ("runs/test_register_horizon.py",)),
    Mutation("a register run starts on the as-of date, not the day after", "sim/runs/runner.py",
             "years_since(as_of + dt.timedelta(days=1), as_of.year)", "years_since(as_of, as_of.year)",
             ("analysis/test_forecast.py",)),
    # ---- analysis: comparison, economics, summaries, simple forecasts, precision
    Mutation("paired differences taken baseline minus alternative", "sim/analysis/economics.py",
             'pairs["diff"] = pairs["alt"] - pairs["base"]', 'pairs["diff"] = pairs["base"] - pairs["alt"]',
             ("analysis/test_economics.py",)),
    Mutation("placements avoided counted with the wrong sign", "sim/analysis/economics.py",
             'pairs["avoided"] = pairs["base"] - pairs["alt"]', 'pairs["avoided"] = pairs["alt"] - pairs["base"]',
             ("analysis/test_economics.py",)),
    Mutation("a cut counted as a negative investment", "sim/analysis/economics.py",
             "total += max(extra, 0.0) if not np.isnan(extra) else 0.0",
             "total += extra if not np.isnan(extra) else 0.0", ("analysis/test_economics.py",)),
    Mutation("break-even a year early", "sim/analysis/economics.py",
             "return int(series.index[last_below + 1])", "return int(series.index[last_below])",
             ("analysis/test_economics.py",)),
    Mutation("a step missing in one scenario not compared with 0", "sim/analysis/economics.py",
             'merged.loc[merged["_merge"] == "right_only", "base"] = 0.0\n', "",
             ("analysis/test_economics.py",)),
    Mutation("the 95 % quantile taken at 90 %", "sim/analysis/summary.py",
             "p95=lambda v: quantile(v, 0.95),", "p95=lambda v: quantile(v, 0.90),",
             ("analysis/test_summary_quantiles.py",)),
    Mutation("a linear trend not centred on the mean year", "sim/analysis/simple_forecasts.py",
             "raw = y_mean + slope * (np.asarray(years, dtype=float) - x_mean)",
             "raw = y_mean + slope * np.asarray(years, dtype=float)", ("analysis/test_simple_forecasts.py",)),
    Mutation("the last-value forecast carries the first value", "sim/analysis/simple_forecasts.py",
             "[obs.iloc[-1]] * len(years)", "[obs.iloc[0]] * len(years)", ("analysis/test_simple_forecasts.py",)),
    Mutation("the stock-flow projection keeps the leavers", "sim/analysis/simple_forecasts.py",
             "level = level * (1.0 - rate) + arriving", "level = level + arriving",
             ("analysis/test_simple_forecasts.py",)),
    Mutation("forecast error relative to the forecast, not the actual", "sim/analysis/simple_forecasts.py",
             'joined["ape"] = ((f - a).abs() / a.abs()).where(usable)',
             'joined["ape"] = ((f - a).abs() / f.abs()).where(usable)', ("analysis/test_simple_forecasts.py",)),
    Mutation("the Wilson interval without its shrinkage", "sim/analysis/uncertainty.py",
             "    denom = 1.0 + z * z / n\n", "    denom = 1.0\n", ("runs/test_assumptions.py",)),
    Mutation("the renotified share left at 1 + share", "sim/analysis/reporting_fit.py",
             "return float(np.sum(pilot_means[finite]) / np.sum(expected[finite]) - 1.0)",
             "return float(np.sum(pilot_means[finite]) / np.sum(expected[finite]))",
             ("analysis/test_reporting_renotified.py",)),
    # ---- data: StatBank, the history file, the case register
    Mutation("StatBank's thousands of DKK not multiplied by 1000", "sim/data/statbank.py",
             "sum(present.values()) * source.multiplier", "sum(present.values())",
             ("sources/test_statbank.py",)),
    Mutation("a population summed with an age missing", "sim/data/statbank.py",
             "if not present or (absent and not m.partial_sum):", "if not present:",
             ("sources/test_statbank.py",)),
    Mutation("a Danish thousands point read as a decimal point", "sim/data/statbank.py",
             'return float(t.replace(".", "").replace(",", "."))', 'return float(t.replace(",", "."))',
             ("sources/test_statbank.py",)),
    Mutation("the nearest history year taken later on a tie", "sim/data/history.py",
             'distance = (rows["year"] - year).abs() * 2 + (rows["year"] > year)',
             'distance = (rows["year"] - year).abs() * 2 + (rows["year"] < year)',
             ("sources/test_history.py",)),
    Mutation("a share above 1 accepted in the history", "sim/data/history.py",
             "if is_share(metric) and value > 1:", "if is_share(metric) and value > 100:",
             ("sources/test_history.py",)),
    Mutation("a register age from the birth year without the mid-year", "sim/data/register.py",
             "age = max(0.0, as_of.year - birth_year - 0.5)", "age = max(0.0, as_of.year - birth_year)",
             ("sources/test_register.py",)),
    # ---- outputs: number formats, the waterfall
    Mutation("Danish money amounts in English number format", "sim/outputs/labels.py",
             'return (_da(s) + " kr.") if lang == "da" else f"{s} DKK"',
             'return (s + " kr.") if lang == "da" else f"{s} DKK"', ("outputs/test_number_formats.py",)),
    Mutation("a share shown as a percent without times 100", "sim/outputs/labels.py",
             's = _signed(f"{100 * float(x):.{digits}f}")', 's = _signed(f"{float(x):.{digits}f}")',
             ("outputs/test_danish_output.py", "outputs/test_forecast_sentence.py")),
    Mutation("a money range's low end in kroner, its high end in millions", "sim/outputs/labels.py",
             'first = _signed(f"{float(lo) / 1e6:,.1f}")', 'first = _signed(f"{float(lo):,.1f}")',
             ("outputs/test_danish_output.py", "outputs/test_report.py")),
    Mutation("the waterfall ends at the baseline minus the change", "sim/outputs/report/charts.py",
             '"total_of", lang).format(name=alt_name), base_total + total_diff, "total"))',
             '"total_of", lang).format(name=alt_name), base_total - total_diff, "total"))',
             ("outputs/test_report_sections.py", "outputs/test_report.py")),
    Mutation("the waterfall's other costs are the whole change", "sim/outputs/report/charts.py",
             "        rest = total_diff - running\n", "        rest = total_diff\n",
             ("outputs/test_report_sections.py", "outputs/test_report.py")),
    # ---- the app: the forecast page, the answer's waterfall, run-time estimates
    Mutation("the forecast page's budget replaces the other years' budgets", "sim/app/forecast.py",
             '{**scenario.budget_dkk, year: float(amount)}', '{year: float(amount)}',
             ("app/test_app_forecast_budget_years.py",)),
    Mutation("an account function named by the steps not booked on it", "sim/app/forecast.py",
             "for s in scenario.staircase if s.account_function == fn]",
             "for s in scenario.staircase if s.account_function != fn]", ("app/test_app_forecast_page.py",)),
    Mutation("the answer's waterfall bars end at their change, not the running level", "sim/app/answer.py",
             'start, end = (0.0, amount) if kind == "total" else (level, level + amount)',
             'start, end = (0.0, amount) if kind == "total" else (level, amount)',
             ("app/test_answer_waterfall.py",)),
    Mutation("the answer's waterfall shades an extra cost as a saving", "sim/app/answer.py",
             'shade = "total" if kind == "total" else ("saving" if amount < 0 else "extra")',
             'shade = "total" if kind == "total" else ("saving" if amount > 0 else "extra")',
             ("app/test_answer_waterfall.py",)),
    Mutation("the run-time estimate leaves out the burn-in years", "sim/app/timing.py",
             "* replications * scenarios * (years + burn_in)", "* replications * scenarios * years",
             ("app/test_app_run_time.py",)),
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


def test_files(tree: Path, mutation: Mutation | None = None, quick: bool = False) -> list[str]:
    """The test files in the order they run: the mutation's own tests first (only those when ``quick``), then
    the quick unit tests, every other file, and the regression summary last (with -x, a mutant it catches has
    first met every behavioural test)."""
    paths = {p.name: p for p in (tree / "tests").rglob("test_*.py")}
    own = [Path(f).name for f in (mutation.tests if mutation is not None else ())]
    if quick:
        return [str(paths[f]) for f in own]
    files = sorted(paths)
    last = Path(REGRESSION_TEST).name
    first = [*own, *(f for f in FIRST if f not in own)]
    ordered = ([f for f in first if f in files] + [f for f in files if f not in first and f != last]
               + [f for f in files if f == last])
    return [str(paths[f]) for f in ordered]


def run_one(mutation: Mutation, quick: bool = False) -> dict:
    """Apply one mutation to a fresh copy and run the fast tests there (stopping at the first failure);
    ``quick``: only the mutation's own tests."""
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
             f"pythonpath=tests {tree}", "--rootdir", str(tree), *test_files(tree, mutation, quick)],
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
    parser.add_argument("--quick", action="store_true",
                        help="run only each mutation's own tests (seconds; results not written)")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or any(part in m.name for part in args.only)]
    if args.quick:
        chosen = [m for m in chosen if m.tests]
    if args.list:
        for m in chosen:
            text = (ROOT / m.file).read_text(encoding="utf-8")
            print(f"{'ok ' if text.count(m.old) == 1 else 'BAD'} {m.file:32} {m.name}")
        return
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = []
        for result in pool.map(lambda m: run_one(m, args.quick), chosen):
            mark = "caught" if result.get("behavioural") else ("regression only" if result["caught"] else "SURVIVED")
            if result["caught"] is None:
                mark = "BROKEN MUTATION"
            print(f"{mark:16} {result['name']}  ({result.get('by') or result.get('error', '')})", flush=True)
            results.append(result)
    valid = [r for r in results if r["caught"] is not None]
    share = sum(bool(r.get("behavioural")) for r in valid) / len(valid) if valid else float("nan")
    if args.quick or args.only:
        print(f"caught by their own tests: {share:.0%} of {len(valid)} (not written: a partial check)")
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"mutations": results, "caught_share": share, "commit": git_commit()}, indent=2))
    print(f"caught by a behavioural test: {share:.0%} of {len(valid)}; wrote {RESULTS}")


if __name__ == "__main__":
    main()
