"""`boernesim calibrate`, `backtest` and `--parameter-sets` end to end, and their bad-input errors (exit 2).

A small municipality (2,000 children) and a handful of trials keep each command to seconds; the fitting
itself is tested for recovery of known parameters in test_calibration.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from commands import assert_bad_input, cli

from sim.model.scenario import load_scenario

pytestmark = pytest.mark.slow  # whole commands and many replications

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

HISTORY = """year,metric,value,note
# a made-up small municipality: about 120 notifications per 1,000 children a year
2020,notifications,230,made up
2021,notifications,245,made up
2022,notifications,262,made up
2023,notifications,270,made up
2020,children_placed,17,made up
2021,children_placed,18,made up
2022,children_placed,18,made up
2023,children_placed,19,made up
2020,population_0_17,2000,made up
2021,stock.spaceship,3,a step no scenario has
"""

SPEC = {
    "seed": 3,
    "burn_in_years": 1,
    "parameters": [{"path": "notifications.per_1000_aged_0_17", "low": 80, "high": 160}],
    "targets": [{"metric": "notifications"}, {"metric": "children_placed"}],
    "search": {"trials": 4, "startup_trials": 4, "replications": 1},
    "projection_replications": 2,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cal")
    scenario = d / "small.yaml"
    scenario.write_text(yaml.safe_dump({
        "extends": str(BASELINE), "name": "small", "calendar": {"burn_in_years": 1},
        "population": {"aged_0_17": 2000, "aged_0_22": 2700}, "caseworkers": {"fte": 4}}), encoding="utf-8")
    history = d / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    spec = d / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    return {"dir": d, "scenario": scenario, "history": history, "spec": spec}


@pytest.fixture(scope="module")
def calibrated(files) -> Path:
    out = files["dir"] / "calout"
    proc = cli("calibrate", files["scenario"], "--history", files["history"], "--spec", files["spec"],
               "--out", out, "--workers", 2)
    assert proc.returncode == 0, proc.stderr
    assert "stock.spaceship" in proc.stderr  # rows that cannot be fitted are reported, not dropped
    return out


def test_calibrate_writes_the_contract_files(calibrated, files):
    for name in ("posterior.parquet", "fit.csv", "calibrated.yaml", "report.html", "manifest.json"):
        assert (calibrated / name).is_file(), name
    posterior = pd.read_parquet(calibrated / "posterior.parquet")
    assert "notifications.per_1000_aged_0_17" in posterior.columns and "weight" in posterior.columns
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert posterior["notifications.per_1000_aged_0_17"].between(80, 160).all()
    fit = pd.read_csv(calibrated / "fit.csv")
    assert list(fit.columns)[:6] == ["metric", "year", "observed", "sim_mean", "sim_p05", "sim_p95"]
    assert set(fit["metric"]) == {"notifications", "children_placed"}
    assert set(fit["year"]) == {2020, 2021, 2022, 2023}
    assert (fit["sim_p05"] <= fit["sim_mean"]).all() and (fit["sim_mean"] <= fit["sim_p95"]).all()
    not_fitted = pd.read_csv(calibrated / "not_fitted.csv")
    assert "stock.spaceship" in set(not_fitted["metric"])
    manifest = json.loads((calibrated / "manifest.json").read_text())
    assert manifest["trials"] == 4 and manifest["years_fitted"] == [2020, 2023]
    assert not list(files["dir"].glob(".calout.trials.journal"))  # the journal goes once the output is complete


def test_calibrated_yaml_extends_the_input_with_the_best_fit(calibrated, files):
    text = (calibrated / "calibrated.yaml").read_text()
    scenario = load_scenario(calibrated / "calibrated.yaml")
    trials = pd.read_csv(calibrated / "trials.csv")
    best = trials.loc[trials["loglik"].idxmax(), "notifications.per_1000_aged_0_17"]
    assert scenario.notifications.per_1000_aged_0_17 == pytest.approx(best, rel=1e-5)
    assert scenario.population.aged_0_17 == 2000  # the rest comes from the input it extends
    assert "extends:" in text and scenario.name == "small-calibrated"


def test_run_with_parameter_sets_draws_per_replication(calibrated, files, tmp_path):
    plain, drawn = tmp_path / "plain", tmp_path / "drawn"
    assert cli("run", files["scenario"], "-n", 3, "--years", 1, "--out", plain).returncode == 0
    proc = cli("run", files["scenario"], "-n", 3, "--years", 1, "--out", drawn, "--parameter-sets",
               calibrated / "posterior.parquet")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((drawn / "manifest.json").read_text())
    assert manifest["parameter_sets"]["parameters"] == ["notifications.per_1000_aged_0_17"]
    a = pd.read_parquet(plain / "replications.parquet")
    b = pd.read_parquet(drawn / "replications.parquet")
    note = lambda t: t[t["metric"] == "notifications"]["value"].to_numpy()  # noqa: E731
    assert not (note(a) == note(b)).all()  # the calibrated rates, not the scenario's 119


def test_backtest_writes_scores_for_model_and_simple_forecasts(files):
    out = files["dir"] / "btout"
    proc = cli("backtest", files["scenario"], "--history", files["history"], "--spec", files["spec"],
               "--fit-until", 2021, "--horizon", 2, "--out", out, "--workers", 2)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "backtest.csv")
    assert list(table.columns) == ["origin", "horizon", "method", "metric", "year", "actual", "forecast", "p05",
                                   "p25", "p75", "p95", "ape", "ase", "covered_50", "covered"]
    assert set(table["origin"]) == {2021} and set(table["horizon"]) == {1, 2}
    assert set(table["method"]) == {"model", "last_value", "linear_trend", "stock_flow", "combination"}
    assert set(table["year"]) == {2022, 2023}
    last = table[(table["method"] == "last_value") & (table["metric"] == "notifications")]
    assert last["forecast"].tolist() == [245, 245]  # 2021's value carried forward
    assert last["ape"].tolist() == pytest.approx([17 / 262, 25 / 270], rel=1e-5)  # csv keeps 6 digits
    model = table[table["method"] == "model"]
    assert model["covered"].notna().all() and model["p05"].le(model["p95"]).all()
    assert (out / "report.html").is_file()


# ---------------------------------------------------------------- bad input: exit 2 with a clear message


@pytest.mark.parametrize("history, words", [
    ("year,metric,value\n2020,notifications,1.234,5\n", ["line 2"]),
    ("year,metric,value\n2020,notification,100\n", ["line 2", "column metric", "did you mean 'notifications'"]),
    ("year,metric,value\n2020,notifications,lots\n", ["line 2", "column value"]),
    ("year,metric\n2020,notifications\n", ["no column 'value'"]),
    ("year,metric,value\n2020,notifications,100\n2020,notifications,101\n", ["line 3", "twice", "line 2"]),
])
def test_bad_history_exit_2_naming_line_and_column(files, tmp_path, history, words):
    bad = tmp_path / "bad.csv"
    bad.write_text(history, encoding="utf-8")
    proc = cli("calibrate", files["scenario"], "--history", bad, "--spec", files["spec"], "--out", tmp_path / "o")
    assert_bad_input(proc, str(bad), *words)
    assert not (tmp_path / "o").exists()


def test_bad_spec_exit_2_naming_the_key(files, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({**SPEC, "parameters": [{"path": "notifications.per_1000", "low": 1,
                                                            "high": 2}]}), encoding="utf-8")
    proc = cli("calibrate", files["scenario"], "--history", files["history"], "--spec", spec, "--out", tmp_path / "o")
    assert_bad_input(proc, "parameters[0]", "per_1000")


def test_rolling_backtest_scores_every_origin_and_horizon(files):
    out = files["dir"] / "rolling"
    proc = cli("backtest", files["scenario"], "--history", files["history"], "--spec", files["spec"],
               "--origins", "2021,2022", "--horizon", 2, "--out", out, "--workers", 2)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "backtest.csv")
    model = table[table["method"] == "model"]
    assert sorted(set(zip(model["origin"], model["year"]))) == [(2021, 2022), (2021, 2023), (2022, 2023)]
    assert (model["p05"] <= model["p25"]).all() and (model["p75"] <= model["p95"]).all()
    rolling = pd.read_csv(out / "backtest_rolling.csv")
    pooled = rolling[(rolling["metric"] == "all") & (rolling["horizon"] == 0)].set_index("method")
    assert set(pooled.index) == {"model", "last_value", "linear_trend", "stock_flow", "combination"}
    assert pooled.loc["model", "n"] == 6
    assert json.loads((out / "manifest.json").read_text())["origins"] == [2021, 2022]
    assert not list(files["dir"].glob(".rolling.trials.journal*"))
    assert "2021" in (out / "report.html").read_text() and (out / "figures" / "backtest_notifications.png").is_file()


def test_backtest_needs_one_of_fit_until_and_origins(files, tmp_path):
    proc = cli("backtest", files["scenario"], "--history", files["history"], "--spec", files["spec"],
               "--horizon", 2, "--out", tmp_path / "o")
    assert_bad_input(proc, "--origins")


def test_backtest_without_later_history_exit_2(files, tmp_path):
    proc = cli("backtest", files["scenario"], "--history", files["history"], "--spec", files["spec"],
               "--fit-until", 2023, "--horizon", 2, "--out", tmp_path / "o")
    assert_bad_input(proc, "no values in 2024-2025")


def test_bad_parameter_sets_file_exit_2(files, tmp_path):
    bad = tmp_path / "sets.parquet"
    pd.DataFrame({"caseworkers.nonsense": [1.0], "weight": [1.0]}).to_parquet(bad)
    proc = cli("run", files["scenario"], "-n", 1, "--years", 1, "--out", tmp_path / "o", "--parameter-sets", bad)
    assert_bad_input(proc, "caseworkers.nonsense")
    proc = cli("run", files["scenario"], "-n", 1, "--years", 1, "--out", tmp_path / "o", "--parameter-sets",
               tmp_path / "missing.parquet")
    assert_bad_input(proc, "not found")


def test_compare_refuses_an_alternative_that_changes_a_calibrated_value(calibrated, files, tmp_path):
    alt = tmp_path / "alt.yaml"
    alt.write_text(yaml.safe_dump({"extends": str(files["scenario"]), "name": "alt",
                                   "notifications": {"per_1000_aged_0_17": 90}}), encoding="utf-8")
    proc = cli("compare", files["scenario"], alt, "-n", 1, "--years", 1, "--out", tmp_path / "o",
               "--parameter-sets", calibrated / "posterior.parquet")
    assert_bad_input(proc, "alt", "notifications.per_1000_aged_0_17", "lever")


# ---------------------------------------------------------------- fetch-history against a local replay server


def _replay_server(directory: Path):
    """A local HTTP server answering StatBank's two endpoints from the constructed fixtures."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the stdlib's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            kind = self.path.rsplit("/", 1)[-1]
            name = f"tableinfo_{body['table']}.json" if kind == "tableinfo" else f"data_{body['table']}.csv"
            payload = (directory / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_fetch_history_end_to_end_writes_a_history_calibrate_accepts(tmp_path, monkeypatch):
    server = _replay_server(ROOT / "tests" / "data" / "statbank")
    try:
        env = {**__import__("os").environ,
               "BOERNESIM_STATBANK_API": f"http://127.0.0.1:{server.server_address[1]}/v1"}
        out = tmp_path / "history.csv"
        proc = subprocess.run([sys.executable, "-m", "sim.cli", "fetch-history", "--municipality", "101", "--from",
                               "2019", "--to", "2023", "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                              env=env, timeout=120)
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    from sim.data.history import read_history

    history = read_history(out)
    assert {"notifications", "children_placed", "population_0_17", "cost_total"} <= set(history["metric"])
    assert history["year"].between(2019, 2023).all()


def test_fetch_history_without_network_exit_2_with_advice(tmp_path):
    env = {**__import__("os").environ, "BOERNESIM_STATBANK_API": "http://127.0.0.1:9/v1"}  # nothing listens there
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "fetch-history", "--municipality", "101", "--from",
                           "2019", "--to", "2023", "--out", str(tmp_path / "h.csv")], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert_bad_input(proc, "could not be reached", "year,metric,value,note")
    assert not (tmp_path / "h.csv").exists()


def test_calibrate_on_a_local_dask_cluster_gives_the_same_parameter_sets(calibrated, files):
    out = files["dir"] / "calout-dask"
    proc = cli("calibrate", files["scenario"], "--history", files["history"], "--spec", files["spec"],
               "--out", out, "--workers", 2, "--executor", "dask")
    assert proc.returncode == 0, proc.stderr
    assert (out / "posterior.parquet").read_bytes() == (calibrated / "posterior.parquet").read_bytes()
    assert (out / "trials.csv").read_text() == (calibrated / "trials.csv").read_text()
    assert (out / "fit.csv").read_text() == (calibrated / "fit.csv").read_text()


def test_an_interrupted_calibration_continues_where_it_stopped(files, tmp_path):
    """Ctrl-C keeps the finished trials in the journal; the same command with --out goes on from them."""
    import signal
    import time

    out = tmp_path / "interrupted"
    journal = tmp_path / ".interrupted.trials.journal"
    args = [sys.executable, "-m", "sim.cli", "calibrate", str(files["scenario"]), "--history", str(files["history"]),
            "--spec", str(files["spec"]), "--out", str(out), "--workers", "1", "--trials", "12"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text(encoding="utf-8").count('"values"') >= 2:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--out" in err and str(journal) in err
    assert not out.exists() and journal.exists()

    again = cli(*args[3:])
    assert again.returncode == 0, again.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["trials"] == 12 and manifest["trials_resumed"] >= 2
    assert not journal.exists()


def test_backtest_per_1000_compares_on_the_historys_scale(files):
    """A history ten times the scenario's size, compared per 1,000 children: the model's forecast comes back
    on the history's scale (about 10 x the simulated counts), even when the population is given only for a
    tested year."""
    from sim.analysis.backtest import run_backtest
    from sim.analysis.calibration import spec_from_mapping
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    history = read_history(files["history"])
    history = history[history["metric"].isin(["notifications", "children_placed"])].copy()
    history["value"] *= 10
    history = pd.concat([history, pd.DataFrame([(2022, "population_0_17", 20000.0, "tested year only")],
                                                columns=history.columns)], ignore_index=True)
    spec = spec_from_mapping({**SPEC, "scale": "per_1000_0_17"}, "per1000.yaml")
    bt = run_backtest(resolve_raw(files["scenario"]), spec, history, 2021, 2, workers=2)
    model = bt.scored[bt.scored["method"] == "model"]
    assert set(model["metric"]) == {"notifications", "children_placed"}
    ratio = model["forecast"] / model["actual"]
    assert ratio.between(0.5, 2.0).all(), model
