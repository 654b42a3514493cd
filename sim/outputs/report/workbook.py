"""results.xlsx: the run's tables as a finance officer reads them, and the same tables for scripts.

The visible sheets are in the chosen language: sheet names, headers, scenarios by their label, metrics by
their label, values rounded to what is read (whole kroner, shares in percent with one decimal, counts with
one) and formatted with thousands separators, and a sheet explaining each column. Behind them, hidden, the
data sheets ``summary``, ``comparison``, ``economics``, ``assumption_effects``, ``forecast``, ``caveats`` and
``columns`` keep the ids and unrounded values under the same names in both languages, so that scripts read
either workbook (``pd.read_excel(path, sheet_name="summary")``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.model.catalogue import is_money, is_share
from sim.model.scenario import Scenario
from sim.outputs.labels import COLUMN_HELP, LANGS, TEXT, metric_label, scenario_label, text
from sim.outputs.notes import caveats_sentence, kinship_warning
from sim.outputs.report.forecast import function_label
from sim.outputs.report.formats import year_or_none
from sim.outputs.report.tables import source_text

SHEETS = ("summary", "comparison", "economics", "columns")

# the visible sheet shown for each data sheet, by language
READER_SHEETS = {
    "summary": ("Key figures", "Nøgletal"),
    "comparison": ("Differences", "Forskelle"),
    "economics": ("Net saving", "Økonomi"),
    "assumption_effects": ("Assumptions", "Forudsætninger"),
    "forecast": ("Year-end forecast", "Prognose"),
    "caveats": ("Caveats and warnings", "Forbehold"),
}  # Excel's sheet names ignore case: none may be a data sheet's name
EXPLAINED = ("Explanations", "Forklaring")

# the reader's header of each data column, by language
HEADERS = {
    "scenario": ("Scenario", "Scenarie"),
    "baseline": ("Compared with", "Sammenlignet med"),
    "year": ("Year", "År"),
    "label": ("Metric", "Nøgletal"),
    "mean": ("Mean", "Gennemsnit"),
    "p05": ("Low (5 % of runs below)", "Lav (5 % af kørslerne under)"),
    "p50": ("Median", "Median"),
    "p95": ("High (95 % of runs below)", "Høj (95 % af kørslerne under)"),
    "diff_mean": ("Mean difference", "Gennemsnitlig forskel"),
    "diff_p05": ("Difference, low (5 %)", "Forskel, lav (5 %)"),
    "diff_p50": ("Difference, median", "Forskel, median"),
    "diff_p95": ("Difference, high (95 %)", "Forskel, høj (95 %)"),
    "discount_rate": ("Discount rate", "Diskonteringsrente"),
    "npv_dkk": ("Net saving, present value (DKK)", "Nettobesparelse, nutidsværdi (kr.)"),
    "npv_p05_dkk": ("Net saving, low (5 %) (DKK)", "Nettobesparelse, lav (5 %) (kr.)"),
    "npv_p95_dkk": ("Net saving, high (95 %) (DKK)", "Nettobesparelse, høj (95 %) (kr.)"),
    "break_even_year": ("Break-even year", "Break-even-år"),
    "cost_per_placement_avoided_dkk": ("Cost per placement avoided (DKK)", "Udgift pr. undgået anbringelse (kr.)"),
    "prob_net_saving": ("Chance of a net saving", "Sandsynlighed for nettobesparelse"),
    "gross_investment_dkk": ("Investment (DKK)", "Investering (kr.)"),
    "placements_avoided": ("Placements avoided", "Undgåede anbringelser"),
    "net_saving_per_placement_avoided_dkk": ("Net saving per placement avoided (DKK)",
                                             "Nettobesparelse pr. undgået anbringelse (kr.)"),
    "per_placement_note": ("Note", "Bemærkning"),
    "price_year": ("Price year", "Prisår"),
    "family_like_child_years_gained": ("Child-years in family-like care gained",
                                       "Flere barneår i familielignende anbringelser"),
    "cost_per_family_like_child_year_dkk": ("Cost per child-year moved to family-like care (DKK)",
                                            "Udgift pr. barneår flyttet til familielignende anbringelse (kr.)"),
    "breakdowns_avoided": ("Breakdowns avoided", "Undgåede sammenbrud"),
    "cost_per_breakdown_avoided_dkk": ("Cost per breakdown avoided (DKK)", "Udgift pr. undgået sammenbrud (kr.)"),
    "need_closures_avoided": ("Children no longer closed with a real need", "Børn der ikke længere lukkes med behov"),
    "cost_per_need_closure_avoided_dkk": ("Cost per child no longer closed with a real need (DKK)",
                                          "Udgift pr. barn der ikke længere lukkes med behov (kr.)"),
    "prob_net_saving_low": ("Chance of a net saving, lower bound", "Sandsynlighed, nedre grænse"),
    "prob_net_saving_high": ("Chance of a net saving, upper bound", "Sandsynlighed, øvre grænse"),
    "replications": ("Runs", "Kørsler"),
    "replications_for_prob_within_5pp": ("Runs for ±5 percentage points", "Kørsler for ±5 procentpoint"),
    "assumptions_drawn": ("Assumptions drawn", "Forudsætninger trukket"),
    "npv_p05_noise_only_dkk": ("Noise only, low (5 %) (DKK)", "Kun tilfældig variation, lav (5 %) (kr.)"),
    "npv_p95_noise_only_dkk": ("Noise only, high (95 %) (DKK)", "Kun tilfældig variation, høj (95 %) (kr.)"),
    "caveats": ("Caveats", "Forbehold"),
    "warning": ("Warning", "Advarsel"),
    "path": ("Key path", "Nøglesti"),
    "assumption": ("Assumption", "Forudsætning"),
    "grade": ("Evidence", "Evidens"),
    "source": ("Source", "Kilde"),
    "low": ("Low end", "Laveste værdi"),
    "high": ("High end", "Højeste værdi"),
    "share_of_variance": ("Share of the NPV's spread", "Andel af spredningen i nutidsværdien"),
    "p_value": ("p-value", "p-værdi"),
    "npv_at_low_dkk": ("NPV at the low end (DKK)", "Nutidsværdi ved laveste værdi (kr.)"),
    "npv_at_high_dkk": ("NPV at the high end (DKK)", "Nutidsværdi ved højeste værdi (kr.)"),
    "budget_year": ("Year", "År"),
    "account_function": ("Account function", "Funktion"),
    "function_name": ("Account function, name", "Funktionens navn"),
    "spent_to_date_dkk": ("Spent to date (DKK)", "Forbrugt til dato (kr.)"),
    "expected_dkk": ("Expected (DKK)", "Forventet (kr.)"),
    "p05_dkk": ("Low (5 %) (DKK)", "Lav (5 %) (kr.)"),
    "p95_dkk": ("High (95 %) (DKK)", "Høj (95 %) (kr.)"),
    "budget_dkk": ("Budget (DKK)", "Budget (kr.)"),
    "overrun_prob": ("Chance of an overrun", "Sandsynlighed for overskridelse"),
    "kind": ("Kind", "Type"),
    "text": ("Text", "Tekst"),
}
READER_HELP = {
    "assumption": ("the assumption in words", "forudsætningen i ord"),
    "function_name": ("the account function in words", "funktionen i ord"),
}
PERCENT = {"discount_rate", "prob_net_saving", "prob_net_saving_low", "prob_net_saving_high", "share_of_variance",
           "overrun_prob"}
WHOLE = {"year", "budget_year", "break_even_year", "price_year", "replications", "replications_for_prob_within_5pp"}
# per-metric tables: the kind of these columns' values is the metric's (money, share or a count)
BY_METRIC = {"mean", "p05", "p50", "p95", "diff_mean", "diff_p05", "diff_p50", "diff_p95"}
EXCEL_FORMATS = {"money": "#,##0", "percent": "0.0%", "whole": "0", "number": "#,##0.0", "small": "0.00"}


def _labelled(frame: pd.DataFrame, lang: str, by_name: Mapping[str, Scenario], after: str) -> pd.DataFrame:
    sheet = frame.copy()
    labels = [metric_label(m, lang, by_name.get(n)) for n, m in zip(sheet["scenario"], sheet["metric"])]
    sheet.insert(list(sheet.columns).index(after) + 1, "label", labels)
    return sheet


def write_workbook(
    path: Path,
    summary: pd.DataFrame,
    lang: str,
    scenarios: list[Scenario],
    comparison: pd.DataFrame | None = None,
    economics: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    assumption_effects: pd.DataFrame | None = None,
) -> Path:
    """results.xlsx: for the reader, a sheet per table in the chosen language (rounded, formatted) and an
    explanation of each column; for scripts, the hidden data sheets summary, comparison, economics,
    assumption_effects, forecast (when given), caveats and columns, named alike in both languages."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    data = _data_sheets(summary, lang, scenarios, comparison, economics, forecast, assumption_effects)
    by_name = {s.name: s for s in scenarios}
    readers = {name: _reader(name, frame, lang, by_name) for name, frame in data.items() if name in READER_SHEETS}
    explained = _explanations(readers, lang)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, (frame, kinds) in readers.items():
            title = READER_SHEETS[name][LANGS.index(lang)]
            frame.to_excel(xl, sheet_name=title, index=False)
            _style_sheet(xl.sheets[title], frame, kinds)
        title = EXPLAINED[LANGS.index(lang)]
        explained.to_excel(xl, sheet_name=title, index=False)
        _style_sheet(xl.sheets[title], explained, None)
        for name, frame in data.items():
            frame.to_excel(xl, sheet_name=name, index=False)
            _style_sheet(xl.sheets[name], frame, None)
            xl.sheets[name].sheet_state = "hidden"
    return Path(path)


