"""The case register: the children with an open case on the as-of date, one row per child.

A finance officer exports the register from the case system as CSV; the model then starts from exactly
these children instead of from ``initial_state``. The format (UTF-8, comma-separated, a header line is
required, lines whose first non-blank character is ``#`` are comments, blank lines are skipped):

==================== ========= =====================================================================
column               required  meaning
==================== ========= =====================================================================
case_id              yes       a pseudonymous case number from the case system (never a CPR number)
birth_year / age     one of    whole birth year, or age in years on the as-of date (decimals allowed)
step                 yes       a staircase step id of the scenario, e.g. ``foster_family``
step_start           yes       date (YYYY-MM-DD) the child started on that step, not after the as-of date
monthly_price_dkk    yes       the case's actual price per month in DKK, 0 or more
last_review          no        date of the last review (may be empty); not before step_start
investigation_start  no        start date of an open investigation (may be empty)
==================== ========= =====================================================================

Ages. If a row gives ``age``, it is used as given. Otherwise the age is computed from ``birth_year`` with a
*mid-year assumption*: every child is taken to be born on 1 July, and the as-of date is treated as the turn of
the year, so ``age = as_of.year - birth_year - 0.5`` (a child born in 2010 is 15.5 on any as-of date in
2026). A child born in the as-of year itself would get -0.5 and is given age 0 instead. Ages must be 0 to 22.

Numbers use a point as the decimal separator and no thousands separators (``39000.50``); ``39.000,50``,
``39000,5``, ``39 000`` and ``39.000`` are refused with a message that says so, because a silently misread
price is worse than an error.

Privacy. The case id is only used to find duplicate rows: it is replaced at once by a salted SHA-256 hash
(a random salt drawn per call with :mod:`secrets` and never stored), and the hash is dropped when reading
ends. Nothing returned, written or put into a message contains a case id: messages name the row number
(data rows only, counted from 1) and the line number in the file. A file whose case ids look like CPR numbers
is refused unless ``pseudonymise=True`` (the CLI's ``--pseudonymise``), which accepts them on the same terms:
hashed in memory to find duplicates, then dropped.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sim.errors import InputError
from sim.model.privacy import CPR_REDACTED, contains_cpr, cpr_digits, looks_like_cpr, redact_cpr

__all__ = ["CPR_REDACTED", "InitialCase", "looks_like_cpr", "redact_cpr", "read_case_register",
           "read_case_register_bytes", "summarise_register",
           "COLUMNS"]

REQUIRED = ("case_id", "step", "step_start", "monthly_price_dkk")
AGE_COLUMNS = ("birth_year", "age")
OPTIONAL = ("last_review", "investigation_start")
COLUMNS = ("case_id", "birth_year", "age", "step", "step_start", "monthly_price_dkk", "last_review",
           "investigation_start")  # every column the register may have, in the documented order
MAX_AGE = 22.0
MAX_MONTHLY_PRICE_DKK = 50_000_000 / 12  # the scenario format's largest price of a step, per month


@dataclass(frozen=True)
class InitialCase:
    """One child with an open case on the as-of date. Deliberately without the case id."""

    row: int  # data row in the file, counted from 1 (comment and blank lines not counted)
    age: float  # years on the as-of date
    step: str  # staircase step id
    step_start: date
    monthly_price_dkk: float
    last_review: date | None
    investigation_start: date | None


# ---------------------------------------------------------------- CPR numbers

# one detector for the whole tool: sim.model.privacy
_contains_cpr = contains_cpr


# ---------------------------------------------------------------- messages


class _Bad(Exception):
    """A value that cannot be used; the reason is completed with file, row and column by the caller."""


def _show(value: str, case_id: str | None = None) -> str:
    """How a message refers to a register cell: never by its value (any cell may hold a CPR number or another
    personal detail typed in the wrong column), only as "the value"; the message names its row and column."""
    return "the value"


def _show_header(value: str) -> str:
    """A header name quoted for a message, unless it could be a CPR number: then it is withheld."""
    v = value.strip()
    if _contains_cpr(v):
        return "(value not shown: it could be a CPR number)"
    if len(v) > 40:
        v = v[:37] + "..."
    return repr(v)


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


_SEPARATOR_HINT = "use a point as decimal separator, no thousands separators (e.g. 39000.50)"


# ---------------------------------------------------------------- parsing of single values

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_THOUSANDS_WITH_POINT = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DMY = re.compile(r"[0-9]{1,2}[-./][0-9]{1,2}[-./][0-9]{2,4}")


def _number(text: str, shown: str, *, price: bool = False) -> float:
    t = text.strip()
    if _NUMBER.fullmatch(t):
        if price and _THOUSANDS_WITH_POINT.fullmatch(t):
            raise _Bad(f"{shown} looks like a number with a thousands separator; {_SEPARATOR_HINT}")
        if len(t) > 30 or not math.isfinite(float(t)):  # 400 nines is read as infinity
            raise _Bad(f"{shown} has {len(t)} characters: too large to be a price or an age")
        return float(t)
    if "," in t and re.search(r"[0-9]", t):
        raise _Bad(f"{shown} has a comma: {_SEPARATOR_HINT}")
    if re.fullmatch(r"[+-]?[0-9][0-9 .'\u00a0\u202f]*[0-9]", t):
        raise _Bad(f"{shown} is not a number: {_SEPARATOR_HINT}")
    raise _Bad(f"{shown} is not a number (write digits only, e.g. 39000.50)")


def _whole_year(text: str, shown: str) -> int:
    t = text.strip()
    if re.fullmatch(r"[0-9]{4}", t):
        return int(t)
    if re.fullmatch(r"[0-9]{4}\.0*", t):  # 2010.0 from a spreadsheet
        return int(t.split(".")[0])
    if _DATE.fullmatch(t) or _DMY.fullmatch(t):
        raise _Bad(f"{shown} is a date; give the birth year only (e.g. 2010)")
    raise _Bad(f"{shown} is not a year (four digits, e.g. 2010)")


def _date(text: str, shown: str) -> date:
    t = text.strip()
    if _DATE.fullmatch(t):
        try:
            return date.fromisoformat(t)
        except ValueError:
            raise _Bad(f"{shown} is not a valid date") from None
    if _DMY.fullmatch(t):
        raise _Bad(f"{shown} is not a date of the form YYYY-MM-DD (e.g. 2026-09-30); write year-month-day")
    raise _Bad(f"{shown} is not a date of the form YYYY-MM-DD (e.g. 2026-09-30)")


# ---------------------------------------------------------------- reading


@dataclass
class _Line:
    """One data line of a register file: its line number and fields."""

    row: int  # data row, from 1
    line: int  # line in the file, from 1
    fields: list[str]


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: case register not found") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read the case register: {e.strerror}") from None


def _split_lines(raw: bytes, name: str) -> tuple[tuple[int, list[str]] | None, list[_Line]]:
    """The header (line number, names) and the data rows, split into fields; comments and blank lines dropped."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            f"{name}: the case register is not UTF-8 text; save it as 'CSV UTF-8 (comma delimited)'"
        ) from None
    header: tuple[int, list[str]] | None = None
    rows: list[_Line] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            fields = next(csv.reader([line], strict=True))
        except csv.Error:
            where = "header" if header is None else f"row {len(rows) + 1}"
            raise InputError(
                f"{name}: {where} (line {number}): the line cannot be split into values; "
                "check the quotation marks (a quoted value must end on the same line)"
            ) from None
        if header is None:
            header = (number, fields)
        elif any(f.strip() for f in fields):  # rows of empty cells (spreadsheet leftovers) are skipped
            rows.append(_Line(len(rows) + 1, number, fields))
    return header, rows


