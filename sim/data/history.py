"""History files: what a municipality (or the country) actually saw, year by year, to fit and test the model.

Format (docs/contract.md): CSV with a header ``year,metric,value`` and an optional ``note`` column; one row per
year and metric; metric names as the model reports them (docs/contract.md's metric table) plus
``population_0_17`` and ``population_0_22``. Lines starting with ``#`` are comments, blank lines are skipped.
Numbers use a point as the decimal separator and no thousands separators.

Every problem found is reported at once, each naming the line and the column, so a file exported from a
spreadsheet can be fixed in one pass. A metric the model cannot produce for a given scenario (a step the
scenario does not have) is not an error here: :func:`split_by_model` reports those rows so that calibration
can list them instead of silently dropping them.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.model.catalogue import is_share, metric_problem
from sim.model.catalogue import metric as catalogue_metric
from sim.model.privacy import redact_cpr

COLUMNS = ("year", "metric", "value", "note")
REQUIRED = ("year", "metric", "value")

MAX_PROBLEMS = 20  # a wholly wrong file should not print thousands of lines


class HistoryError(InputError):
    """A history file that cannot be used; the message names the file and each bad line and column."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        tail = [f"... and {more} more problems"] if more > 0 else []
        super().__init__(f"invalid history file {file}\n" + "\n".join(f"{file}: {p}" for p in shown + tail))


def _number(text: str) -> float | None:
    """A plain number (point decimal, no thousands separators), or None."""
    text = text.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        return None
    return float(text)


# units of things counted one by one: a value of such a metric is a whole number
_WHOLE_UNITS = ("notifications", "children", "investigations", "residents", "cases")
# 127.754 for 127,754: one to three digits, then groups of three after points (a Danish thousands separator)
_DANISH_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+")
MIN_POPULATION = 1.0  # rates per 1,000 residents are formed from these; fewer than one resident is a typo


def _danish_problem(metric: str, text: str) -> str | None:
    """Why a count or an amount written like '127.754' cannot be read as a decimal number, or None."""
    entry = catalogue_metric(metric)
    if entry is None or entry.kind not in ("count", "stock", "money"):
        return None
    if _DANISH_THOUSANDS.fullmatch(text.strip()):
        plain = text.strip().replace(".", "")
        return (f"'{text.strip()}' reads as a Danish thousands separator; {metric} is a "
                f"{'amount' if entry.kind == 'money' else 'count'}: write {plain} (no separators)")
    return None


def _value_problem(metric: str, value: float) -> str | None:
    if not math.isfinite(value):
        return "must be a finite number"
    if value < 0:
        return f"{value:g} is negative; {metric} cannot be"
    entry = catalogue_metric(metric)
    if entry is not None and entry.unit in _WHOLE_UNITS and value != int(value):
        return f"{value:g} is not a whole number; {metric} counts {entry.unit}"
    if metric.startswith("population_") and value < MIN_POPULATION:
        return f"{value:g} residents: a population must be at least {MIN_POPULATION:g}"
    if is_share(metric) and value > 1:
        return f"{value:g} is above 1; {metric} is a share between 0 and 1 (not a percentage)"
    return None


def _header(fields: list[str], name: str, line: int) -> dict[str, int]:
    names = [f.strip().lower() for f in fields]
    problems = []
    for column in REQUIRED:
        if column not in names:
            close = difflib.get_close_matches(column, names, n=1)
            hint = f" (is '{close[0]}' meant?)" if close else ""
            problems.append(f"line {line}: the header has no column '{column}'{hint}; "
                            "expected year,metric,value[,note]")
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        problems.append(f"line {line}: unknown column(s) {', '.join(unknown)}; expected year,metric,value[,note]")
    if problems:
        raise HistoryError(name, problems)
    return {n: i for i, n in enumerate(names)}


