"""The forecast page's content, without Streamlit: the case register's columns explained, the year-end table as a
finance officer reads it (named account functions, Danish numbers, the budget beside the expected spending),
the register year's budget put into the scenario, and the register's refusals said to an app user."""

from __future__ import annotations

import re

import pandas as pd

from sim.app.building import PROJECT
from sim.model.scenario import Scenario
from sim.outputs.labels import format_number, format_percent, text

EXAMPLE_REGISTER = PROJECT / "calibration" / "example_case_register.csv"

# the register's columns (sim.data.register): name, required, meaning; (English, Danish) each
REGISTER_COLUMNS: tuple[tuple[str, tuple[str, str], tuple[str, str]], ...] = (
    ("case_id", ("yes", "ja"),
     ("the case number from the case system (never a CPR number)",
      "sagsnummeret fra sagssystemet (aldrig et CPR-nummer)")),
    ("birth_year", ("this or age", "denne eller age"),
     ("the child's birth year, e.g. 2012", "barnets fødselsår, fx 2012")),
    ("age", ("this or birth_year", "denne eller birth_year"),
     ("age in years on the register's date (decimals allowed)", "alder i år på registerets dato (decimaler tilladt)")),
    ("step", ("yes", "ja"), ("the step's id (the list below)", "trinnets id (listen nedenfor)")),
    ("step_start", ("yes", "ja"), ("the date the child started on that step (YYYY-MM-DD)",
                                   "datoen barnet startede på trinnet (ÅÅÅÅ-MM-DD)")),
    ("monthly_price_dkk", ("yes", "ja"),
     ("the case's actual price per month in DKK: a point as decimal separator and no thousands separator (39000.50)",
      "sagens faktiske pris pr. måned i kr.: punktum som decimaltegn og intet tusindtalsskilletegn (39000.50)")),
    ("last_review", ("no", "nej"), ("the date of the last review (may be empty)",
                                    "datoen for seneste opfølgning (kan være tom)")),
    ("investigation_start", ("no", "nej"), ("the start of an open investigation (may be empty)",
                                            "starten på en åben undersøgelse (kan være tom)")),
)
HEADERS = {  # forecast.csv column -> (English, Danish)
    "budget_year": ("Budget year", "Budgetår"),
    "account_function": ("Account function", "Kontofunktion"),
    "spent_to_date_dkk": ("Spent so far", "Forbrugt til dato"),
    "expected_dkk": ("Expected spending", "Forventet forbrug"),
    "p05_dkk": ("Low (5 % of runs below)", "Lav (5 % af kørslerne under)"),
    "p95_dkk": ("High (95 % of runs below)", "Høj (95 % af kørslerne under)"),
    "budget_dkk": ("Budget", "Budget"),
    "overrun_prob": ("Probability of overrunning", "Sandsynlighed for overskridelse"),
}
MONEY_COLUMNS = ("spent_to_date_dkk", "expected_dkk", "p05_dkk", "p95_dkk", "budget_dkk")


def _i(lang: str) -> int:
    return 0 if lang == "en" else 1


def columns_table(scenario: Scenario, lang: str) -> pd.DataFrame:
    """The register's columns, whether each is required and what it holds, in the page's language."""
    heads = ("Column", "Required", "Meaning") if lang == "en" else ("Kolonne", "Påkrævet", "Betydning")
    return pd.DataFrame([(name, need[_i(lang)], meaning[_i(lang)]) for name, need, meaning in REGISTER_COLUMNS],
                        columns=heads)


def steps_table(scenario: Scenario, lang: str) -> pd.DataFrame:
    """The step ids the column ``step`` takes, with their names and account functions."""
    heads = ("step", "Step", "Account function") if lang == "en" else ("step", "Trin", "Kontofunktion")
    rows = [(s.id, s.label_en if lang == "en" else s.label_da, s.account_function) for s in scenario.staircase]
    return pd.DataFrame(rows, columns=heads)


def function_name(fn: str, scenario: Scenario, lang: str) -> str:
    """An account function with the steps booked on it ('5.28.20 (Plejefamilie, Netværks- og slægtspleje)'); the
    caseworkers', the policy's and the total by their names."""
    named = {"caseworkers": "caseworkers_fn", "policy": "policy_fn", "total": "total_fn"}
    if fn in named:
        word = text(named[fn], lang)
        return word[:1].upper() + word[1:]
    steps = [s.label_en if lang == "en" else s.label_da for s in scenario.staircase if s.account_function == fn]
    return f"{fn} ({', '.join(steps)})" if steps else fn


def forecast_display(forecast: pd.DataFrame, scenario: Scenario, lang: str) -> pd.DataFrame:
    """forecast.csv as a finance officer reads it: named functions, amounts in kroner in the page's number format,
    the budget beside the expected spending, '–' where a value does not apply."""
    rows = []
    for _, r in forecast.iterrows():
        row = {"budget_year": str(int(r["budget_year"])), "account_function": function_name(r["account_function"],
                                                                                               scenario, lang)}
        for col in MONEY_COLUMNS:
            row[col] = "–" if pd.isna(r[col]) else format_number(r[col], lang, money=True)
        row["overrun_prob"] = "–" if pd.isna(r["overrun_prob"]) else format_percent(r["overrun_prob"], lang)
        rows.append(row)
    order = ["budget_year", "account_function", "spent_to_date_dkk", "expected_dkk", "budget_dkk", "overrun_prob",
             "p05_dkk", "p95_dkk"]
    frame = pd.DataFrame(rows, columns=order)
    return frame.rename(columns={c: HEADERS[c][_i(lang)] for c in order})


def with_budget(scenario: Scenario, year: int, amount: float | None) -> Scenario:
    """The scenario with the budget for ``year`` as entered on the page (None or 0: the scenario's own)."""
    if not amount:
        return scenario
    return scenario.model_copy(update={"budget_dkk": {**scenario.budget_dkk, year: float(amount)}})


_CPR_ROW = re.compile(r"row (\d+) \(line (\d+)\), column case_id: the file seems to contain CPR numbers")


def register_message(error: str, lang: str, tick_box: str) -> str:
    """What the page says when the register is refused: a CPR refusal tells the user to tick the box (named by
    ``tick_box``), not to run a command; any other refusal keeps the reader's words (the row and column)."""
    cpr = _CPR_ROW.search(error)
    if cpr is not None:
        row, line = cpr.groups()
        if lang == "en":
            return (f"Row {row} (line {line}) of the file has a case_id that looks like a CPR number, so the file is "
                    f"not used. Tick »{tick_box}« below: the ids are then replaced by a salted hash in memory, only "
                    "to find duplicate rows, and dropped; nothing personal is stored or written. Or replace case_id "
                    "by the case number from the case system.")
        return (f"Række {row} (linje {line}) i filen har et case_id, der ligner et CPR-nummer, så filen bruges ikke. "
                f"Sæt kryds i »{tick_box}« nedenfor: id'erne erstattes da af en saltet hash i hukommelsen, kun for at "
                "finde dobbelte rækker, og kasseres; intet personligt gemmes eller skrives. Eller erstat case_id med "
                "sagsnummeret fra sagssystemet.")
    lead = "The case register cannot be used: " if lang == "en" else "Sagsregisteret kan ikke bruges: "
    return lead + error
