"""Sensitivity analysis (sim.analysis.sensitivity, `boernesim sensitivity`).

1. Analytic functions with known indices go through the same sampling and analysis code as the model
   (``sensitivity_analysis`` with an ``evaluate(rows)`` function): Ishigami with Sobol, a linear model with
   Morris.
2. On the model (a small municipality: population and caseworkers x 0.25, 1 burn-in year, 2 projected
   years, 2 replications), a parameter the output does not use has mu_star exactly 0: every sample row
   runs the same replications with the same seed (common random numbers).
3. Bad specs: errors name the file and the key; the CLI exits 2 with one message.
4. The CLI end to end writes docs/contract.md's sensitivity.csv, the figures and the report.

About 30 s in all, most of it in the CLI runs.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from commands import assert_bad_input, cli
from conftest import scaled

from sim.analysis.sensitivity import (
    COLUMNS,
    ModelEvaluator,
    Output,
    SpecError,
    load_spec,
    output_values,
    prepare,
    rows_needed,
    run_sensitivity,
    sensitivity_analysis,
    sensitivity_table,
    spec_from_mapping,
)
from sim.errors import InputError
from sim.model.keypaths import get_path, set_path
from sim.model.scenario import resolve_raw, scenario_from_mapping

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHIPPED_SPEC = ROOT / "scenarios" / "sensitivity.yaml"


# ---------------------------------------------------------------- 1. analytic functions, known indices


def ishigami(rows: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x1, x2, x3 = rows[:, 0], rows[:, 1], rows[:, 2]
    return (np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1))[:, None]


# Ishigami, a = 7, b = 0.1, inputs uniform on [-pi, pi] (Saltelli et al. 2008, analytic values)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
TOLERANCE = 0.06  # absolute; with N = 1024 the estimates are within 0.025 for seeds 1-3


def _pivot(indices: pd.DataFrame) -> pd.DataFrame:
    return indices.pivot(index="parameter", columns="index", values="value")


def test_ishigami_sobol_indices_match_the_known_values():
    res = sensitivity_analysis(["x1", "x2", "x3"], [(-math.pi, math.pi)] * 3, ["y"], ishigami, "sobol", 1024, seed=1)
    assert len(res.X) == rows_needed("sobol", 3, 1024) == 1024 * 5
    got = _pivot(res.indices)
    for p in ("x1", "x2", "x3"):
        assert got.loc[p, "S1"] == pytest.approx(ISHIGAMI_S1[p], abs=TOLERANCE), p
        assert got.loc[p, "ST"] == pytest.approx(ISHIGAMI_ST[p], abs=TOLERANCE), p
    conf = res.indices.set_index(["parameter", "index"])["conf"]
    assert (conf > 0).all() and (conf < 0.15).all()  # 95 % bootstrap half-widths are reported


def test_linear_model_morris_mu_star_is_the_coefficient_times_the_range():
    def linear(rows):
        return (4 * rows[:, 0] + 2 * rows[:, 1] + 0 * rows[:, 2])[:, None]

    res = sensitivity_analysis(["x1", "x2", "x3"], [(0, 1)] * 3, ["y"], linear, "morris", 10, seed=2)
    assert len(res.X) == rows_needed("morris", 3, 10) == 40
    got = _pivot(res.indices)
    assert got["mu_star"].to_dict() == pytest.approx({"x1": 4.0, "x2": 2.0, "x3": 0.0}, abs=1e-9)
    assert got.loc["x3", "mu_star"] == 0.0
    assert list(got["mu_star"].sort_values(ascending=False).index) == ["x1", "x2", "x3"]
    assert got["sigma"].to_numpy() == pytest.approx([0, 0, 0], abs=1e-9)  # linear: no interactions


def test_several_outputs_are_analysed_separately():
    def two(rows):
        return np.column_stack([3 * rows[:, 0], rows[:, 1] - rows[:, 0]])

    res = sensitivity_analysis(["a", "b"], [(0, 2), (0, 1)], ["first", "second"], two, "morris", 4, seed=3)
    mu = res.indices[res.indices["index"] == "mu_star"].set_index(["output", "parameter"])["value"]
    assert mu.to_dict() == pytest.approx({("first", "a"): 6.0, ("first", "b"): 0.0,
                                          ("second", "a"): 2.0, ("second", "b"): 1.0})


# ---------------------------------------------------------------- key paths


def test_set_path_addresses_list_items_by_id_and_level(baseline_raw):
    raw = copy.deepcopy(baseline_raw)
    set_path(raw, "staircase.foster_family.price_per_year_dkk", 500000)
    set_path(raw, "needs.levels.4.improvement_rate_per_year", 0.2)
    set_path(raw, "caseworkers.fte", 22.5)
    assert get_path(raw, "staircase.foster_family.price_per_year_dkk") == 500000
    assert [s["price_per_year_dkk"] for s in raw["staircase"] if s["id"] == "foster_family"] == [500000]
    assert [lv["improvement_rate_per_year"] for lv in raw["needs"]["levels"] if lv["level"] == 4] == [0.2]
    assert raw["caseworkers"]["fte"] == 22.5
    scenario_from_mapping(raw, "<test>")


@pytest.mark.parametrize(
    "path, words",
    [
        ("caseworkers.ftee", ["no key 'ftee'", "did you mean 'fte'"]),
        ("staircase.boarding_school.price_per_year_dkk", ["no item 'boarding_school'", "foster_family"]),
        ("needs.levels.9.improvement_rate_per_year", ["no item '9'"]),
        ("staircase.foster_family.label_en", ["not a number"]),
        ("caseworkers", ["not a number"]),
        ("caseworkers.fte.more", ["too deep"]),
        ("staircase.institution.capacity", ["not set in the scenario"]),
    ],
)
def test_set_path_rejects_unknown_paths_with_a_reason(baseline_raw, path, words):
    with pytest.raises(KeyError) as e:
        set_path(baseline_raw, path, 1.0)
    for w in words:
        assert w in e.value.args[0], (w, e.value.args[0])


# ---------------------------------------------------------------- 2. on the model


@pytest.fixture(scope="module")
def small_model_raw() -> dict:
    return scaled(resolve_raw(BASELINE), 0.25)


SMALL_SPEC = {
    "years": 2,
    "burn_in_years": 1,
    "replications": 2,
    "morris": {"trajectories": 3},
    "parameters": [
        {"path": "caseworkers.fte", "low": 3.5, "high": 6.5},
        {"path": "staircase.own_room.price_per_year_dkk", "low": 200000, "high": 400000},  # cost only
        {"path": "economics.discount_rate", "low": 0.0, "high": 0.07},  # not used by the simulation
    ],
    "outputs": [{"metric": "children_placed"}, {"metric": "cost_total"}, {"npv_against": "baseline"}],
}


@pytest.fixture(scope="module")
def small_run(small_model_raw):
    return run_sensitivity(small_model_raw, spec_from_mapping(SMALL_SPEC), seed=5, workers=2)


@pytest.mark.slow
def test_a_parameter_the_output_does_not_use_has_mu_star_exactly_zero(small_run):
    ind = small_run.analysis.indices
    mu = ind[ind["index"] == "mu_star"].set_index(["output", "parameter"])["value"]
    # the discount rate is not used by the simulation; an own-room price changes no decision
    assert mu[("children_placed_last", "economics.discount_rate")] == 0.0
    assert mu[("cost_total_last", "economics.discount_rate")] == 0.0
    assert mu[("children_placed_last", "staircase.own_room.price_per_year_dkk")] == 0.0
    # ... while caseworkers change both, and the discount rate changes the NPV
    assert mu[("children_placed_last", "caseworkers.fte")] > 0
    assert mu[("cost_total_last", "caseworkers.fte")] > 0
    assert mu[("npv_against_baseline", "economics.discount_rate")] > 0


def test_noise_is_reported_per_output_and_per_parameter(small_run):
    table = sensitivity_table(small_run)
    assert list(table.columns) == COLUMNS
    noise = table[table["index"] == "noise_se"]
    per_output = noise[noise["parameter"] == "(noise)"].set_index("output")["value"]
    assert set(per_output.index) == {"children_placed_last", "cost_total_last", "npv_against_baseline"}
    assert (per_output > 0).all()  # 2 replications of a small municipality do differ
    effect = noise[noise["parameter"] != "(noise)"].set_index(["output", "parameter"])["value"]
    assert effect[("children_placed_last", "staircase.own_room.price_per_year_dkk")] == 0.0
    assert effect[("cost_total_last", "caseworkers.fte")] > 0


@pytest.mark.slow
def test_rows_are_reproducible_whatever_the_workers(small_run, small_model_raw):
    spec = spec_from_mapping(SMALL_SPEC)
    raw, _ = prepare(small_model_raw, spec)
    nominal_point = [get_path(raw, p.path) for p in spec.parameters]
    rows = np.vstack([small_run.analysis.X[:2], nominal_point])
    nominal_table = _nominal_table(raw, spec)
    ev = ModelEvaluator(raw, spec.parameters, spec.outputs, replications=2, seed=5, workers=1, nominal=nominal_table)
    y = ev(rows)
    assert np.array_equal(y[:2], small_run.analysis.Y[:2])
    assert y[2, 2] == 0.0  # the NPV of the nominal point against itself, paired per replication
    assert y[2, 0] == small_run.nominal_values["children_placed_last"]


def _nominal_table(raw, spec):
    from sim.runs.runner import run_replications

    return run_replications(scenario_from_mapping(raw), 2, seed=5, workers=1).table


def test_output_values_by_year():
    sc = scenario_from_mapping(prepare(scaled(resolve_raw(BASELINE), 0.25), spec_from_mapping(SMALL_SPEC))[0])
    rows = []
    for r in range(2):
        for year in (2027, 2028):
            rows.append(("x", r, year, "cost_total", 100.0 * r + year - 2027))
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    assert list(output_values(table, Output(metric="cost_total", year="last"), sc, None)) == [1.0, 101.0]
    assert list(output_values(table, Output(metric="cost_total", year="first"), sc, None)) == [0.0, 100.0]
    assert list(output_values(table, Output(metric="cost_total", year=2028), sc, None)) == [1.0, 101.0]
    assert list(output_values(table, Output(metric="cost_total", year="sum"), sc, None)) == [1.0, 201.0]
    cheaper = table.assign(value=table["value"] - 10.0)  # saves 10 a year in every replication
    npv = output_values(cheaper, Output(npv_against="baseline"), sc, table)
    assert npv == pytest.approx([10 + 10 / (1 + sc.economics.discount_rate)] * 2)


# ---------------------------------------------------------------- the shipped spec


def test_shipped_spec_covers_the_issue_parameters_and_fits_the_baseline():
    spec = load_spec(SHIPPED_SPEC)
    paths = {p.path for p in spec.parameters}
    assert paths >= {
        "caseworkers.fte",
        "investigation.hours",
        "reviews.interval_months",
        "notifications.trend_per_year",
        "reviews.step_down_share",
        "staircase.kinship_care.uptake_share",
        "staircase.foster_family.price_per_year_dkk",
        "staircase.institution.price_per_year_dkk",
        "caseworkers.family_time.max_effect",
    }
    assert {o.id for o in spec.outputs} >= {"cost_total_last", "children_placed_last"}
    assert spec.method == "morris" and spec.years is not None and spec.years <= 10
    raw, _ = prepare(resolve_raw(BASELINE), spec, str(SHIPPED_SPEC))
    for p in spec.parameters:  # the baseline's own value lies inside every range
        assert p.low <= get_path(raw, p.path) <= p.high, p.path


# ---------------------------------------------------------------- 3. bad specs


def _spec_with(**changes) -> dict:
    spec = copy.deepcopy(SMALL_SPEC)
    spec.update(changes)
    return spec


@pytest.mark.parametrize(
    "spec, words",
    [
        (_spec_with(parameters=[{"path": "caseworkers.ftee", "low": 1, "high": 2}]),
         ["parameters[0] (caseworkers.ftee).path", "did you mean 'fte'"]),
        (_spec_with(parameters=[{"path": "caseworkers.fte", "low": 5, "high": 5}]),
         ["parameters[0] (caseworkers.fte).high", "must be above low"]),
        (_spec_with(parameters=[{"path": "reviews.step_down_share", "low": 0.5, "high": 1.5}]),
         ["parameters[0] (reviews.step_down_share).high", "less than or equal to 1"]),
        (_spec_with(parameters=[{"path": "calendar.horizon_years", "low": 1, "high": 3}]),
         ["parameters[0] (calendar.horizon_years).path", "cannot be sampled"]),
        (_spec_with(method="fast"), ["method", "'morris' or 'sobol'"]),
        (_spec_with(outputs=[{"metric": "cost_totl"}]), ["outputs[0].metric", "did you mean 'cost_total'"]),
        (_spec_with(outputs=[{"metric": "cost_total", "year": 1999}]), ["outputs[0].year", "outside"]),
        (_spec_with(outputs=[{"metric": "cost_total", "year": "lats"}]), ["outputs[0].year", "last, first, sum"]),
        (_spec_with(outputs=[{"metric": "cost_total", "npv_against": "baseline"}]), ["outputs[0]", "either"]),
        (_spec_with(paramters=[]), ["paramters", "unknown key"]),
    ],
)
def test_bad_spec_errors_name_the_key(small_model_raw, spec, words):
    with pytest.raises(SpecError) as e:
        prepare(small_model_raw, spec_from_mapping(spec, "bad.yaml"), "bad.yaml")
    message = str(e.value)
    assert message.startswith("invalid sensitivity spec") and "bad.yaml: " in message
    for w in words:
        assert w in message, (w, message)


def test_bad_design_is_input_error(small_model_raw):
    spec = spec_from_mapping(SMALL_SPEC)
    with pytest.raises(InputError, match="power of 2"):
        run_sensitivity(small_model_raw, spec, method="sobol", n=10)
    with pytest.raises(InputError, match="at least 2"):
        run_sensitivity(small_model_raw, spec, method="morris", n=1)


# ---------------------------------------------------------------- 4. the CLI end to end


@pytest.fixture
def cli_inputs(tmp_path) -> tuple[Path, Path]:
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump({
        "extends": str(BASELINE), "name": "small",
        "population": {"aged_0_17": 2900, "aged_0_22": 3900}, "caseworkers": {"fte": 5},
    }), encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({k: v for k, v in SMALL_SPEC.items() if k != "morris"}), encoding="utf-8")
    return scenario, spec


@pytest.mark.slow
@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_cli_writes_the_contract_outputs(cli_inputs, tmp_path, method):
    scenario, spec = cli_inputs
    out = tmp_path / f"out-{method}"
    proc = cli("sensitivity", scenario, "--spec", spec, "--method", method, "--n", 2, "--replications", 1,
               "--workers", 2, "--out", out)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["output", "parameter", "index", "value", "conf"]
    expected = {"mu_star", "sigma"} if method == "morris" else {"S1", "ST"}
    assert set(table["index"]) == expected | {"noise_se"}
    outputs = {"children_placed_last", "cost_total_last", "npv_against_baseline"}
    assert set(table["output"]) == outputs
    main = table[table["index"] != "noise_se"]
    assert len(main) == len(outputs) * 3 * 2 and main["value"].notna().all()
    for o in outputs:
        png = out / "figures" / f"tornado_{o}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Sensitivity analysis" in page and page.count("data:image/png;base64,") == len(outputs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["method"] == method and manifest["replications"] == 1 and manifest["n"] == 2
    assert manifest["sample_rows"] == rows_needed(method, 3, 2)
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.slow
def test_cli_bad_spec_exits_2_naming_the_key(cli_inputs, tmp_path):
    scenario, spec = cli_inputs
    data = yaml.safe_load(spec.read_text())
    data["parameters"][0]["path"] = "caseworkers.ftee"
    spec.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    assert_bad_input(cli("sensitivity", scenario, "--spec", spec, "--out", out), "spec.yaml", "caseworkers.ftee")
    assert not out.exists()
    bad_method = cli("sensitivity", scenario, "--spec", spec, "--method", "fast")
    assert bad_method.returncode == 2 and "Traceback" not in bad_method.stderr