def _lines(path: Path) -> Iterable[tuple[int, list[str]]]:
    """(line number, fields) of the lines that are not blank or comments."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        last_line = 0
        for fields in reader:
            line, first_line, last_line = reader.line_num, last_line + 1, reader.line_num
            if any("\n" in field or "\r" in field for field in fields):
                # a quote left open joins every later line into one note: refuse rather than drop rows
                raise HistoryError(str(path), [
                    f"line {first_line}: a quotation mark opened on this line is not closed on it, so lines "
                    f"{first_line}-{line} would be read as one row; close the quote or remove it"])
            if not fields or all(not x.strip() for x in fields) or fields[0].lstrip().startswith("#"):
                continue
            yield line, fields


def _note(text):
    """A row's note as reports show it: free text, so a CPR-like number in it is removed (sim.model.privacy)."""
    return redact_cpr(text) if isinstance(text, str) else text


def read_history(path: str | Path) -> pd.DataFrame:
    """The history as a frame ``year, metric, value, note`` (sorted by metric and year), or HistoryError
    naming every bad line and column: missing columns, unknown metrics, non-numeric or impossible values,
    years that are not whole numbers, and the same year and metric twice."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError(f"history file not found: {name}")
    try:
        lines = list(_lines(path))
    except UnicodeDecodeError:
        raise HistoryError(name, ["the file is not UTF-8 text (save it as CSV UTF-8)"]) from None
    except csv.Error as e:
        raise HistoryError(name, [f"not a CSV file: {e}"]) from None
    if not lines:
        raise HistoryError(name, ["the file is empty; expected a header year,metric,value[,note] and rows"])
    (header_line, header), rows = lines[0], lines[1:]
    col = _header(header, name, header_line)
    problems: list[str] = []
    seen: dict[tuple[int, str], int] = {}
    records = []
    for line, fields in rows:
        if len(fields) > len(header):
            problems.append(f"line {line}: {len(fields)} fields but the header has {len(header)} "
                            "(a comma inside a number or note? quote the note)")
            continue
        fields = fields + [""] * (len(header) - len(fields))
        get = lambda c: fields[col[c]].strip() if c in col else ""  # noqa: E731
        year_text, metric, value_text = get("year"), get("metric"), get("value")
        bad = False
        if not re.fullmatch(r"\d{4}", year_text):
            problems.append(f"line {line}, column year: '{year_text}' is not a year such as 2019")
            bad = True
        if (why := metric_problem(metric)) is not None:
            problems.append(f"line {line}, column metric: {why}" if metric else
                            f"line {line}, column metric: empty")
            bad = True
        value = _number(value_text)
        if value is None:
            hint = " (use a point as decimal separator and no thousands separators)" if re.search(r"\d", value_text) \
                else ""
            problems.append(f"line {line}, column value: '{value_text}' is not a number{hint}")
            bad = True
        elif (why := _danish_problem(metric, value_text) or _value_problem(metric, value)) is not None:
            problems.append(f"line {line}, column value: {why}")
            bad = True
        if bad:
            continue
        key = (int(year_text), metric)
        if key in seen:
            problems.append(f"line {line}: {metric} {year_text} appears twice (also line {seen[key]}); "
                            "keep one row per year and metric")
            continue
        seen[key] = line
        records.append((key[0], metric, value, _note(get("note"))))
    if problems:
        raise HistoryError(name, problems)
    if not records:
        raise HistoryError(name, ["no data rows below the header"])
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    return frame.sort_values(["metric", "year"], kind="stable").reset_index(drop=True)


def split_by_model(history: pd.DataFrame, model_metrics: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows the model reports a metric for, rows it cannot produce with a ``reason`` column)."""
    known = set(model_metrics)
    can = history["metric"].isin(known)
    cannot = history[~can].copy()
    cannot["reason"] = [
        "the scenario's staircase has no step '" + m.split(".", 1)[1] + "'" if "." in m
        else "the model does not report this metric" for m in cannot["metric"]
    ]
    return history[can].reset_index(drop=True), cannot.reset_index(drop=True)


def value_at(history: pd.DataFrame, metric: str, year: int) -> float | None:
    """The value of ``metric`` in ``year``; if that year is missing, the nearest year's (earlier on a tie),
    which is how a history with population in one year only scales rates in the others."""
    rows = history[history["metric"] == metric]
    if rows.empty:
        return None
    distance = (rows["year"] - year).abs() * 2 + (rows["year"] > year)
    return float(rows.loc[distance.idxmin(), "value"])
