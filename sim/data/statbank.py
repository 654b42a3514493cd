"""One municipality's history of the children's area, fetched from Statistics Denmark's StatBank API.

:func:`fetch_history` asks ``https://api.statbank.dk/v1`` for the tables in :data:`SOURCES` and returns a
history frame (``year, metric, value, note``; docs/contract.md "History files"); :func:`write_history` writes it as
a CSV file that :mod:`sim.data.history` reads.

How a request is made. For every table the client first reads the table's metadata (``tableinfo``) and checks
the request against it: the municipality code, every variable and every value code named in :data:`SOURCES`
must be listed there, and each value's text must say what the code is meant to mean (a code can exist and mean
something else: in UND1, ALDER1 ``00`` is "I alt" but ``0`` is "0 år"). Variables that :data:`SOURCES` does not
name are left out of the request, which makes the API return their total ("elimination"); the client checks in
the metadata that the table allows that. Any mismatch is a :class:`StatBankError` naming the table, the
variable and the code, so a wrong or changed code stops the fetch instead of giving silently wrong figures.
Data come as CSV (``"format": "CSV"``, semicolon separated) with codes rather than texts
(``"valuePresentation": "Code"``), Danish texts and number format (``"lang": "da"``) throughout.

Years a table does not cover are left out and reported in ``frame.attrs["warnings"]`` (and as comment lines by
:func:`write_history`); only a fetch that returns nothing at all is an error.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import http.client
import io
import json
import math
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import InputError

__all__ = ["StatBankError", "fetch_history", "write_history", "urllib_transport", "SOURCES", "Source", "Metric",
           "Code", "Family"]

API = "https://api.statbank.dk/v1"
DATA_URL = f"{API}/data"
TABLEINFO_URL = f"{API}/tableinfo"
LANG = "da"  # one language for metadata and data: the text checks below are Danish, and so is the number format
TIMEOUT_SECONDS = 60.0
COLUMNS = ("year", "metric", "value", "note")

Transport = Callable[[str, dict], str]

BY_HAND = (
    "A history file can also be written by hand: a CSV file with the header year,metric,value,note and one "
    "row per year and metric, e.g. 2023,notifications,1520,UND1 (docs/contract.md lists the metric names)"
)


class StatBankError(InputError):
    """The StatBank API could not be used: no network, an HTTP error, a code the tables do not know, a bad
    municipality code or year range. The message says what to do."""


# ---------------------------------------------------------------- what to fetch (the one data table)


@dataclass(frozen=True)
class Code:
    """One value of a variable by its code, with a fragment its Danish text in ``tableinfo`` must contain
    (case-insensitive, at the start of a word), so that a code that exists but means something else is caught."""

    id: str
    text: str


@dataclass(frozen=True)
class Family:
    """Every value of a variable whose text starts with ``pattern`` (a regular expression), e.g. every function
    5.28.xx of REGK31: the set of functions changes over the years, so it is read from ``tableinfo``."""

    pattern: str
    describe: str


Selector = Code | Family


@dataclass(frozen=True)
class Metric:
    """A history metric made of one table's cells: the sum over ``select`` (values of the source's ``sum_over``
    variable; empty when the table gives the metric in one cell)."""

    name: str
    note: str
    select: tuple[Selector, ...] = ()
    # False: a year with any selected cell unpublished is left out (a population missing some ages is wrong).
    # True: sum what is published (a municipality books nothing on some 5.28 functions in some years).
    partial_sum: bool = False


@dataclass(frozen=True)
class Source:
    """One StatBank table and the metrics taken from it."""

    table: str
    area: str  # the variable holding municipality codes
    filters: Mapping[str, tuple[Selector, ...]]  # other variables fixed to these values
    metrics: tuple[Metric, ...]
    sum_over: str | None = None  # the variable the metrics' selections are summed over
    multiplier: float = 1.0  # from the table's unit to the metric's (REGK31: 1,000 DKK -> DKK)
    period: str = ""  # time code after the year: FOLK1A is quarterly and "K1" is 1 January
    checked: str = ""  # where the codes were verified; kept with the codes so that the evidence is in one place


def _ages(first: int, last: int) -> tuple[Code, ...]:
    return tuple(Code(str(a), f"{a} år") for a in range(first, last + 1))


# Every table id, variable id and value code the client uses. Variables of a table that are not named here are
# eliminated (the API returns their total); the client checks at run time that tableinfo allows that.
# There is no network on the machine this was written on, so nothing here was checked against the live API;
# "checked" says which public sources agree with each code. The run-time check against tableinfo is the guard.
SOURCES: tuple[Source, ...] = (
    Source(
        table="FOLK1A",
        area="OMRÅDE",
        filters={"KØN": (Code("TOT", "i alt"),), "CIVILSTAND": (Code("TOT", "i alt"),)},
        sum_over="ALDER",
        period="K1",
        metrics=(
            Metric("population_0_17", "FOLK1A: residents aged 0-17 on 1 January (sum of single ages 0-17)",
                   _ages(0, 17)),
            Metric("population_0_22", "FOLK1A: residents aged 0-22 on 1 January (sum of single ages 0-22)",
                   _ages(0, 22)),
        ),
        checked="verified: Statistics Denmark's API documentation (dst.dk, Statistikbank API: FOLK1A/FOLK1C "
                "requests with OMRÅDE 000/101, KØN, CIVILSTAND, Tid 2010K2) and several public scripts calling "
                "api.statbank.dk (KØN TOT, CIVILSTAND TOT, ALDER '0'..'99' single ages, Tid 'YYYYK1')",
    ),
    Source(
        table="UND1",
        area="ADMKOM",
        filters={"ALDER1": (Code("00", "i alt"),)},
        metrics=(Metric("notifications", "UND1: notifications (underretninger) about children received by the "
                        "municipality in the year; all reporters, ages and sexes"),),
        checked="partly verified: variables ADMKOM, UNDERRETERE, ALDER1 (total '00') and KØN/KON from the "
                "josca42/varro_dst table notes (a copy of StatBank); ADMKOM and ALDER1 '00' also in a public "
                "script calling UND2. Reporter and sex are eliminated, so their ids and total codes are not needed",
    ),
    Source(
        table="UND2",
        area="ADMKOM",
        filters={"UNDERRET": (Code("00", "i alt"),), "ALDER1": (Code("00", "i alt"),)},
        metrics=(Metric("children_notified", "UND2: children with at least one notification in the year, by "
                        "administrative municipality; all ages and sexes"),),
        checked="partly verified: ADMKOM, UNDERRET '00', ALDER1 '00' from a public script calling UND2 on "
                "api.statbank.dk and the josca42/varro_dst table notes; sex is eliminated",
    ),
    Source(
        # ANBAAR2 (national only) and ANBAAR8 (by landsdel) have no municipality variable; ANBAAR9 and
        # ANBAAR14 are the same statistics by administrative municipality.
        table="ANBAAR9",
        area="ADMKOM",
        filters={},
        metrics=(Metric("children_placed", "ANBAAR9: children and young people aged 0-22 placed outside the home "
                        "on 31 December, by administrative municipality (ages 18-22 are in aftercare stays)"),),
        checked="partly verified: table layout (ADMKOM, ALERAMS, Tid) from the josca42/varro_dst table notes; "
                "the age variable is eliminated (all ages)",
    ),
    Source(
        table="ANBAAR14",
        area="ADMKOM",
        filters={},
        metrics=(Metric("placements_started", "ANBAAR14: placements of children and young people started in the "
                        "year, by administrative municipality, all ages"),),
        checked="partly verified: table layout (ADMKOM, ALERAMS, Tid) from the josca42/varro_dst table notes; "
                "the age variable is eliminated (all ages)",
    ),
    Source(
        table="ISBU02",
        area="KOMMUNEDK",
        filters={"INDSATSER": (Code("2", "i alt"),)},
        metrics=(Metric("children_preventive", "ISBU02: children and young people receiving preventive measures "
                        "during the year (DST's count over the year, so above a 31 December stock); total of all "
                        "measures"),),
        checked="partly verified: KOMMUNEDK, INDSATSER and the total's text ('... I ALT') from the josca42/varro_dst "
                "table notes, which store codes as numbers: the total may be written with leading zeros, which "
                "the run-time check would report",
    ),
    Source(
        table="REGK31",
        area="OMRÅDE",
        filters={
            "DRANST": (Code("1", "driftskonti"),),
            "ART": (Code("TOT", "i alt (netto)"),),
            "PRISENHED": (Code("LOBM", "løbende priser (1.000 kr.)"),),
        },
        sum_over="FUNKTION",
        multiplier=1000.0,  # PRISENHED LOBM is in 1,000 DKK; the text check above makes sure of the unit
        metrics=(Metric("cost_total", "REGK31: the municipality's net operating spending (operating accounts, net "
                        "of income) on main function 5.28 Tilbud til børn og unge med særlige behov, in DKK at "
                        "current prices (REGK31 reports 1,000 DKK; multiplied by 1,000); without caseworker "
                        "salaries (function 6.45) and state reimbursements",
                        (Family(r"5\.28\.\d\d(?!\d)", "functions 5.28.xx"),), partial_sum=True),),
        checked="verified: OMRÅDE, FUNKTION (5-digit codes, 3.35.61 = 33561), DRANST 1, ART TOT, PRISENHED "
                "LOBM/INDL in two public scripts calling api.statbank.dk and in the josca42/varro_dst table notes. "
                "The 5.28 functions are taken from tableinfo by their text, not listed here",
    ),
)


# ---------------------------------------------------------------- input checks


def _check_municipality(municipality: object) -> str:
    if not isinstance(municipality, str):
        raise StatBankError(f"municipality code {municipality!r}: give it as text of three digits, e.g. '101' "
                            "(København) or '751' (Aarhus)")
    code = municipality.strip()
    if not re.fullmatch(r"[0-9]{3}", code):
        raise StatBankError(f"municipality code '{municipality}' is not three digits; municipality codes are "
                            "three digits, e.g. 101 (København), 751 (Aarhus), 851 (Aalborg)")
    return code


def _check_years(year_from: object, year_to: object) -> None:
    for name, year in (("first year", year_from), ("last year", year_to)):
        if isinstance(year, bool) or not isinstance(year, int):
            raise StatBankError(f"the {name} {year!r} is not a whole year such as 2020")
        if not 1900 <= year <= 2100:
            raise StatBankError(f"the {name} {year} is not a year between 1900 and 2100")
    if year_from > year_to:
        raise StatBankError(f"the first year {year_from} is after the last year {year_to}; give --from before "
                            "(or equal to) --to")


# ---------------------------------------------------------------- talking to the API


def urllib_transport(url: str, body: dict, *, timeout: float = TIMEOUT_SECONDS) -> str:
    """POST ``body`` as JSON to ``url`` and return the answer's text. Proxies come from the usual environment
    variables (urllib's default). Errors propagate as urllib/OSError exceptions; the caller explains them.

    ``BOERNESIM_STATBANK_API`` (environment) replaces the API's base address, e.g. a mirror or a local
    replay server in the tests."""
    base = os.environ.get("BOERNESIM_STATBANK_API")
    if base and url.startswith(API):
        url = base.rstrip("/") + url[len(API):]
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "boernesim"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        charset = response.headers.get_content_charset() or "utf-8"
        return response.read().decode(charset).lstrip("\ufeff")


def _api_error_text(raw: str) -> str:
    """The API's own error message from an error body ({"errorTypeCode": ..., "message": ...}), else the body."""
    raw = raw.strip().lstrip("\ufeff")
    with contextlib.suppress(ValueError):
        answer = json.loads(raw)
        if isinstance(answer, dict) and answer.get("message"):
            kind = f" [{answer['errorTypeCode']}]" if answer.get("errorTypeCode") else ""
            return f"{answer['message']}{kind}"
    return raw[:300] + ("..." if len(raw) > 300 else "")


def _http_error_message(error: urllib.error.HTTPError, what: str) -> str:
    try:
        body = error.read().decode("utf-8", errors="replace") if error.fp is not None else ""
    except (OSError, http.client.HTTPException):
        body = ""
    detail = _api_error_text(body) if body.strip() else "(no message in the answer)"
    return f"api.statbank.dk answered HTTP {error.code} ({error.reason}) to the request for {what}: {detail}"


def _network_error_message(error: BaseException, what: str) -> str:
    reason = getattr(error, "reason", None) or error
    return (f"api.statbank.dk could not be reached while asking for {what} ({reason}). Check the internet "
            f"connection (a proxy is taken from the https_proxy environment variable) and try again. {BY_HAND}.")


def _call(send: Transport, url: str, body: dict, what: str) -> str:
    """``send(url, body)`` with every failure turned into a StatBankError that says what to do."""
    try:
        text = send(url, body)
    except urllib.error.HTTPError as e:  # before URLError: HTTPError is a URLError with an answer
        raise StatBankError(_http_error_message(e, what)) from None
    except (OSError, http.client.HTTPException) as e:  # URLError, timeouts, resets, truncated answers
        raise StatBankError(_network_error_message(e, what)) from None
    if not isinstance(text, str):
        raise TypeError(f"transport must return the answer as str, not {type(text).__name__}")
    return text.lstrip("\ufeff")


# ---------------------------------------------------------------- table metadata


@dataclass
class _Variable:
    """A StatBank table's variable with its value codes and texts."""

    id: str
    text: str
    elimination: bool
    time: bool
    values: dict[str, str]  # code -> text, in tableinfo's order


@dataclass
class _TableInfo:
    """What StatBank says a table holds."""

    table: str
    updated: str
    variables: dict[str, _Variable]

    def time_variable(self) -> _Variable:
        for v in self.variables.values():
            if v.time:
                return v
        raise StatBankError(f"table {self.table}: tableinfo lists no time variable; the table cannot be used")


def _unexpected(what: str, why: str) -> StatBankError:
    return StatBankError(f"unexpected answer from api.statbank.dk to the request for {what}: {why}")


def _parse_tableinfo(text: str, table: str) -> _TableInfo:
    what = f"the table information (tableinfo) of {table}"
    try:
        answer = json.loads(text)
    except ValueError:
        raise _unexpected(what, f"not JSON: {text.strip()[:120]!r}") from None
    if isinstance(answer, dict) and "variables" not in answer and answer.get("message"):
        raise StatBankError(f"api.statbank.dk refused the request for {what}: {_api_error_text(text)}")
    if not isinstance(answer, dict) or not isinstance(answer.get("variables"), list):
        raise _unexpected(what, "no list of variables")
    variables: dict[str, _Variable] = {}
    for v in answer["variables"]:
        try:
            values = {str(x["id"]): str(x.get("text", "")) for x in v["values"]}
            variables[str(v["id"])] = _Variable(str(v["id"]), str(v.get("text", "")), bool(v.get("elimination")),
                                                bool(v.get("time")), values)
        except (KeyError, TypeError):
            raise _unexpected(what, "a variable without id or values") from None
    return _TableInfo(table, str(answer.get("updated") or ""), variables)


def _tableinfo(send: Transport, table: str) -> _TableInfo:
    body = {"table": table, "format": "JSON", "lang": LANG}
    return _parse_tableinfo(_call(send, TABLEINFO_URL, body, f"the table information of {table}"), table)


# ---------------------------------------------------------------- checking a request against the metadata


def _text_matches(text: str, fragment: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(fragment.casefold()), text.casefold()) is not None


def _variable(info: _TableInfo, name: str) -> _Variable:
    if name in info.variables:
        return info.variables[name]
    names = list(info.variables)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise StatBankError(f"table {info.table} has no variable {name} (its variables: {', '.join(names)}){hint}. "
                        "The table has changed or the code in sim/statbank.py (SOURCES) is wrong")


def _resolve(info: _TableInfo, var: _Variable, selectors: Sequence[Selector]) -> list[str]:
    """The value codes ``selectors`` stand for, each checked against tableinfo (code listed, text as expected)."""
    codes: list[str] = []
    for s in selectors:
        if isinstance(s, Family):
            found = [c for c, t in var.values.items() if re.match(s.pattern, t.strip())]
            if not found:
                raise StatBankError(f"table {info.table}, variable {var.id}: tableinfo lists none of the "
                                    f"{s.describe} that sim/statbank.py (SOURCES) asks for")
            codes += [c for c in found if c not in codes]
            continue
        if s.id not in var.values:
            like = [f"{c} ({t})" for c, t in var.values.items() if _text_matches(t, s.text)][:5]
            hint = f"; values whose text mentions '{s.text}': {', '.join(like)}" if like else ""
            raise StatBankError(f"table {info.table}, variable {var.id}: value code '{s.id}' (meant: '{s.text}') "
                                f"is not listed in the table's metadata (tableinfo){hint}. The table has changed "
                                "or the code in sim/statbank.py (SOURCES) is wrong")
        if not _text_matches(var.values[s.id], s.text):
            raise StatBankError(f"table {info.table}, variable {var.id}: value code '{s.id}' means "
                                f"'{var.values[s.id]}' in the table's metadata, not '{s.text}' as sim/statbank.py "
                                "(SOURCES) expects; the figures would be wrong, so nothing is fetched")
        if s.id not in codes:
            codes.append(s.id)
    return codes


@dataclass
class _Plan:
    """A checked request for one table: the body to send and how to read the answer."""

    source: Source
    info: _TableInfo
    body: dict
    time: str  # id of the time variable
    years: list[int]  # requested years the table covers
    fixed: dict[str, list[str]]  # requested codes per variable (area and filters)
    metric_codes: dict[str, list[str]]  # metric -> codes of sum_over summed into it ([] without sum_over)
    labels: dict[str, str] = field(default_factory=dict)  # sum_over code -> text, for notes


def _years_covered(info: _TableInfo, period: str) -> dict[int, str]:
    """Year -> time code, for the table's periods of the wanted kind (e.g. the first quarter)."""
    out = {}
    for code in info.time_variable().values:
        m = re.fullmatch(r"([0-9]{4})" + re.escape(period), code)
        if m:
            out[int(m.group(1))] = code
    return out


def _spans(years: Sequence[int]) -> str:
    """'2015-2018, 2020' for [2015, 2016, 2017, 2018, 2020]."""
    parts, years = [], sorted(years)
    i = 0
    while i < len(years):
        j = i
        while j + 1 < len(years) and years[j + 1] == years[j] + 1:
            j += 1
        parts.append(str(years[i]) if i == j else f"{years[i]}-{years[j]}")
        i = j + 1
    return ", ".join(parts)


def _plan(source: Source, info: _TableInfo, municipality: str, year_from: int, year_to: int,
          warnings: list[str]) -> _Plan:
    table = source.table
    area = _variable(info, source.area)
    fixed: dict[str, list[str]] = {area.id: [municipality]}
    for name, selectors in source.filters.items():
        fixed[name] = _resolve(info, _variable(info, name), selectors)

    metric_codes: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    if source.sum_over:
        over = _variable(info, source.sum_over)
        for m in source.metrics:
            metric_codes[m.name] = _resolve(info, over, m.select)
        labels = dict(over.values)
    else:
        metric_codes = {m.name: [] for m in source.metrics}

    time = info.time_variable()
    named = {area.id, time.id, *source.filters, *([source.sum_over] if source.sum_over else [])}
    for v in info.variables.values():
        if v.id not in named and not v.elimination:
            raise StatBankError(f"table {table}: variable {v.id} ({v.text}) must be given a value (tableinfo says it "
                                "cannot be left out to get its total); add it to the table's filters in "
                                "sim/statbank.py (SOURCES)")

    covered = _years_covered(info, source.period)
    wanted = range(year_from, year_to + 1)
    years = [y for y in wanted if y in covered]
    missing = [y for y in wanted if y not in covered]
    metrics = ", ".join(m.name for m in source.metrics)
    if missing:
        coverage = f"the table covers {min(covered)}-{max(covered)}" if covered else "the table lists no years"
        warnings.append(f"{table} has no figures for {_spans(missing)} ({coverage}); {metrics} left out for "
                        f"{'those years' if len(missing) > 1 else 'that year'}")

    variables = [{"code": area.id, "values": [municipality]}]
    variables += [{"code": name, "values": codes} for name, codes in fixed.items() if name != area.id]
    if source.sum_over:
        union = [c for codes in metric_codes.values() for c in codes]
        variables.append({"code": source.sum_over, "values": list(dict.fromkeys(union))})
    variables.append({"code": time.id, "values": [covered[y] for y in years]})
    body = {"table": table, "format": "CSV", "lang": LANG, "valuePresentation": "Code", "timeOrder": "Ascending",
            "variables": variables}
    return _Plan(source, info, body, time.id, years, fixed, metric_codes, labels)


def _check_listed(plans_info: list[tuple[Source, _TableInfo]], municipality: str) -> str:
    """The municipality's name; StatBankError unless every table lists the code."""
    names, lacking = [], []
    for source, info in plans_info:
        area = _variable(info, source.area)
        if municipality in area.values:
            names.append(area.values[municipality])
        else:
            lacking.append(source.table)
    if lacking and not names:
        raise StatBankError(f"unknown municipality code '{municipality}': Statistics Denmark's tables "
                            f"({', '.join(lacking)}) do not list it. Municipality codes are three digits, e.g. 101 "
                            "(København), 751 (Aarhus), 851 (Aalborg)")
    if lacking:
        raise StatBankError(f"municipality {municipality} ({names[0]}) is not listed in table(s) "
                            f"{', '.join(lacking)}, so its history cannot be fetched from Statistics Denmark")
    return names[0]


# ---------------------------------------------------------------- reading the data


_MISSING = {"", "..", ".", "-", "x", "X"}  # StatBank's marks for figures not published (confidential, unknown)


def _number(text: str, what: str) -> float | None:
    """A cell of a CSV answer in Danish number format (decimal comma, optional thousands points)."""
    t = text.strip()
    if t in _MISSING:
        return None
    if re.fullmatch(r"-?[0-9]+", t):
        return float(t)
    if re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?|-?[0-9]+,[0-9]+", t):
        return float(t.replace(".", "").replace(",", "."))
    raise _unexpected(what, f"'{t}' is not a number")


def _parse_data(text: str, plan: _Plan) -> dict[tuple[int, str | None], float | None]:
    """(year, code of sum_over or None) -> value (None where StatBank publishes no figure)."""
    source = plan.source
    what = f"the figures of {source.table}"
    if text.lstrip().startswith("{"):  # an error in JSON instead of CSV
        raise StatBankError(f"api.statbank.dk refused the request for {what}: {_api_error_text(text)}")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=";") if any(f.strip() for f in r)]
    if not rows:
        raise _unexpected(what, "an empty answer")
    header = [h.strip().casefold() for h in rows[0]]
    if len(header) < 2:
        raise _unexpected(what, f"the header {rows[0]!r} is not semicolon-separated columns")

    def column(name: str) -> int | None:
        return header.index(name.casefold()) if name.casefold() in header[:-1] else None

    def required(name: str) -> int:
        col = column(name)
        if col is None:
            raise _unexpected(what, f"no column {name} in the header {';'.join(rows[0])}")
        return col

    time_col = required(plan.time)
    over_col = required(source.sum_over) if source.sum_over else None
    # Columns of variables fixed to one value are checked where the answer has them: a row for another
    # municipality or another unit means the answer does not belong to this request.
    fixed_cols = {col: set(codes) for name, codes in plan.fixed.items() if (col := column(name)) is not None}
    year_of = {code: y for y, code in _years_covered(plan.info, source.period).items()}
    cells: dict[tuple[int, str | None], float | None] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise _unexpected(what, f"line {number} has {len(row)} fields, the header {len(header)}")
        for col, codes in fixed_cols.items():
            if row[col].strip() not in codes:
                raise _unexpected(what, f"line {number}: {rows[0][col]} is '{row[col]}', not one of the requested "
                                        f"{', '.join(sorted(codes))}")
        year = year_of.get(row[time_col].strip())
        if year is None:
            raise _unexpected(what, f"line {number}: unknown period '{row[time_col]}'")
        key = (year, row[over_col].strip() if over_col is not None else None)
        cells[key] = _number(row[-1], what)
    return cells