def _data_sheets(summary, lang, scenarios, comparison, economics, forecast, assumption_effects) -> dict:
    """The tables with their ids and unrounded values (a label column in the language beside the ids)."""
    by_name = {s.name: s for s in scenarios}
    sheets: dict[str, pd.DataFrame] = {"summary": _labelled(summary, lang, by_name, "metric")}
    if comparison is not None:
        sheets["comparison"] = _labelled(comparison, lang, by_name, "metric")
    if economics is not None:
        econ = economics.copy()
        econ.insert(
            2,
            "label",
            [f"{scenario_label(a, lang, by_name)} {text('compared_with', lang)} {scenario_label(b, lang, by_name)}"
             for a, b in zip(econ["scenario"], econ["baseline"])],
        )
        for col in ("break_even_year", "price_year"):
            if col in econ:
                econ[col] = [year_or_none(v) for v in econ[col]]
        if "per_placement_note" in econ:
            econ["per_placement_note"] = [text(n, lang) if n in TEXT else n for n in econ["per_placement_note"]]
        econ["caveats"] = [caveats_sentence(by_name.get(a), lang) for a in econ["scenario"]]
        econ["warning"] = [kinship_warning(summary, a, lang) for a in econ["scenario"]]
        sheets["economics"] = econ
    if assumption_effects is not None and not assumption_effects.empty:
        effects = assumption_effects.copy()
        effects["grade"] = [text(f"grade_{g}", lang) for g in effects["grade"]]
        sheets["assumption_effects"] = effects
    if forecast is not None:
        fc = forecast.copy()
        fc.insert(2, "label", [function_label(f, lang) for f in fc["account_function"]])
        sheets["forecast"] = fc
    notes = _notes_sheet(summary, scenarios, lang)
    if not notes.empty:
        sheets["caveats"] = notes
    help_rows = []
    for name, frame in sheets.items():
        for col in frame.columns:
            meaning = COLUMN_HELP.get(col)
            help_rows.append({"sheet": name, "column": col, "meaning": meaning[LANGS.index(lang)] if meaning else ""})
    sheets["columns"] = pd.DataFrame(help_rows)
    return sheets