def _check_header(name: str, line: int, fields: list[str]) -> list[str]:
    where = f"{name}: header (line {line})"
    names = [f.strip().lower() for f in fields]
    if len(names) == 1 and (";" in fields[0] or "\t" in fields[0]):
        sep = "semicolons" if ";" in fields[0] else "tabs"
        raise InputError(f"{where}: the columns are separated by {sep}; save the file with commas as separators")
    if not set(names) & set(COLUMNS):
        raise InputError(
            f"{where}: the first line that is not a comment must name the columns "
            f"({', '.join(COLUMNS)}); no known column name found"
        )
    for i, n in enumerate(names, start=1):
        if not n:
            raise InputError(f"{where}: column {i} of the header has no name")
        if names.index(n) != i - 1:
            raise InputError(f"{where}: column {n} appears twice")
        if n not in COLUMNS:
            shown = _show_header(fields[i - 1])
            hint = _suggest(n, COLUMNS)
            if "cpr" in n or "person" in n:
                hint = "; remove it: the register must not contain CPR numbers or other personal data"
            raise InputError(
                f"{where}: column {i} {shown} is not a column of the case register "
                f"(columns: {', '.join(COLUMNS)}){hint}"
            )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(
            f"{where}: column {', '.join(missing)} is missing (required: {', '.join(REQUIRED)}, "
            "and birth_year or age)"
        )
    if not set(AGE_COLUMNS) & set(names):
        raise InputError(f"{where}: column birth_year or age is missing; give one of the two")
    return names