def _metric_rows(plan: _Plan, cells: Mapping[tuple[int, str | None], float | None],
                 warnings: list[str]) -> list[tuple[int, str, float, str]]:
    """(year, metric, value, note) for the plan's metrics; unpublished figures are left out with a warning."""
    source = plan.source
    out = []
    for m in source.metrics:
        codes = plan.metric_codes[m.name] or [None]
        for year in plan.years:
            values = {c: cells.get((year, c)) for c in codes}
            present = {c: v for c, v in values.items() if v is not None}
            absent = [c for c in codes if c not in present]
            if not present or (absent and not m.partial_sum):
                shown = "" if codes == [None] else f" ({source.sum_over} {', '.join(str(c) for c in absent[:8])}" \
                                                     f"{' ...' if len(absent) > 8 else ''})"
                warnings.append(f"{source.table} publishes no figure for {m.name} {year}{shown}; left out")
                continue
            note = m.note
            if m.partial_sum and len(codes) > 1:
                parts = [plan.labels.get(c, c).split(" ")[0] for c in present]
                note += f"; summed {', '.join(parts)}"
            out.append((year, m.name, sum(present.values()) * source.multiplier, note))
    return out


# ---------------------------------------------------------------- the public functions


def fetch_history(municipality: str, year_from: int, year_to: int, *,
                  transport: Transport | None = None) -> pd.DataFrame:
    """One municipality's history for the years ``year_from`` to ``year_to`` (both included) from Statistics
    Denmark's StatBank: a frame with columns ``year`` (int), ``metric`` (str), ``value`` (float) and ``note`` (str:
    the table and what the figure is), sorted by metric and year, one row per year and metric published.

    ``municipality`` is a three-digit municipality code ("101" København, "751" Aarhus); every table must list it.
    ``transport(url, body) -> text`` sends one request (default: :func:`urllib_transport`); tests pass a fake
    that replays recorded answers. Years a table does not cover and figures it does not publish are left out and
    listed in ``frame.attrs["warnings"]``; ``frame.attrs`` also holds ``municipality``, ``municipality_name``
    and ``tables`` (table id -> the table's last update). Raises :class:`StatBankError` for a bad code or year
    range, an unreachable API, an HTTP error, a code the tables' metadata does not confirm, or no figures at all.
    """
    code = _check_municipality(municipality)
    _check_years(year_from, year_to)
    send = transport or urllib_transport

    # All metadata first: a wrong code in any table stops the fetch before any data are downloaded.
    infos = [(source, _tableinfo(send, source.table)) for source in SOURCES]
    name = _check_listed(infos, code)
    warnings: list[str] = []
    plans = [_plan(source, info, code, year_from, year_to, warnings) for source, info in infos]

    records: list[tuple[int, str, float, str]] = []
    for plan in plans:
        if not plan.years:
            continue
        text = _call(send, DATA_URL, plan.body, f"the figures of {plan.source.table}")
        records += _metric_rows(plan, _parse_data(text, plan), warnings)
    if not records:
        raise StatBankError(f"Statistics Denmark has no figures for municipality {code} ({name}) in "
                            f"{_spans(list(range(year_from, year_to + 1)))}: " + "; ".join(warnings))

    frame = pd.DataFrame(records, columns=list(COLUMNS))
    frame = frame.astype({"year": "int64", "metric": "object", "value": "float64", "note": "object"})
    frame = frame.sort_values(["metric", "year"], kind="stable").reset_index(drop=True)
    frame.attrs.update(municipality=code, municipality_name=name, warnings=warnings,
                       tables={p.source.table: p.info.updated for p in plans})
    return frame


