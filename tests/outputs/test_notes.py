"""What travels with a scenario's number: caveats in the scenario format, the kinship share of family care and
its warning, and the children a policy closes with a real need, in the report's first paragraph (Danish and
English), the app's answer and the workbook. Synthetic results (no simulation) except the metric's own tests."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

import sim
from sim.analysis.summary import summarise
from sim.errors import ScenarioError
from sim.model.scenario import scenario_from_mapping
from sim.outputs.notes import KINSHIP_METRIC, KINSHIP_SHARE_OBSERVED_MAX, kinship_share_outside
from sim.outputs.report import lead_sentences, write_report, write_workbook
from sim.runs.runner import COLUMNS, RunResult, run_replications, with_horizon

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
NOT_POLICIES = {"baseline", "denmark", "sensitivity"}
POLICIES = sorted(p.stem for p in SCENARIOS.glob("*.yaml") if p.stem not in NOT_POLICIES)
YEARS = 2


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the format


def test_every_shipped_policy_has_caveats_in_both_languages():
    for name in POLICIES:
        s = sim.load_scenario(SCENARIOS / f"{name}.yaml")
        assert s.caveats, f"{name} has no caveats"
        for c in s.caveats:
            assert c.en.strip() and c.da.strip() and c.en != c.da, name


def test_the_baseline_carries_no_caveats_so_policies_do_not_inherit_general_ones():
    assert sim.load_scenario(SCENARIOS / "baseline.yaml").caveats == ()


def test_a_caveat_without_its_danish_text_is_an_error_naming_the_key(tmp_path):
    text = f"extends: {SCENARIOS / 'baseline.yaml'}\nname: s\ncaveats:\n  - en: only English\n"
    path = _write(tmp_path, "s.yaml", text)
    with pytest.raises(ScenarioError) as e:
        sim.load_scenario(path)
    assert "caveats[0].da" in str(e.value) and "missing" in str(e.value)


@pytest.mark.parametrize("caveats", ["[{en: '', da: x}]", "[{en: '  ', da: x}]", "[plain text]",
                                     "[{en: x, da: y, de: z}]", "[" + ", ".join(["{en: x, da: y}"] * 9) + "]"])
def test_empty_unknown_or_too_many_caveats_are_refused(tmp_path, caveats):
    path = _write(tmp_path, "s.yaml", f"extends: {SCENARIOS / 'baseline.yaml'}\nname: s\ncaveats: {caveats}\n")
    with pytest.raises(ScenarioError) as e:
        sim.load_scenario(path)
    assert "caveats" in str(e.value)


def test_caveats_are_inherited_through_extends_and_replaced_whole(tmp_path):
    swedish = sim.load_scenario(SCENARIOS / "swedish-model.yaml")
    child = _write(tmp_path, "child.yaml", f"extends: {SCENARIOS / 'swedish-model.yaml'}\nname: child\n")
    assert sim.load_scenario(child).caveats == swedish.caveats
    own = _write(tmp_path, "own.yaml",
                 f"extends: {SCENARIOS / 'swedish-model.yaml'}\nname: own\ncaveats:\n  - {{en: mine, da: min}}\n")
    assert [c.en for c in sim.load_scenario(own).caveats] == ["mine"]
    cleared = _write(tmp_path, "cleared.yaml", f"extends: {SCENARIOS / 'swedish-model.yaml'}\nname: c\ncaveats: []\n")
    assert sim.load_scenario(cleared).caveats == ()


def test_family_care_on_a_preventive_step_is_refused():
    raw = sim.model.scenario.resolve_raw(SCENARIOS / "baseline.yaml")
    for step in raw["staircase"]:
        if step["kind"] == "preventive":
            step["family_care"] = "kinship"
            break
    with pytest.raises(ScenarioError) as e:
        scenario_from_mapping(raw)
    assert "family_care" in str(e.value)


def test_the_schema_lists_caveats_and_family_care():
    schema = sim.model.scenario.json_schema()
    assert "caveats" in schema["properties"]
    assert "family_care" in str(schema)


# ---------------------------------------------------------------- the metric (a short simulation)


def _kinship_share(raw: dict, reps: int = 2) -> float:
    scenario = with_horizon(scenario_from_mapping(raw), YEARS)
    table = run_replications(scenario, reps, seed=7, workers=1).table
    return float(table[table["metric"] == KINSHIP_METRIC]["value"].mean())


def test_kinship_share_is_kinship_over_family_care_and_found_by_the_steps_attribute_not_their_ids():
    raw = sim.model.scenario.resolve_raw(SCENARIOS / "baseline.yaml")
    scenario = with_horizon(scenario_from_mapping(raw), YEARS)
    table = run_replications(scenario, 1, seed=7, workers=1).table
    wide = table.pivot_table(index="year", columns="metric", values="value")
    kinship = [s.id for s in scenario.staircase if s.family_care == "kinship"]
    foster = [s.id for s in scenario.staircase if s.family_care == "foster"]
    k = sum(wide[f"stock.{i}"] for i in kinship)
    f = sum(wide[f"stock.{i}"] for i in foster)
    assert np.allclose(wide[KINSHIP_METRIC], k / (k + f))
    # rename every step: the same children, the same share (no step id in the logic)
    renamed = sim.model.scenario.resolve_raw(SCENARIOS / "baseline.yaml")
    mapping = {st["id"]: f"step_{i}" for i, st in enumerate(renamed["staircase"])}
    for st in renamed["staircase"]:
        st["id"] = mapping[st["id"]]
    renamed["initial_state"]["stock_per_1000_aged_0_22"] = {
        mapping[k2]: v for k2, v in renamed["initial_state"]["stock_per_1000_aged_0_22"].items()
    }
    renamed["diversion"]["to_step"] = mapping.get(renamed["diversion"].get("to_step"))
    renamed["time_limited_stays"]["steps"] = [mapping[s] for s in renamed["time_limited_stays"].get("steps", [])]
    other = run_replications(with_horizon(scenario_from_mapping(renamed), YEARS), 1, seed=7, workers=1).table
    assert np.allclose(other[other["metric"] == KINSHIP_METRIC]["value"].to_numpy(),
                       wide[KINSHIP_METRIC].to_numpy())


def test_more_kinship_uptake_raises_the_kinship_share():
    low = sim.model.scenario.resolve_raw(SCENARIOS / "baseline.yaml")
    high = sim.model.scenario.resolve_raw(SCENARIOS / "baseline.yaml")
    for raw, share in ((low, 0.05), (high, 0.6)):
        for st in raw["staircase"]:
            if st.get("family_care") == "kinship":
                st["uptake_share"] = share
    assert _kinship_share(high) > _kinship_share(low)


def test_without_family_care_steps_the_share_is_missing_not_zero():
    raw = sim.model.scenario.resolve_raw(SCENARIOS / "baseline.yaml")
    for st in raw["staircase"]:
        st.pop("family_care", None)
    assert np.isnan(_kinship_share(raw, reps=1))


# ---------------------------------------------------------------- the observed range


def test_the_observed_maximum_is_the_facts_highest_sizable_municipality():
    facts = pd.read_csv(ROOT / "calibration" / "facts.csv")
    highest = facts[facts["key"] == "kinship_share_of_family_care_highest_sizable"]["value"]
    national = facts[facts["key"] == "kinship_share_of_family_care"]["value"]
    assert len(highest) == 1 and KINSHIP_SHARE_OBSERVED_MAX == pytest.approx(float(highest.iloc[0]))
    assert (national < KINSHIP_SHARE_OBSERVED_MAX).all()


def test_outside_means_above_the_highest_sizable_municipality():
    assert kinship_share_outside(0.51) and kinship_share_outside(0.37)
    assert not kinship_share_outside(0.36) and not kinship_share_outside(0.11)
    assert not kinship_share_outside(float("nan"))


# ---------------------------------------------------------------- the first paragraph, app and workbook


def _table(name: str, reps: int, years: range, values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for r in range(reps):
        for k, year in enumerate(years):
            for metric, v in values.items():
                rows.append((name, r, year, metric, float(v) * (1 + 0.01 * r + 0.002 * k)))
    return pd.DataFrame(rows, columns=COLUMNS)


def _results(alt_names: list[str], kinship: dict[str, float], closed: dict[str, float]):
    """Synthetic runs of the baseline and shipped policies: cost, placed, caseload, kinship share and inquiries
    closed with a real need set per scenario; economics as the compare command writes it."""
    base = with_horizon(sim.load_scenario(SCENARIOS / "baseline.yaml"), YEARS)
    years = range(base.calendar.start_year, base.end_year + 1)
    results, reps = [], 4
    for name in ["baseline", *alt_names]:
        s = base if name == "baseline" else with_horizon(sim.load_scenario(SCENARIOS / f"{name}.yaml"), YEARS)
        values = {"cost_total": 1.2e8, "children_placed": 130, "caseload": 30, "cost_caseworkers": 1e7,
                  KINSHIP_METRIC: kinship.get(name, 0.18), "inquiries_closed_with_need": closed.get(name, 100.0)}
        results.append(RunResult(scenario=s, table=_table(s.name, reps, years, values), seed=1, replications=reps,
                                 wall_seconds=0.0, events=0))
    table = pd.concat([r.table for r in results], ignore_index=True)
    summary = summarise(table)
    wide = table.pivot_table(index=["replication", "year", "metric"], columns="scenario", values="value")
    parts = []
    for alt in [r.scenario.name for r in results[1:]]:
        d = (wide[alt] - wide["baseline"]).rename("d").reset_index()
        g = d.groupby(["year", "metric"])["d"].agg(diff_mean="mean", diff_p05="min", diff_p50="median",
                                                   diff_p95="max").reset_index()
        g.insert(0, "baseline", "baseline")
        g.insert(0, "scenario", alt)
        parts.append(g)
    comparison = pd.concat(parts, ignore_index=True)
    economics = pd.DataFrame([{"scenario": r.scenario.name, "baseline": "baseline", "discount_rate": 0.035,
                               "npv_dkk": 1e7, "npv_p05_dkk": 5e6, "npv_p95_dkk": 2e7, "break_even_year": 2028,
                               "cost_per_placement_avoided_dkk": 1e5, "prob_net_saving": 0.9}
                              for r in results[1:]])
    return results, summary, comparison, economics


def _lead_of(page: str) -> str:
    """Every answer in full (one paragraph per policy, each folded under its label)."""
    found = re.findall(r'<p class="lead">(.*?)</p>', page, flags=re.S)
    assert found, "no answer in words"
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(found)))


def _plain(s: str) -> str:
    return " ".join(s.split())


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_reports_answers_in_full_carry_every_policys_caveats(tmp_path, lang):
    results, summary, comparison, economics = _results(POLICIES, {}, {})
    path = write_report(tmp_path, results, summary, lang, comparison=comparison, economics=economics)
    lead = _plain(_lead_of(path.read_text(encoding="utf-8")))
    for r in results[1:]:
        for c in r.scenario.caveats:
            assert _plain(c.text(lang)) in lead, (r.scenario.name, c.text(lang))
        other = "da" if lang == "en" else "en"
        assert all(_plain(c.text(other)) not in lead for c in r.scenario.caveats)
    word = "Caveats" if lang == "en" else "Forbehold"
    assert lead.count(word + ":") == len(POLICIES)
    prices = "(2025 prices)" if lang == "en" else "(2025-priser)"
    assert lead.count(prices) == len(POLICIES)  # the price year beside every policy's number


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_kinship_share_outside_danish_experience_is_warned_beside_its_number(lang):
    results, summary, comparison, economics = _results(["more-caseworkers", "caseworker-cuts"],
                                                       {"more-caseworkers": 0.52, "caseworker-cuts": 0.30}, {})
    sentences = lead_sentences(results, summary, lang, comparison, economics)
    warning = "Warning:" if lang == "en" else "Advarsel:"
    outside, inside = sentences  # one per alternative, in the order run
    label = {r.scenario.name: r.scenario.label_in(lang) for r in results}
    assert label["more-caseworkers"] in outside and label["caseworker-cuts"] in inside
    assert warning in outside and re.search(r"\b5[23] %", outside)
    assert warning not in inside
    assert outside.index(warning) > outside.index("2028")  # after the number (break-even year), beside it


def test_the_app_answer_and_the_workbook_carry_the_warning_and_caveats(tmp_path):
    from sim.app import answer as app_answer
    from sim.app.jobs import Answer

    results, summary, comparison, economics = _results(["swedish-model", "intake-team"], {"swedish-model": 0.5}, {})
    ans = Answer(results=results, summary=summary, comparison=comparison, economics=economics, forecast=None)
    lead = " ".join(app_answer.lead(ans, "da"))
    assert "Advarsel:" in lead and "Forbehold:" in lead
    path = write_workbook(tmp_path / "r.xlsx", summary, "en", [r.scenario for r in results], comparison, economics)
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(wb["economics"].iter_rows(values_only=True))
        head = list(rows[0])
        by_name = {row[0]: row for row in rows[1:]}
        assert "Warning:" in by_name["swedish-model"][head.index("warning")]
        assert not by_name["intake-team"][head.index("warning")]
        assert by_name["intake-team"][head.index("caveats")].startswith("Caveats:")
        notes = list(wb["caveats"].iter_rows(min_row=2, values_only=True))
    finally:
        wb.close()
    swedish = next(r.scenario for r in results if r.scenario.name == "swedish-model")
    assert sum(1 for n in notes if n[0] == "swedish-model" and n[1] == "caveat") == len(swedish.caveats)
    assert any(n[0] == "swedish-model" and n[1] == "warning" for n in notes)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_policy_that_closes_more_children_with_need_says_how_many_beside_the_money(lang):
    results, summary, comparison, economics = _results(["intake-team", "more-caseworkers"], {},
                                                       {"intake-team": 157.0, "more-caseworkers": 100.4})
    sentences = lead_sentences(results, summary, lang, comparison, economics)
    phrase = "more inquiries a year while the child has a real need" if lang == "en" else \
        "flere henvendelser om året, mens barnet har et reelt behov"
    closing, other = sentences
    label = {r.scenario.name: r.scenario.label_in(lang) for r in results}
    assert label["intake-team"] in closing and label["more-caseworkers"] in other
    n = int(re.search(r"(?:about|omkring) (\d+) ", closing).group(1))
    assert 55 <= n <= 60  # 157 against 100 a year, with the synthetic runs' small drift
    assert phrase in closing and phrase not in other
    assert closing.index("2028") < closing.index(phrase) < closing.index("Caveats:" if lang == "en" else "Forbehold:")


def test_a_single_runs_answer_carries_its_caveats():
    policy = with_horizon(sim.load_scenario(SCENARIOS / "caseworker-cuts.yaml"), YEARS)
    years = range(policy.calendar.start_year, policy.end_year + 1)
    run = RunResult(scenario=policy, table=_table(policy.name, 3, years, {"cost_total": 1e8, "children_placed": 120,
                                                                            KINSHIP_METRIC: 0.2}),
                    seed=1, replications=3, wall_seconds=0.0, events=0)
    sentences = lead_sentences([run], summarise(run.table), "en")
    assert all(_plain(c.en) in _plain(sentences[0]) for c in policy.caveats)


def test_the_shipped_yaml_caveats_are_plain_mappings_of_en_and_da():
    for name in POLICIES:
        raw = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
        assert all(set(c) == {"en", "da"} for c in raw["caveats"]), name


# ---------------------------------------------------------------- today's counterfactuals


def _fact(key: str, year: int) -> float:
    facts = pd.read_csv(ROOT / "calibration" / "facts.csv")
    hit = facts[(facts["key"] == key) & (facts["year"] == year)]["value"]
    assert len(hit) == 1, f"facts.csv lacks {key} {year}"
    return float(hit.iloc[0])


def test_the_central_notification_path_is_the_longer_history_and_the_surge_its_stress_case():
    central = sim.load_scenario(SCENARIOS / "rising-notifications.yaml").notifications.trend_per_year
    surge = sim.load_scenario(SCENARIOS / "notification-surge.yaml").notifications.trend_per_year
    assert central == pytest.approx((_fact("notifications", 2022) / _fact("notifications", 2017)) ** (1 / 5) - 1,
                                    abs=0.0005)
    assert surge == pytest.approx((_fact("notifications", 2019) / _fact("notifications", 2015)) ** (1 / 4) - 1,
                                  abs=0.0005)
    assert central < surge
    need = {n: sim.load_scenario(SCENARIOS / f"{n}.yaml").demand.need_trend_per_year
            for n in ("rising-notifications", "notification-surge")}
    assert need["rising-notifications"] == need["notification-surge"]  # they differ in reporting only


def test_the_app_shows_a_shipped_policys_caveats_in_the_chosen_language_before_it_is_run():
    from sim.app import building

    path = building.shipped_policies()["swedish-model"]
    scenario = sim.load_scenario(path)
    assert building.policy_caveats(path, "da") == [c.da for c in scenario.caveats]
    assert building.policy_caveats(path, "en") == [c.en for c in scenario.caveats]