def _check_cpr(name: str, rows: list[_Line], id_index: int) -> None:
    for r in rows:
        if id_index < len(r.fields) and _contains_cpr(r.fields[id_index]):
            raise InputError(
                f"{name}: row {r.row} (line {r.line}), column case_id: the file seems to contain CPR numbers "
                "(personal identification numbers), so it is not used. Pseudonymise the register first: "
                "replace case_id by the case number from the case system (sagsnummer), or run with "
                "--pseudonymise, which replaces every case id by a salted hash in memory, only to find "
                "duplicate rows, and then drops it; nothing personal is ever written"
            )


def _realign(fields: list[str], names: list[str]) -> tuple[str, str] | None:
    """For a row with more values than columns: the numeric column whose value a decimal comma or a thousands
    separator split in two or more (column name, value as written), if rejoining explains the extra values
    (any values beyond the last column left after rejoining must be empty)."""
    for i, col in enumerate(names):
        if col not in ("monthly_price_dkk", "age", "birth_year"):
            continue
        for k in range(1, len(fields) - len(names) + 1):
            parts = [f.strip() for f in fields[i : i + k + 1]]
            rest = fields[: i + 1] + fields[i + k + 1 :]
            if (
                len(parts) == k + 1
                and all(re.fullmatch(r"[0-9.]+", part) for part in parts)
                and len(rest) >= len(names)
                and not any(f.strip() for f in rest[len(names) :])
            ):
                return col, ",".join(parts)
    return None


def read_case_register(
    path: str | Path, as_of: date, step_ids: Sequence[str], pseudonymise: bool = False, max_rows: float | None = None
) -> list[InitialCase]:
    """Read and validate the case register at ``path`` (format in the module docstring): one
    :class:`InitialCase` per data row, in file order, without the case ids.

    ``as_of`` is the date the register describes (no date in it may be later); ``step_ids`` are the
    scenario's staircase step ids. Any problem raises :class:`sim.errors.InputError` with one message naming
    the file, the data row, the line and the column. Case ids that look like CPR numbers are refused unless
    ``pseudonymise`` is true. With ``max_rows`` (the municipality's children aged 0-22), a register with more
    rows is refused before its rows are read: it cannot be this municipality's."""
    if isinstance(step_ids, str):
        raise TypeError("step_ids must be a sequence of step ids, not a single string")
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    name = redact_cpr(str(path))  # a file named after a child: its CPR-like number is in no message
    return read_case_register_bytes(_read_bytes(Path(path), name), name, as_of, step_ids, pseudonymise, max_rows)


