"""A user's export of SØM's knowledge base read into a ``long_term:`` section (sim.analysis.long_term.som), on
constructed files in the assumed format (docs/long-term.md): Danish CSV with decimal commas, an .xlsx workbook,
English column names, and refused input named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.long_term import long_term_from_som, read_som_consequences, read_som_prices, value_pair
from sim.errors import InputError
from sim.model.scenario import resolve_raw, scenario_from_mapping

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"

CONSEQUENCES = """Målgruppe;Succesmål;Konsekvens;Enhed;År 1;År 2;År 3
Anbragte 14-17 år;Ikke anbragt året efter;Døgn på psykiatrisk afdeling;Døgn;-1,5;-1,0;-0,5
Anbragte 14-17 år;Ikke anbragt året efter;Uger på offentlig forsørgelse;Uger;-2,0;;-1.000,0
Udsatte 6-13 år;Ingen foranstaltning;Døgn på psykiatrisk afdeling;Døgn;-0,2;0;0
"""
PRICES = """Konsekvens;Enhed;Kommune;Region;Stat;Prisår
Døgn på psykiatrisk afdeling;Døgn;;5.250,5;;2022
Uger på offentlig forsørgelse;Uger;1.200;;800;2022
"""


@pytest.fixture
def export(tmp_path) -> tuple[Path, Path]:
    c, p = tmp_path / "konsekvenser.csv", tmp_path / "priser.csv"
    c.write_text(CONSEQUENCES, encoding="utf-8")
    p.write_text(PRICES, encoding="utf-8")
    return c, p


def test_consequences_are_read_with_danish_numbers(export):
    frame = read_som_consequences(export[0])
    psych = frame[(frame["target_group"] == "Anbragte 14-17 år") & (frame["consequence"].str.startswith("Døgn"))]
    assert list(psych["year_after"]) == [1, 2, 3]
    assert list(psych["difference"]) == [-1.5, -1.0, -0.5]
    weeks = frame[frame["consequence"].str.startswith("Uger")]
    assert list(weeks["difference"]) == [-2.0, 0.0, -1000.0]  # a blank year is no estimate: 0


def test_prices_are_read_per_actor(export):
    prices = read_som_prices(export[1])
    psych = prices[prices["consequence"] == "Døgn på psykiatrisk afdeling"]
    assert list(zip(psych["actor"], psych["price_dkk"])) == [("region", 5250.5)]
    weeks = prices[prices["consequence"] == "Uger på offentlig forsørgelse"]
    assert dict(zip(weeks["actor"], weeks["price_dkk"])) == {"kommune": 1200.0, "stat": 800.0}
    assert set(prices["price_year"]) == {2022}


def test_one_target_group_becomes_a_valid_section_that_values_a_path(export):
    section = long_term_from_som(read_som_consequences(export[0]), read_som_prices(export[1]),
                                 "Anbragte 14-17 år", "Ikke anbragt året efter", metric="child_years",
                                 step_kind="placement")
    assert section["price_year"] == 2022
    psych = next(p for p in section["profiles"] if p["service"] == "Døgn på psykiatrisk afdeling")
    assert psych["units_per_year"] == [1.5, 1.0, 0.5]  # one more child-year in care is one success fewer
    assert psych["id"] == "som_doegn_paa_psykiatrisk_afdeling"
    raw = resolve_raw(BASELINE)
    raw["long_term"] = {"enabled": True, **section}
    scenario = scenario_from_mapping(raw, "som test")
    rows = []
    for r in range(2):
        rows += [("baseline", r, 2027, "child_years.institution", 5.0),
                 ("policy", r, 2027, "child_years.institution", 4.0)]
    value = value_pair(pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"]),
                       scenario, "policy")
    assert value.by_actor["region"][0] > 0 and value.by_actor["stat"][0] > 0 and value.by_actor["kommune"][0] > 0


def test_an_xlsx_workbook_with_english_columns(tmp_path):
    path = tmp_path / "som.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"target_group": ["g"], "success": ["s"], "consequence": ["bed day"], "unit": ["day"],
                      "year_1": [-2.0], "year_2": [-1.0]}).to_excel(w, sheet_name="Konsekvenser", index=False)
        pd.DataFrame({"consequence": ["bed day"], "unit": ["day"], "region": [100.0]}).to_excel(
            w, sheet_name="Priser", index=False)
    section = long_term_from_som(read_som_consequences(path), read_som_prices(path), "g", "s", "placement_breakdowns")
    assert section["profiles"][0]["units_per_year"] == [2.0, 1.0]
    assert section["prices"][0]["dkk"] == {"region": 100.0}


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Målgruppe;Konsekvens;År 1\ng;c;1\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs the column.*success"):
        read_som_consequences(path)


def test_a_cell_that_is_not_a_number_is_named(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Målgruppe;Succesmål;Konsekvens;År 1\ng;s;c;mange\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'År 1'.*'mange' is not a number"):
        read_som_consequences(path)


def test_a_negative_price_is_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Konsekvens;Region\nc;-5\n", encoding="utf-8")
    with pytest.raises(InputError, match="price to region is negative"):
        read_som_prices(path)


def test_an_unknown_target_group_lists_what_the_export_has(export):
    with pytest.raises(InputError, match="no consequences for target group 'Anbragte 0-5 år'.*Anbragte 14-17 år"):
        long_term_from_som(read_som_consequences(export[0]), read_som_prices(export[1]), "Anbragte 0-5 år",
                           "Ikke anbragt året efter", "child_years")


def test_a_consequence_without_a_price_is_refused(export, tmp_path):
    only_one = tmp_path / "p.csv"
    only_one.write_text(PRICES.splitlines()[0] + "\n" + PRICES.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="'Uger på offentlig forsørgelse' has no price"):
        long_term_from_som(read_som_consequences(export[0]), read_som_prices(only_one), "Anbragte 14-17 år",
                           "Ikke anbragt året efter", "child_years")


def test_the_script_writes_a_file_a_scenario_can_name(export, tmp_path):
    import subprocess
    import sys

    from sim.model.scenario import load_scenario

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "lt.yaml"
    proc = subprocess.run([sys.executable, str(root / "scripts" / "som_to_long_term.py"), *map(str, export),
                           "--target-group", "Anbragte 14-17 år", "--success", "Ikke anbragt året efter",
                           "--metric", "child_years", "--step-kind", "placement", "--out", str(out)],
                          capture_output=True, text=True, cwd=root)
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "s.yaml").write_text(f"extends: {BASELINE}\nlong_term: {{enabled: true, file: lt.yaml}}\n")
    lt = load_scenario(tmp_path / "s.yaml").long_term
    assert {p.service for p in lt.profiles} == {"Døgn på psykiatrisk afdeling", "Uger på offentlig forsørgelse"}
    assert lt.price_year == 2022
    bad = subprocess.run([sys.executable, str(root / "scripts" / "som_to_long_term.py"), *map(str, export),
                          "--target-group", "nobody", "--success", "x", "--metric", "child_years", "--out",
                          str(out)], capture_output=True, text=True, cwd=root)
    assert bad.returncode == 2 and "no consequences for target group 'nobody'" in bad.stderr
    assert "Traceback" not in bad.stderr
