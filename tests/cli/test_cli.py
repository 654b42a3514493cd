"""The `boernesim` command end to end, as a user runs it (its entry point, tests/commands.py): docs/contract.md's
`run` outputs, `validate`, exit codes, one clear message for bad input and no half-written output directory.

The runs use a small municipality (2,000 children, 1 burn-in year, 2 projected years, 3 replications):
a few seconds each.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyarrow.types as pat
import pytest
import yaml
from commands import assert_bad_input, cli

import sim
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
REPS, YEARS, SEED = 3, 2, 11

SMALL = {
    "name": "small",
    "calendar": {"burn_in_years": 1},
    "population": {"aged_0_17": 2000, "aged_0_22": 2700},
    "caseworkers": {"fte": 4},
}


# ---------------------------------------------------------------- helpers (the command itself: tests/commands.py)


def write_overlay(path: Path, **parts) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"extends": str(BASELINE), **parts}, sort_keys=False), encoding="utf-8")
    return path


def small_scenario(directory: Path, **more) -> Path:
    parts = {k: (dict(v) if isinstance(v, dict) else v) for k, v in SMALL.items()}
    for k, v in more.items():
        parts[k] = {**parts.get(k, {}), **v} if isinstance(v, dict) else v
    return write_overlay(directory / "small.yaml", **parts)


def contract_metrics(step_ids: list[str]) -> set[str]:
    """Every metric of docs/contract.md's table that a scenario without a budget must report."""
    fixed = {
        "notifications",
        "children_notified",
        "screenings_on_time_share",
        "investigations_started",
        "investigations_completed",
        "investigations_overdue_share",
        "placements_started",
        "children_placed",
        "children_preventive",
        "open_cases",
        "reviews_on_time_share",
        "caseworker_fte",
        "caseload",
        "cost_caseworkers",
        "cost_policy",
        "cost_total",
        "cost_per_child_0_17",
    }
    per_step = {f"{prefix}.{s}" for prefix in ("measures_started", "stock", "cost") for s in step_ids}
    return fixed | per_step


def first_key(d: dict, *names: str):
    """The value of the first of ``names`` present in ``d`` (manifest keys may be spelt a little differently)."""
    for n in names:
        if n in d:
            return d[n]
    raise AssertionError(f"none of {names} in manifest keys {sorted(d)}")


# ---------------------------------------------------------------- one English and one Danish run


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def scenario_file(workdir) -> Path:
    return small_scenario(workdir / "scenarios")


@pytest.fixture(scope="module")
def run_en(workdir, scenario_file):
    out = workdir / "out-en"
    args = ["run", scenario_file, "--replications", REPS, "--years", YEARS, "--seed", SEED, "--workers", 1]
    args += ["--out", out]
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    return out, proc, args