def _check_size(name: str, rows: int, max_rows: float, margin: float = 1.0) -> None:
    """A register cannot have more rows than the municipality has children aged 0-22 (``margin`` allows for
    a rough count: lines, some of which may be a quoted value's)."""
    if rows > max_rows * margin:
        raise InputError(f"{name}: the case register has {rows:,} rows, more than the {max_rows:,.0f} children "
                         "aged 0-22 of the scenario's municipality (population.aged_0_22); check the file and the "
                         "scenario")


def read_case_register_bytes(
    raw: bytes, name: str, as_of: date, step_ids: Sequence[str], pseudonymise: bool = False,
    max_rows: float | None = None
) -> list[InitialCase]:
    """:func:`read_case_register` of a register held in memory (an upload: never written to disk); ``name``
    is what messages call the file (redacted: an upload named after a child)."""
    name = redact_cpr(name)
    if isinstance(step_ids, str):
        raise TypeError("step_ids must be a sequence of step ids, not a single string")
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    steps = list(step_ids)
    if max_rows is not None:  # a quick count first: a file of a million rows is refused in a second, not a minute
        _check_size(name, sum(1 for line in raw.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))
                    - 1, max_rows, margin=2)
    header, rows = _split_lines(raw, name)
    if header is None:
        raise InputError(f"{name}: the case register is empty (no header line, no rows)")
    names = _check_header(name, *header)
    if not rows:
        raise InputError(f"{name}: the case register has a header but no rows (no children with an open case)")
    if max_rows is not None:
        _check_size(name, len(rows), max_rows)
    col = {c: i for i, c in enumerate(names)}
    if not pseudonymise:
        _check_cpr(name, rows, col["case_id"])

    salt = secrets.token_bytes(16)  # never stored: the hashes below mean nothing outside this call
    seen: dict[bytes, tuple[int, int]] = {}
    cases: list[InitialCase] = []
    for r in rows:
        where = f"{name}: row {r.row} (line {r.line})"
        fields = r.fields
        split = _realign(fields, names) if len(fields) > len(names) else None
        split_message = split and f"{where}, column {split[0]}: {_show(split[1])} has a comma: {_SEPARATOR_HINT}"
        if len(fields) > len(names) and not any(f.strip() for f in fields[len(names) :]):
            fields = fields[: len(names)]  # trailing empty cells
        if len(fields) != len(names):
            if split_message:
                raise InputError(split_message)
            if len(fields) > len(names):
                raise InputError(
                    f"{where}: {len(fields)} values but the header has {len(names)} columns; a comma inside a "
                    f"value splits it in two: {_SEPARATOR_HINT}, and put quotation marks around text with commas"
                )
            raise InputError(f"{where}: {len(fields)} values but the header has {len(names)} columns")
        values = {c: fields[i].strip() for c, i in col.items()}
        try:
            cases.append(_case(r, values, col, as_of, steps, salt, seen))
        except _Bad as e:
            # a row that only seemed to fit after dropping trailing empty cells: the split number is the cause
            raise InputError(split_message or f"{where}, column {e.args[1]}: {e.args[0]}") from None
    seen.clear()
    return cases