def _reader(name: str, frame: pd.DataFrame, lang: str, by_name: Mapping[str, Scenario]):
    """A data sheet as the reader sees it: scenarios and metrics by label, ids dropped, values rounded, headers
    in the language; and each cell's kind of number (money, percent, whole, number, small or text)."""
    shown = frame.copy()
    for col in ("scenario", "baseline"):
        if col in shown:
            shown[col] = [scenario_label(v, lang, by_name) for v in shown[col]]
    if name == "economics":
        shown = shown.drop(columns=["label"])
    if name == "forecast":
        shown = shown.rename(columns={"label": "function_name"})
    if name == "assumption_effects":
        own = f"label_{lang}"
        if own in shown:
            shown.insert(list(shown.columns).index("path") + 1, "assumption",
                         [v if isinstance(v, str) and v else p for v, p in zip(shown[own], shown["path"])])
        shown = shown.drop(columns=[c for c in ("label_en", "label_da") if c in shown])
        if "source" in shown:
            scenarios = [[by_name.get(n) for n in pair] for pair in zip(frame["scenario"], frame["baseline"])]
            shown["source"] = [source_text(r, lang, pair) for (_, r), pair in zip(frame.iterrows(), scenarios)]
    if name == "caveats":
        shown["kind"] = [text("caveats_lead", lang) if k == "caveat" else HEADERS["warning"][LANGS.index(lang)]
                         for k in shown["kind"]]
    if "assumptions_drawn" in shown:
        yes, no = ("ja", "nej") if lang == "da" else ("yes", "no")
        shown["assumptions_drawn"] = [yes if bool(v) else no if v is not None and not pd.isna(v) else ""
                                      for v in shown["assumptions_drawn"]]
    metrics = list(frame["metric"]) if "metric" in frame else None
    shown = shown.drop(columns=[c for c in ("metric",) if c in shown])
    kinds = pd.DataFrame({col: [_kind(col, shown[col], metrics[i] if metrics else None, i)
                                for i in range(len(shown))] for col in shown.columns})
    for col in shown.columns:
        shown[col] = [_rounded(v, k) for v, k in zip(shown[col], kinds[col])]
    shown.columns = [HEADERS.get(c, (c, c))[LANGS.index(lang)] for c in shown.columns]
    kinds.columns = shown.columns
    return shown, kinds