@pytest.fixture(scope="module")
def run_da(workdir, scenario_file):
    out = workdir / "out-da"
    proc = cli(
        "run", scenario_file, "--replications", 2, "--years", YEARS, "--seed", SEED, "--workers", 1, "--lang", "da",
        "--out", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out


def test_run_writes_every_contract_file(run_en):
    out, proc, _ = run_en
    for name in ("manifest.json", "replications.parquet", "summary.csv", "report.html", "results.xlsx"):
        assert (out / name).is_file(), name
    assert str(out) in proc.stdout or out.name in proc.stdout  # tells where the results are
    # nothing temporary left next to the output
    assert [p.name for p in out.parent.iterdir() if "partial" in p.name or ".old" in p.name] == []


def test_manifest(run_en, scenario_file):
    out, _, args = run_en
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert first_key(m, "version", "tool_version") == sim.__version__
    commit = first_key(m, "git_commit", "commit")
    assert commit is None or (isinstance(commit, str) and len(commit) >= 7)
    command = first_key(m, "command", "command_line")
    command = command if isinstance(command, str) else " ".join(map(str, command))
    for a in ("run", "--replications", str(REPS), "--seed", str(SEED)):
        assert a in command, command
    assert m["seed"] == SEED
    assert m["replications"] == REPS
    assert first_key(m, "years", "horizon_years") == YEARS
    assert m["start_year"] == 2027
    wall = first_key(m, "wall_seconds", "wall_time", "wall_time_seconds")
    assert isinstance(wall, (int, float)) and wall >= 0
    events = first_key(m, "events_simulated", "events")
    assert isinstance(events, int) and events > 0
    # the fully resolved scenario: everything the baseline says, with the overlay and --years applied
    resolved = first_key(m, "scenario", "scenarios")
    if "small" in resolved and "calendar" not in resolved:
        resolved = resolved["small"]
    expected = sim.load_scenario(scenario_file).model_dump(mode="json")
    expected["calendar"]["horizon_years"] = YEARS
    assert resolved == expected


def test_replications_parquet(run_en, scenario_file):
    out, _, _ = run_en
    t = pq.read_table(out / "replications.parquet")
    assert t.column_names == ["scenario", "replication", "year", "metric", "value"]
    types = {f.name: f.type for f in t.schema}
    assert pat.is_string(types["scenario"]) or pat.is_large_string(types["scenario"])
    assert pat.is_integer(types["replication"])
    assert pat.is_integer(types["year"])
    assert pat.is_string(types["metric"]) or pat.is_large_string(types["metric"])
    assert pat.is_floating(types["value"])

    df = t.to_pandas()
    assert set(df["scenario"]) == {"small"}
    assert sorted(df["replication"].unique()) == list(range(REPS))
    assert sorted(df["year"].unique()) == [2027, 2028]
    steps = [s.id for s in sim.load_scenario(scenario_file).staircase]
    missing = contract_metrics(steps) - set(df["metric"])
    assert not missing, sorted(missing)
    # one value per replication, year and metric
    assert not df.duplicated(["replication", "year", "metric"]).any()
    assert len(df) == REPS * YEARS * df["metric"].nunique()
    # flows, stocks and costs are numbers, not NaN
    for metric in ("notifications", "children_placed", "cost_total", "open_cases", "caseworker_fte"):
        v = df.loc[df["metric"] == metric, "value"]
        assert v.notna().all() and (v >= 0).all(), metric
    assert (df.loc[df["metric"] == "notifications", "value"] > 0).all()


def test_summary_csv(run_en):
    out, _, _ = run_en
    s = pd.read_csv(out / "summary.csv")
    assert list(s.columns) == ["scenario", "year", "metric", "mean", "p05", "p50", "p95"]
    df = pq.read_table(out / "replications.parquet").to_pandas()
    assert len(s) == len(df.groupby(["scenario", "year", "metric"]))
    ok = s[["p05", "p50", "p95"]].notna().all(axis=1)
    assert ok.any()
    assert (s.loc[ok, "p05"] <= s.loc[ok, "p50"] + 1e-9 * s.loc[ok, "p50"].abs()).all()
    assert (s.loc[ok, "p50"] <= s.loc[ok, "p95"] + 1e-9 * s.loc[ok, "p95"].abs()).all()
    # the mean is the mean over replications of the long table
    means = df.groupby(["scenario", "year", "metric"])["value"].mean()
    for row in s.itertuples():
        expected = means[(row.scenario, row.year, row.metric)]
        if math.isnan(expected):
            assert math.isnan(row.mean)
        else:
            assert row.mean == pytest.approx(expected, rel=1e-5, abs=1e-9), (row.metric, row.year)


def test_report_html_and_figures(run_en):
    out, _, _ = run_en
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "small" in page
    assert "Notifications" in page
    # self-contained: figures embedded, nothing fetched from the net
    assert "data:image/png;base64," in page
    assert "src='http" not in page and 'src="http' not in page
    pngs = sorted((out / "figures").glob("*.png"))
    assert pngs
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", p


def _workbook_text(path: Path) -> tuple[list[str], set[str]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    cells = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells.update(str(v) for v in row if v is not None)
    names = list(wb.sheetnames)
    wb.close()
    return names, cells


def test_results_xlsx_english(run_en):
    out, _, _ = run_en
    sheets, cells = _workbook_text(out / "results.xlsx")
    assert sheets
    assert "Notifications" in cells
    assert "Underretninger" not in cells
    assert "cost_total" in cells  # the metric id stays, next to the label


def test_results_xlsx_and_report_danish(run_da):
    sheets, cells = _workbook_text(run_da / "results.xlsx")
    assert "Underretninger" in cells
    assert "Notifications" not in cells
    page = (run_da / "report.html").read_text(encoding="utf-8")
    assert "Underretninger" in page


# ---------------------------------------------------------------- validate, schema, help


def test_validate_prints_the_resolved_scenario(scenario_file, tmp_path):
    proc = cli("validate", scenario_file, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    printed = yaml.safe_load(proc.stdout)
    assert printed["name"] == "small"
    assert printed["population"]["aged_0_17"] == 2000
    # the resolved scenario: the baseline's values the overlay does not mention are printed too
    base = sim.load_scenario(BASELINE)
    assert printed["population"]["aged_0_22"] == 2700
    assert printed["calendar"]["start_year"] == base.calendar.start_year
    assert len(printed["staircase"]) == len(base.staircase)
    assert "extends" not in printed
    # and it is itself a valid stand-alone scenario equal to the overlay
    copy = tmp_path / "resolved.yaml"
    copy.write_text(proc.stdout, encoding="utf-8")
    assert sim.load_scenario(copy) == sim.load_scenario(scenario_file)


def test_validate_baseline_with_console_script():
    exe = Path(sys.executable).parent / "boernesim"
    if not exe.exists():
        pytest.skip("console script boernesim not installed next to the interpreter")
    proc = subprocess.run([str(exe), "validate", str(BASELINE)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert yaml.safe_load(proc.stdout)["name"] == "baseline"


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["schema"]])
def test_help(command):
    proc = cli(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout


def test_unknown_command_is_usage_error():
    proc = cli("no-such-command")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- bad input: exit 2, one message, no output


BAD_SCENARIOS = {
    "misspelt_key": ({"notifcations": {"per_1000_aged_0_17": 100}}, ["notifcations", "unknown"]),
    "negative_price": ({"caseworkers": {"cost_per_fte_dkk": -500000}}, ["caseworkers.cost_per_fte_dkk"]),
    "negative_rate": ({"notifications": {"per_1000_aged_0_17": -3}}, ["notifications.per_1000_aged_0_17"]),
    "share_1_5": ({"screening": {"share_acute": 1.5}}, ["screening.share_acute"]),
    "wrong_type": ({"calendar": {"horizon_years": "ten"}}, ["calendar.horizon_years"]),
    "undefined_step": (
        {"initial_state": {"stock_per_1000_aged_0_22": {"nonexistent_step": 1.0}}},
        ["initial_state.stock_per_1000_aged_0_22.nonexistent_step"],
    ),
    "phase_in_outside_horizon": (
        {"caseworkers": {"fte_changes": [{"date": "2050-01-01", "fte": 30}]}},
        ["caseworkers.fte_changes[0].date", "2050-01-01"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_run_bad_scenario_exit_2_and_no_output(tmp_path, case):
    parts, words = BAD_SCENARIOS[case]
    path = write_overlay(tmp_path / f"bad_{case}.yaml", **parts)
    out = tmp_path / "results" / "should-not-exist"
    proc = cli("run", path, "--replications", 2, "--years", YEARS, "--workers", 1, "--out", out)
    assert_bad_input(proc, path.name, *words)
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


@pytest.mark.parametrize("case", ["misspelt_key", "share_1_5", "undefined_step", "phase_in_outside_horizon"])
def test_validate_bad_scenario_exit_2(tmp_path, case):
    parts, words = BAD_SCENARIOS[case]
    path = write_overlay(tmp_path / f"bad_{case}.yaml", **parts)
    proc = cli("validate", path)
    assert_bad_input(proc, path.name, *words)
    assert proc.stdout.strip() == ""


def test_invalid_yaml_exit_2(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\ncalendar:\n  start_year: [2027\n", encoding="utf-8")
    assert_bad_input(cli("validate", path), "broken.yaml")
    out = tmp_path / "out"
    assert_bad_input(cli("run", path, "--out", out), "broken.yaml")
    assert not out.exists()


def test_nonexistent_scenario_file_exit_2(tmp_path):
    out = tmp_path / "out"
    proc = cli("run", tmp_path / "no_such_scenario.yaml", "--replications", 2, "--out", out)
    assert_bad_input(proc, "no_such_scenario.yaml")
    assert not out.exists()
    assert_bad_input(cli("validate", tmp_path / "no_such_scenario.yaml"), "no_such_scenario.yaml")


@pytest.mark.parametrize(
    "option, word",
    [(["--replications", "0"], "--replications"), (["--years", "0"], "--years"), (["--workers", "0"], "--workers")],
)
def test_bad_numeric_option_exit_2_and_no_output(tmp_path, scenario_file, option, word):
    out = tmp_path / "out"
    proc = cli("run", scenario_file, "--years", YEARS, "--replications", 2, *option, "--out", out)
    assert_bad_input(proc, word)
    assert not out.exists()


def test_years_that_push_a_phase_in_date_outside_the_horizon_exit_2(tmp_path):
    path = small_scenario(tmp_path, caseworkers={"fte_changes": [{"date": "2031-06-01", "fte": 5}]})
    assert cli("validate", path).returncode == 0  # inside the baseline's 10-year horizon
    out = tmp_path / "out"
    proc = cli("run", path, "--years", 2, "--replications", 2, "--workers", 1, "--out", out)
    assert_bad_input(proc, "caseworkers.fte_changes[0].date")
    assert not out.exists()


def test_bad_lang_is_usage_error(tmp_path, scenario_file):
    out = tmp_path / "out"
    proc = cli("run", scenario_file, "--lang", "fr", "--out", out)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path):
    path = write_overlay(tmp_path / "bad.yaml", screening={"share_acute": 1.5})
    proc = cli("--debug", "validate", path)
    assert proc.returncode == 1  # the error escapes the command with --debug; the process still exits cleanly
    assert "Traceback" in proc.stderr
    assert "screening.share_acute" in proc.stderr


def test_the_exit_code_of_a_system_exit_is_the_processexit_code(capsys):
    from sim.signals import exit_code

    assert [exit_code(None), exit_code(0), exit_code(2), exit_code(130)] == [0, 0, 2, 130]
    assert exit_code("boernesim: stopped") == 1
    assert "boernesim: stopped" in capsys.readouterr().err


def test_out_that_is_someone_elses_directory_is_refused_and_kept(tmp_path, scenario_file):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("precious", encoding="utf-8")
    proc = cli("run", scenario_file, "--replications", 1, "--years", 1, "--workers", 1, "--out", out)
    assert_bad_input(proc, "--out")
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no temporary directory left


def test_out_that_is_a_file_is_bad_input(tmp_path, scenario_file):
    """`--out` naming an existing file is bad usage (exit 2, one message), not an internal error."""
    out = tmp_path / "a_file"
    out.write_text("not a directory", encoding="utf-8")
    proc = cli("run", scenario_file, "--replications", 1, "--years", 1, "--workers", 1, "--out", out)
    assert_bad_input(proc, "--out")
    assert out.read_text(encoding="utf-8") == "not a directory"


def test_failure_while_writing_leaves_no_directory(tmp_path, scenario_file, monkeypatch):
    """A failure half-way through writing the outputs (here: the workbook) leaves neither the output
    directory nor a temporary one (in-process, with the writer made to fail)."""
    from sim.outputs import report, results
    from sim.runs.runner import run_replications, with_horizon

    sc = with_horizon(sim.load_scenario(scenario_file), 1)
    result = run_replications(sc, 1, seed=1, workers=1)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "write_workbook", boom)
    target = tmp_path / "parent" / "out"
    with pytest.raises(RuntimeError):
        results.write_run_outputs(target, [result], "en")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_python_api_rejects_zero_replications(scenario_file):
    with pytest.raises(InputError):
        sim.run(sim.load_scenario(scenario_file), replications=0, years=1, seed=1, workers=1)


# ---------------------------------------------------------------- sweep


@pytest.mark.slow
def test_sweep_end_to_end(tmp_path):
    """sweep.csv has the contract's columns and every value; the report marks the cheapest value, which is
    the value with the lowest mean total cost read back from sweep.csv."""
    path = small_scenario(tmp_path)
    out = tmp_path / "sweep"
    proc = cli("sweep", path, "--setting", "caseworkers.fte", "--values", "3:5:1", "--replications", 2,
               "--years", 2, "--workers", 1, "--out", out)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert list(table.columns) == ["value", "year", "metric", "mean", "p05", "p50", "p95"]
    assert sorted(table["value"].unique()) == [3.0, 4.0, 5.0]
    def mean_of(metric):
        return table[table["metric"] == metric].groupby("value")["mean"].mean()

    # the setting was applied: the posts (caseworkers at work less temporary staff, plus vacant posts)
    posts = mean_of("caseworker_fte") - mean_of("temporary_fte") + mean_of("vacant_fte")
    assert posts.to_dict() == pytest.approx({3.0: 3.0, 4.0: 4.0, 5.0: 5.0})
    totals = table[table["metric"] == "cost_total"].groupby("value")["mean"].sum()
    page = (out / "report.html").read_text(encoding="utf-8")
    lowest = f"Caseworkers (FTEs) = {totals.idxmin():g}"  # the setting by its label
    assert lowest in page and lowest in proc.stdout  # the report's lead and the terminal say it
    assert ("may lie" in proc.stdout) == (totals.idxmin() in (3.0, 5.0))  # at an edge of the range, it says so
    assert (out / "figures" / "sweep_cost.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "manifest.json").read_text())["setting"] == "caseworkers.fte"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--setting", "caseworkers.fte", "--values", "5:3:1"], ["--values", "START <= STOP"]),
        (["--setting", "caseworkers.fte", "--values", "a,b"], ["--values", "comma list"]),
        (["--setting", "caseworkers.nonsense", "--values", "3,4"], ["--setting", "caseworkers.nonsense"]),
    ],
)
def test_sweep_bad_input(tmp_path, args, words):
    proc = cli("sweep", small_scenario(tmp_path), *args, "--replications", 1, "--years", 1, "--out", tmp_path / "o")
    assert_bad_input(proc, *words)
    assert not (tmp_path / "o").exists()