def _case(
    r: _Line,
    values: dict[str, str],
    col: dict[str, int],
    as_of: date,
    steps: list[str],
    salt: bytes,
    seen: dict[bytes, tuple[int, int]],
) -> InitialCase:
    """One validated row; a problem raises _Bad(reason, column)."""
    case_id = values["case_id"]
    column = "case_id"
    try:
        # case id: hashed at once, only to find duplicates; a CPR number counts the same with or without hyphen
        if not case_id:
            raise _Bad("the case id is empty")
        key = cpr_digits(case_id) if looks_like_cpr(case_id) else case_id
        digest = hashlib.sha256(salt + key.encode("utf-8")).digest()
        if digest in seen:
            first_row, first_line = seen[digest]
            raise _Bad(f"the same case id as row {first_row} (line {first_line}); each child must appear once")
        seen[digest] = (r.row, r.line)

        # age: the age column if given in this row, else the birth year (mid-year assumption)
        birth_year: int | None = None
        if values.get("birth_year"):
            column = "birth_year"
            birth_year = _whole_year(values["birth_year"], _show(values["birth_year"], case_id))
            if birth_year > as_of.year:
                raise _Bad(f"the birth year is after the as-of date {as_of.isoformat()}")
        if values.get("age"):
            column = "age"
            age = _number(values["age"], _show(values["age"], case_id))
            if not 0.0 <= age <= MAX_AGE:
                raise _Bad(f"the age is outside 0 to {MAX_AGE:g} years")
            earliest_birth_year = as_of.year - int(age) - 1
        elif birth_year is not None:
            age = max(0.0, as_of.year - birth_year - 0.5)
            if age > MAX_AGE:
                raise _Bad(f"the birth year gives an age above {MAX_AGE:g} on {as_of.isoformat()}")
            earliest_birth_year = birth_year
        else:
            column = " and ".join(c for c in AGE_COLUMNS if c in col)
            raise _Bad("no age: give the birth year or the age")

        column = "step"
        step = values["step"]
        if step not in steps:
            shown = _show(step, case_id) if step else "(empty)"
            raise _Bad(f"{shown} is not a step of the scenario (steps: {', '.join(steps)}){_suggest(step, steps)}")

        column = "step_start"
        step_start = _required_date(values, column, case_id, as_of)
        if step_start.year < earliest_birth_year:
            raise _Bad("the date is before the child was born")

        column = "monthly_price_dkk"
        if not values[column]:
            raise _Bad("the price is empty")
        price = _number(values[column], _show(values[column], case_id), price=True)
        if price < 0:
            raise _Bad("the price is negative")
        if price > MAX_MONTHLY_PRICE_DKK:
            raise _Bad(f"the price is above {MAX_MONTHLY_PRICE_DKK:,.0f} DKK a month, the most the scenario format "
                       "allows for a step (50,000,000 DKK a year)")

        column = "last_review"
        last_review = _optional_date(values, column, case_id, as_of)
        if last_review is not None and last_review < step_start:
            raise _Bad("the date is before step_start")

        column = "investigation_start"
        investigation_start = _optional_date(values, column, case_id, as_of)
    except _Bad as e:
        raise _Bad(e.args[0], column) from None
    return InitialCase(r.row, age, step, step_start, price, last_review, investigation_start)


def _required_date(values: dict[str, str], column: str, case_id: str, as_of: date) -> date:
    if not values[column]:
        raise _Bad("the date is empty")
    d = _date(values[column], _show(values[column], case_id))
    if d > as_of:
        raise _Bad(f"the date is after the as-of date {as_of.isoformat()}")
    return d


def _optional_date(values: dict[str, str], column: str, case_id: str, as_of: date) -> date | None:
    if not values.get(column):
        return None
    return _required_date(values, column, case_id, as_of)


def summarise_register(cases: Iterable[InitialCase], step_ids: Sequence[str]) -> dict[str, tuple[int, float]]:
    """Per step id, in the order of ``step_ids`` and including steps without cases: (number of cases, sum of
    their monthly prices in DKK). A case on a step not in ``step_ids`` is a ValueError."""
    out: dict[str, tuple[int, float]] = {s: (0, 0.0) for s in step_ids}
    for c in cases:
        if c.step not in out:
            raise ValueError(f"row {c.row}: step '{c.step}' is not among the given step ids")
        n, total = out[c.step]
        out[c.step] = (n + 1, total + c.monthly_price_dkk)
    return out
