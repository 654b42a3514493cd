"""results.xlsx: the run's tables as sheets with a label column in the chosen language, the caveats, and a
sheet saying what each column means."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.model.scenario import Scenario
from sim.outputs.labels import COLUMN_HELP, LANGS, TEXT, metric_label, text
from sim.outputs.notes import caveats_sentence, kinship_warning
from sim.outputs.report.forecast import function_label
from sim.outputs.report.formats import year_or_none

SHEETS = ("summary", "comparison", "economics", "columns")


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
    """results.xlsx: sheets summary, comparison, economics, assumption_effects, forecast (when given) with a label
    column in the chosen language, and a sheet 'columns' saying what each column means. Sheet and column names
    are the same in both languages, so scripts can read either."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    by_name = {s.name: s for s in scenarios}
    sheets: dict[str, pd.DataFrame] = {"summary": _labelled(summary, lang, by_name, "metric")}
    if comparison is not None:
        sheets["comparison"] = _labelled(comparison, lang, by_name, "metric")
    if economics is not None:
        econ = economics.copy()
        econ.insert(
            2,
            "label",
            [f"{a} {text('compared_with', lang)} {b}" for a, b in zip(econ["scenario"], econ["baseline"])],
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
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
            _style_sheet(xl.sheets[name], frame)
    return Path(path)


def _notes_sheet(summary: pd.DataFrame, scenarios: list[Scenario], lang: str) -> pd.DataFrame:
    """One row per caveat and kinship warning of each scenario (also for a single run, which has no economics)."""
    rows = []
    for s in scenarios:
        rows += [{"scenario": s.name, "kind": "caveat", "text": c.text(lang)} for c in s.caveats]
        warning = kinship_warning(summary, s.name, lang)
        if warning:
            rows.append({"scenario": s.name, "kind": "warning", "text": warning})
    return pd.DataFrame(rows, columns=["scenario", "kind", "text"])


def _style_sheet(ws, frame: pd.DataFrame) -> None:
    """Header frozen, columns wide enough, money with thousands separators, shares as percent."""
    from openpyxl.styles import Font

    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for j, col in enumerate(frame.columns, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        sample = [str(v) for v in frame[col].head(200)]
        width = max([len(str(col))] + [len(v) for v in sample]) + 2
        ws.column_dimensions[letter].width = min(60, max(8, width))
        fmt = None
        if col.endswith("_dkk"):
            fmt = "#,##0"
        elif col in ("prob_net_saving", "discount_rate"):
            fmt = "0.0%"
        if fmt:
            for row in range(2, len(frame) + 2):
                ws.cell(row=row, column=j).number_format = fmt
