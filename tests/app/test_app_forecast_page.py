"""The forecast page as a finance officer reads it (sim/app/forecast.py and the page in pages.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from app_pages import MAIN
from streamlit.testing.v1 import AppTest

from sim.analysis.forecast import FORECAST_COLUMNS
from sim.app import building, jobs
from sim.app import forecast as forecasts
from sim.app.texts import t
from sim.data.register import read_case_register_bytes
from sim.errors import InputError


def scenario():
    return building.check(building.start_scaled(20000).raw).scenario


def test_the_format_lists_every_register_column_and_the_example_file_uses_them():
    from sim.data.register import COLUMNS

    named = [name for name, _, _ in forecasts.REGISTER_COLUMNS]
    assert tuple(named) == COLUMNS
    header = next(line for line in forecasts.EXAMPLE_REGISTER.read_text(encoding="utf-8").splitlines()
                  if not line.startswith("#"))
    assert set(header.split(",")) <= set(named)
    table = forecasts.columns_table(scenario(), "da")
    assert list(table.columns) == ["Kolonne", "Påkrævet", "Betydning"] and len(table) == len(named)
    steps = forecasts.steps_table(scenario(), "da")
    assert set(steps["step"]) == {s.id for s in scenario().staircase}


def test_the_table_names_functions_by_their_steps_and_shows_danish_money_beside_the_budget():
    sc = scenario()
    functions = list(dict.fromkeys(s.account_function for s in sc.staircase))
    rows = [{"budget_year": 2026, "account_function": fn, "spent_to_date_dkk": np.nan, "expected_dkk": 12_345_678.0,
             "p05_dkk": 1.0e7, "p95_dkk": 1.5e7, "budget_dkk": np.nan, "overrun_prob": np.nan}
            for fn in [*functions, "caseworkers", "total"]]
    rows[-1].update(budget_dkk=155_568_000.0, overrun_prob=0.25)
    shown = forecasts.forecast_display(pd.DataFrame(rows, columns=FORECAST_COLUMNS), sc, "da")
    assert list(shown.columns[:6]) == ["Budgetår", "Kontofunktion", "Forbrugt til dato", "Forventet forbrug",
                                       "Budget", "Sandsynlighed for overskridelse"]
    foster = next(s for s in sc.staircase if s.id == "foster_family")
    assert any(name.startswith(f"{foster.account_function} (") and foster.label_da in name
               for name in shown["Kontofunktion"])
    last = shown.iloc[-1]
    assert last["Kontofunktion"] == "I alt" and last["Budget"] == "155,6 mio. kr." and last[
        "Sandsynlighed for overskridelse"] == "25 %"
    assert shown.iloc[0]["Forventet forbrug"] == "12,3 mio. kr." and shown.iloc[0]["Budget"] == "–"
    assert "None" not in shown.to_string() and "nan" not in shown.to_string()


def test_a_cpr_refusal_tells_the_app_user_to_tick_the_box_in_danish():
    sc = scenario()
    data = b"case_id,birth_year,step,step_start,monthly_price_dkk\n0101101234,2010,foster_family,2025-01-01,30000\n"
    with pytest.raises(InputError) as refused:
        read_case_register_bytes(data, "sager.csv", dt.date(2026, 9, 30), [s.id for s in sc.staircase])
    box = t("pseudonymise", "da")
    said = forecasts.register_message(str(refused.value), "da", box)
    assert said.startswith("Række 1 (linje 2)") and f"»{box}«" in said and "--pseudonymise" not in said
    assert "0101101234" not in said
    other = forecasts.register_message("sager.csv: row 2: bad", "da", box)
    assert other.startswith("Sagsregisteret kan ikke bruges: ")


def test_the_registers_year_gets_the_budget_entered_on_the_page():
    sc = scenario()
    assert 2026 not in sc.budget_dkk  # the default register date is before the projected years
    assert forecasts.with_budget(sc, 2026, 150e6).budget_dkk[2026] == 150e6
    assert forecasts.with_budget(sc, 2026, 0.0) is sc


def test_the_forecast_page_explains_the_format_and_asks_for_the_registers_budget():
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    at.sidebar.radio(key="page_da").set_value("forecast").run()
    assert not at.exception, at.exception
    assert any(e.label.startswith("Sådan skal sagsregisteret se ud") for e in at.expander)
    as_of = at.date_input(key="as_of").value
    assert at.number_input(key=f"forecast_budget_{as_of.year}").label == f"Budget {as_of.year} (kr.; 0 = intet)"
    at.button(key="run_forecast").click().run()
    assert any(e.value == "Vælg først sagsregisteret (en CSV-fil)." for e in at.error), [e.value for e in at.error]


@pytest.mark.slow
def test_a_forecast_at_the_default_register_date_has_an_overrun_probability_with_the_entered_budget():
    sc = forecasts.with_budget(building.check(building.start_scaled(2500).raw).scenario, 2026, 1.0)
    as_of = dt.date(sc.calendar.start_year - 1, 9, 30)
    cases = read_case_register_bytes(forecasts.EXAMPLE_REGISTER.read_bytes(), "register.csv", as_of,
                                     [s.id for s in sc.staircase])
    result = jobs.answer(jobs.Question((sc,), 2, 1, seed=3, workers=1, cases=tuple(cases), as_of=as_of))
    shown = forecasts.forecast_display(result.forecast, sc, "da")
    total = shown[shown["Kontofunktion"] == "I alt"].iloc[0]
    assert total["Budgetår"] == str(as_of.year) and total["Sandsynlighed for overskridelse"] == "100 %"