def _format_value(value: float) -> str:
    """A point-decimal number without thousands separators, as history files require; whole numbers without .0."""
    if not math.isfinite(value):
        raise ValueError(f"history value {value!r} is not a finite number")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _comment_lines(frame: pd.DataFrame) -> list[str]:
    """Provenance and warnings from ``fetch_history`` as comment lines (``#``), which history readers skip."""
    attrs = frame.attrs
    lines = []
    if attrs.get("municipality"):
        lines.append(f"Statistics Denmark, StatBank API ({API}): municipality {attrs['municipality']} "
                     f"{attrs.get('municipality_name', '')}".rstrip())
    tables = attrs.get("tables") or {}
    if tables:
        lines.append("tables (last updated): " + ", ".join(f"{t} ({u or 'unknown'})" for t, u in tables.items()))
    lines += [f"warning: {w}" for w in attrs.get("warnings") or []]
    # one physical line each, and no quotation marks that a CSV reader could take as the start of a field
    return ["# " + re.sub(r"[\r\n]+", " ", line).replace('"', "'") for line in lines]


def write_history(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` (columns year, metric, value and optionally note) as a history CSV file at ``path``,
    atomically: into a temporary file in the same directory, then renamed over ``path``, so an interrupted or
    failed write never leaves a half-written history. Provenance and warnings in ``frame.attrs`` (from
    :func:`fetch_history`) become comment lines at the top."""
    missing = [c for c in ("year", "metric", "value") if c not in frame.columns]
    if missing:
        raise ValueError(f"a history frame needs the columns year, metric, value; missing {', '.join(missing)}")
    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise InputError(f"cannot write the history file {path}: the directory {directory} does not exist")
    notes = frame["note"] if "note" in frame.columns else pd.Series([""] * len(frame), index=frame.index)
    rows = [(int(y), str(m), _format_value(float(v)), "" if pd.isna(n) else str(n))
            for y, m, v, n in zip(frame["year"], frame["metric"], frame["value"], notes)]

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise InputError(f"cannot write the history file {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            for line in _comment_lines(frame):
                f.write(line + "\n")
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); a history file is ordinary data, so keep the usual mode
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"cannot write the history file {path}: {e.strerror or e}") from None
        raise