def _kind(col: str, values: pd.Series, metric: str | None, i: int) -> str:
    value = values.iloc[i]
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return "text"
    if col in BY_METRIC and metric is not None:
        return "money" if is_money(metric) else "percent" if is_share(metric) else _count_kind(value)
    if col.endswith("_dkk"):
        return "money"
    if col in PERCENT:
        return "percent"
    if col in WHOLE:
        return "whole"
    if isinstance(value, (int, float)) and not pd.isna(value):
        return _count_kind(value)
    return "text"


def _count_kind(value) -> str:
    try:
        return "small" if abs(float(value)) < 10 else "number"
    except (TypeError, ValueError):
        return "text"


def _rounded(value, kind: str):
    """The value as the reader reads it: whole kroner, shares to a tenth of a percent, counts to one decimal
    (two below 10), years whole; missing stays empty."""
    if kind == "text":
        return value
    if value is None or pd.isna(value):
        return None
    x = float(value)
    if kind in ("money", "whole"):
        return int(round(x))
    if kind == "percent":
        return round(x, 3)
    return round(x, 2 if kind == "small" else 1)


def _explanations(readers: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]], lang: str) -> pd.DataFrame:
    """What each column of the reader's sheets means, in the language."""
    k = LANGS.index(lang)
    by_header = {v[k]: key for key, v in HEADERS.items()}
    rows = []
    for name, (frame, _) in readers.items():
        for header in frame.columns:
            key = by_header.get(header, header)
            meaning = COLUMN_HELP.get(key) or READER_HELP.get(key)
            if key == "label":
                meaning = ("the metric in words", "nøgletallet i ord")
            rows.append({text("sheet", lang): READER_SHEETS[name][k], text("column", lang): header,
                         text("meaning", lang): meaning[k] if meaning else ""})
    return pd.DataFrame(rows)


def _notes_sheet(summary: pd.DataFrame, scenarios: list[Scenario], lang: str) -> pd.DataFrame:
    """One row per caveat and kinship warning of each scenario (also for a single run, which has no economics)."""
    rows = []
    for s in scenarios:
        rows += [{"scenario": s.name, "kind": "caveat", "text": c.text(lang)} for c in s.caveats]
        warning = kinship_warning(summary, s.name, lang)
        if warning:
            rows.append({"scenario": s.name, "kind": "warning", "text": warning})
    return pd.DataFrame(rows, columns=["scenario", "kind", "text"])


def _style_sheet(ws, frame: pd.DataFrame, kinds: pd.DataFrame | None) -> None:
    """Header frozen, columns wide enough; in a reader's sheet, each number formatted by its kind (thousands
    separators, percent), which Excel shows in the reader's own locale (1.234 in Danish)."""
    from openpyxl.styles import Font

    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for j, col in enumerate(frame.columns, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        sample = [str(v) for v in frame[col].head(200)]
        width = max([len(str(col))] + [len(v) for v in sample]) + 2
        ws.column_dimensions[letter].width = min(60, max(8, width))
        if kinds is None:
            continue
        for i, kind in enumerate(kinds.iloc[:, j - 1], start=2):
            fmt = EXCEL_FORMATS.get(kind)
            if fmt:
                ws.cell(row=i, column=j).number_format = fmt
