"""The case register (sim/register.py): the shipped synthetic example reads, ages and dates are handled as
documented, every kind of bad file is refused with one message naming row, line and column, and no case id
(let alone a CPR number) ever appears in a message or in what is returned."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from sim.data.register import InitialCase, looks_like_cpr, read_case_register, summarise_register
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "calibration" / "example_case_register.csv"
AS_OF = dt.date(2026, 9, 30)
STEPS = (
    "early",
    "preventive",
    "intensive_home",
    "kinship_care",
    "foster_family",
    "own_room",
    "residential_home",
    "institution",
)
HEADER = "case_id,birth_year,step,step_start,monthly_price_dkk,last_review,investigation_start"


def register(tmp_path: Path, *rows: str, header: str = HEADER, comment: bool = True) -> Path:
    """A register file: a comment line (so line numbers differ from row numbers), the header, the rows."""
    lines = (["# test register"] if comment else []) + ([header] if header is not None else []) + list(rows)
    path = tmp_path / "register.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refused(path: Path, **kw) -> str:
    with pytest.raises(InputError) as info:
        read_case_register(path, kw.pop("as_of", AS_OF), kw.pop("step_ids", STEPS), **kw)
    return str(info.value)


GOOD = "K-0001,2015,foster_family,2024-03-01,39000,2026-03-01,"
GOOD2 = "K-0002,2012,preventive,2025-01-15,6000.50,,2026-08-01"


# ---------------------------------------------------------------- the shipped example


def test_example_reads_and_matches_an_independent_count():
    cases = read_case_register(EXAMPLE, AS_OF, STEPS)

    with EXAMPLE.open(encoding="utf-8") as f:
        first = f.readline()
        f.seek(0)
        data = [line for line in f if not line.startswith("#")]
    assert first.startswith("#") and "synthetic" in first.lower()
    expected: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    n_rows = 0
    for rec in csv.DictReader(data):
        expected[rec["step"]][0] += 1
        expected[rec["step"]][1] += float(rec["monthly_price_dkk"])
        n_rows += 1

    assert 30 <= n_rows <= 50
    assert len(cases) == n_rows
    assert [c.row for c in cases] == list(range(1, n_rows + 1))
    summary = summarise_register(cases, STEPS)
    assert list(summary) == list(STEPS)
    for step in STEPS:
        n, total = summary[step]
        assert n == expected[step][0], step
        assert total == pytest.approx(expected[step][1]), step
        assert n > 0, f"the example should use every step, {step} has no rows"
    assert all(isinstance(c, InitialCase) and 0 <= c.age <= 22 for c in cases)
    # plausible prices: a foster family far below an institution, preventive measures far below both
    mean = {s: summary[s][1] / summary[s][0] for s in STEPS}
    assert mean["preventive"] < 10_000 < mean["foster_family"] < 60_000 < mean["institution"]


def test_example_keeps_no_case_id():
    cases = read_case_register(EXAMPLE, AS_OF, STEPS)
    text = repr(cases)
    assert "K-0" not in text
    assert "case_id" not in {f for f in InitialCase.__dataclass_fields__}


# ---------------------------------------------------------------- ages and optional dates


def test_birth_year_uses_mid_year_assumption(tmp_path):
    path = register(
        tmp_path,
        "K-0001,2010,foster_family,2024-03-01,39000,,",
        "K-0002,2026,foster_family,2026-08-01,39000,,",  # born in the as-of year: age 0, not -0.5
        "K-0003,2004,own_room,2024-03-01,25000,,",  # 21.5, the oldest a birth year allows
    )
    ages = [c.age for c in read_case_register(path, AS_OF, STEPS)]
    assert ages == [15.5, 0.0, 21.5]
    # the first two rows a year later: everyone is a year older (the day in the year does not matter)
    path = register(tmp_path, "K-0001,2010,foster_family,2024-03-01,39000,,", "K-0002,2026,early,2026-08-01,3000,,")
    ages = [c.age for c in read_case_register(path, dt.date(2027, 1, 2), STEPS)]
    assert ages == [16.5, 0.5]


def test_age_column_and_age_wins_over_birth_year(tmp_path):
    only_age = register(
        tmp_path,
        "K-0001,12.25,foster_family,2024-03-01,39000",
        "K-0002,0,preventive,2026-09-01,6000",
        header="case_id,age,step,step_start,monthly_price_dkk",
    )
    assert [c.age for c in read_case_register(only_age, AS_OF, STEPS)] == [12.25, 0.0]

    both = register(
        tmp_path,
        "K-0001,2010,7,foster_family,2024-03-01,39000",  # age wins
        "K-0002,2010,,foster_family,2024-03-01,39000",  # no age in this row: the birth year is used
        header="case_id,birth_year,age,step,step_start,monthly_price_dkk",
    )
    assert [c.age for c in read_case_register(both, AS_OF, STEPS)] == [7.0, 15.5]


@pytest.mark.parametrize(
    "row, column",
    [
        ("K-0007,2003,foster_family,2024-03-01,39000,,", "birth_year"),  # 22.5 years old
        ("K-0007,2027,foster_family,2024-03-01,39000,,", "birth_year"),  # born after the as-of date
        ("K-0007,,foster_family,2024-03-01,39000,,", "birth_year"),  # no age at all
        ("K-0007,20l0,foster_family,2024-03-01,39000,,", "birth_year"),
        ("K-0007,2020,foster_family,2018-03-01,39000,,", "step_start"),  # before the child was born
    ],
)
def test_bad_ages(tmp_path, row, column):
    msg = refused(register(tmp_path, GOOD, row))
    assert "row 2 (line 4)" in msg and f"column {column}" in msg
    assert "K-0007" not in msg


def test_age_out_of_range(tmp_path):
    path = register(tmp_path, "K-0007,22.5,foster_family,2024-03-01,39000",
                    header="case_id,age,step,step_start,monthly_price_dkk")
    msg = refused(path)
    assert "row 1 (line 3), column age" in msg and "K-0007" not in msg


def test_optional_dates_read_and_empty(tmp_path):
    cases = read_case_register(register(tmp_path, GOOD, GOOD2), AS_OF, STEPS)
    assert cases[0] == InitialCase(1, 10.5, "foster_family", dt.date(2024, 3, 1), 39000.0, dt.date(2026, 3, 1), None)
    assert cases[1] == InitialCase(2, 13.5, "preventive", dt.date(2025, 1, 15), 6000.5, None, dt.date(2026, 8, 1))


def test_optional_columns_may_be_left_out_and_dates_on_the_as_of_day_are_fine(tmp_path):
    path = register(tmp_path, "K-0001,2015,early,2026-09-30,3000",
                    header="case_id,birth_year,step,step_start,monthly_price_dkk")
    (case,) = read_case_register(path, AS_OF, STEPS)
    assert case.last_review is None and case.investigation_start is None and case.step_start == AS_OF


def test_comments_blank_lines_bom_and_crlf(tmp_path):
    path = tmp_path / "register.csv"
    text = "# a comment\r\n\r\n" + HEADER + "\r\n" + GOOD + "\r\n# another\r\n\r\n" + GOOD2 + "\r\n"
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    cases = read_case_register(path, AS_OF, STEPS)
    assert [c.row for c in cases] == [1, 2]
    # the line number counts comment and blank lines: the second row is on line 7
    path.write_bytes(text.replace("2025-01-15", "2027-01-15").encode("utf-8"))
    assert "row 2 (line 7), column step_start" in refused(path)


# ---------------------------------------------------------------- refused files


@pytest.mark.parametrize("cpr", ["010203-1234", "0102031234", " 311299-4321 "])
def test_cpr_like_ids_are_refused(tmp_path, cpr):
    path = register(tmp_path, GOOD, GOOD2, f"{cpr},2015,foster_family,2024-03-01,39000,,")
    msg = refused(path)
    assert "CPR" in msg and "row 3 (line 5)" in msg and "column case_id" in msg
    assert "--pseudonymise" in msg and "case number" in msg
    assert cpr.strip() not in msg and cpr.strip().replace("-", "") not in msg
    assert "register.csv" in msg


def test_cpr_check_comes_before_other_errors(tmp_path):
    """A CPR number in a later row is reported even when an earlier row has another problem."""
    path = register(tmp_path, "K-0001,2015,foster,2024-03-01,39000,,", "0102031234,2015,early,2024-03-01,3000,,")
    msg = refused(path)
    assert "CPR" in msg and "row 2 (line 4)" in msg and "0102031234" not in msg


def test_pseudonymise_accepts_cpr_ids_and_keeps_none(tmp_path):
    ids = ["010203-1234", "0102041234", "K-0003"]
    rows = [f"{i},2015,foster_family,2024-03-01,39000,," for i in ids]
    cases = read_case_register(register(tmp_path, *rows), AS_OF, STEPS, pseudonymise=True)
    assert len(cases) == 3
    text = repr(cases) + str([vars(c) for c in cases])
    for i in ids:
        assert i not in text and i.replace("-", "") not in text
        assert i[:6] not in text  # no part of the CPR number either (e.g. the birth date)


def test_pseudonymise_still_finds_duplicates_and_hides_ids(tmp_path):
    rows = ["010203-1234,2015,foster_family,2024-03-01,39000,,", GOOD, "0102031234,2014,preventive,2024-03-01,6000,,"]
    msg = refused(register(tmp_path, *rows), pseudonymise=True)
    assert "row 3 (line 5)" in msg and "row 1 (line 3)" in msg and "case_id" in msg
    assert "0102031234" not in msg and "010203-1234" not in msg


def test_duplicate_ids(tmp_path):
    msg = refused(register(tmp_path, GOOD, GOOD2, GOOD.replace("2015", "2013")))
    assert "row 3 (line 5), column case_id" in msg and "row 1 (line 3)" in msg
    assert "K-0001" not in msg


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("K-0003,2015,foster,2024-03-01,39000,,", "step", ["the value is not a step of the scenario", "foster_family"]),
        ("K-0003,2015,foster_family,2026-10-01,39000,,", "step_start", ["after the as-of date"]),
        ("K-0003,2015,foster_family,01-03-2024,39000,,", "step_start", ["YYYY-MM-DD"]),
        ("K-0003,2015,foster_family,2024-02-30,39000,,", "step_start", ["not a valid date"]),
        ("K-0003,2015,foster_family,2024-03-01,-39000,,", "monthly_price_dkk", ["negative"]),
        ("K-0003,2015,foster_family,2024-03-01,39000 kr,,", "monthly_price_dkk", ["not a number"]),
        ("K-0003,2015,foster_family,2024-03-01,,,", "monthly_price_dkk", ["empty"]),
        ('K-0003,2015,foster_family,2024-03-01,"39000,5",,', "monthly_price_dkk", ["decimal separator"]),
        ('K-0003,2015,foster_family,2024-03-01,"39.000,50",,', "monthly_price_dkk", ["no thousands separators"]),
        ("K-0003,2015,foster_family,2024-03-01,39000,5,,", "monthly_price_dkk", ["decimal separator"]),
        ("K-0003,2015,foster_family,2024-03-01,39.000,50,,", "monthly_price_dkk", ["no thousands separators"]),
        ("K-0003,2015,foster_family,2024-03-01,39.000,,", "monthly_price_dkk", ["thousands separator"]),
        ("K-0003,2015,foster_family,2024-03-01,39 000,,", "monthly_price_dkk", ["thousands separators"]),
        ("K-0003,2015,foster_family,2024-03-01,39000,2024-02-01,", "last_review", ["before step_start"]),
        ("K-0003,2015,foster_family,2024-03-01,39000,2026-10-01,", "last_review", ["after the as-of date"]),
        ("K-0003,2015,foster_family,2024-03-01,39000,,2026-12-24", "investigation_start", ["after the as-of date"]),
        (",2015,foster_family,2024-03-01,39000,,", "case_id", ["empty"]),
    ],
)
def test_bad_values(tmp_path, row, column, words):
    msg = refused(register(tmp_path, GOOD, GOOD2, row))
    assert msg.startswith(str(tmp_path / "register.csv") + ": row 3 (line 5), column " + column + ":"), msg
    for w in words:
        assert w in msg, msg
    assert "K-0003" not in msg
    assert msg.count("\n") == 0


def test_unknown_step_lists_the_steps(tmp_path):
    msg = refused(register(tmp_path, "K-0003,2015,foster,2024-03-01,39000,,"))
    assert all(s in msg for s in STEPS)


def test_a_value_equal_to_the_case_id_is_not_shown(tmp_path):
    """Columns shifted by mistake can put the case id (or a CPR number) where the step belongs."""
    msg = refused(register(tmp_path, "foster_family,2015,foster_family,2024-03-01,39000,,"), step_ids=STEPS[:4])
    assert "column step" in msg and "foster_family" not in msg.split("steps:")[0]
    msg = refused(register(tmp_path, "K-0003,2015,0102031234,2024-03-01,39000,,"), pseudonymise=True)
    assert "column step" in msg and "0102031234" not in msg


@pytest.mark.parametrize("missing", ["case_id", "step", "step_start", "monthly_price_dkk"])
def test_missing_column(tmp_path, missing):
    names = HEADER.split(",")
    keep = [i for i, n in enumerate(names) if n != missing]
    row = ",".join(GOOD.split(",")[i] for i in keep)
    msg = refused(register(tmp_path, row, header=",".join(names[i] for i in keep)))
    assert "header (line 2)" in msg and f"column {missing} is missing" in msg
    assert "K-0001" not in msg


def test_missing_age_columns(tmp_path):
    msg = refused(register(tmp_path, "K-0001,foster_family,2024-03-01,39000",
                           header="case_id,step,step_start,monthly_price_dkk"))
    assert "birth_year or age" in msg and "header (line 2)" in msg


def test_unknown_column(tmp_path):
    header = HEADER.replace("monthly_price_dkk", "monthly_price")
    msg = refused(register(tmp_path, GOOD, header=header))
    assert "header (line 2)" in msg and "'monthly_price' is not a column" in msg and "monthly_price_dkk?" in msg


def test_cpr_column_is_refused_with_a_reason(tmp_path):
    msg = refused(register(tmp_path, GOOD + ",010203-1234", header=HEADER + ",cpr"))
    assert "'cpr' is not a column" in msg and "CPR" in msg and "010203-1234" not in msg


def test_no_header_does_not_echo_the_first_row(tmp_path):
    msg = refused(register(tmp_path, "010203-1234,2015,foster_family,2024-03-01,39000,,", header=None))
    assert "header" in msg and "010203-1234" not in msg


def test_semicolon_separated(tmp_path):
    msg = refused(register(tmp_path, GOOD.replace(",", ";"), header=HEADER.replace(",", ";")))
    assert "semicolons" in msg


@pytest.mark.parametrize("content", ["", "# only a comment\n\n", "\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "register.csv"
    path.write_text(content, encoding="utf-8")
    msg = refused(path)
    assert "register.csv" in msg and "empty" in msg


def test_header_without_rows(tmp_path):
    assert "no rows" in refused(register(tmp_path))


def test_too_few_values(tmp_path):
    msg = refused(register(tmp_path, GOOD, "K-0003,2015,foster_family"))
    assert "row 2 (line 4)" in msg and "3 values" in msg and "K-0003" not in msg


def test_missing_file_and_not_utf8(tmp_path):
    assert "not found" in refused(tmp_path / "nothing.csv")
    path = tmp_path / "register.csv"
    path.write_bytes((HEADER + "\n" + GOOD.replace("K-0001", "K-Ø001") + "\n").encode("latin-1"))
    assert "UTF-8" in refused(path)


def test_summarise_counts_empty_steps_and_rejects_foreign_steps():
    case = InitialCase(1, 10.0, "early", AS_OF, 3000.0, None, None)
    summary = summarise_register([case, case], STEPS)
    assert summary["early"] == (2, 6000.0) and summary["institution"] == (0, 0.0)
    with pytest.raises(ValueError):
        summarise_register([case], ["foster_family"])


# ---------------------------------------------------------------- looks_like_cpr


@pytest.mark.parametrize(
    "value", ["010203-1234", "0102031234", "  311299-4321\t", "010203\u20131234", "999999-9999", "010203 1234",
              "010203/1234"]
)
def test_looks_like_cpr_true(value):
    assert looks_like_cpr(value)


@pytest.mark.parametrize(
    "value",
    ["K-0001", "", "01020312345", "010203-123", "01020-31234", "0102-031234", "010203--1234", "abcdef-ghij",
     "2026-001234", "SAG 0102031234", "010203-1234-A"],
)
def test_looks_like_cpr_false(value):
    assert not looks_like_cpr(value)


def test_ids_with_a_cpr_inside_are_refused_too(tmp_path):
    """looks_like_cpr is exact; the register is stricter and refuses an id with a CPR-shaped run of digits."""
    msg = refused(register(tmp_path, "SAG-0102031234,2015,foster_family,2024-03-01,39000,,"))
    assert "CPR" in msg and "0102031234" not in msg


def test_trailing_empty_cells_are_not_taken_for_a_split_number(tmp_path):
    """A spreadsheet may add an empty cell at the end of a row; 2010 next to age 7 is not '2010,7'."""
    path = register(tmp_path, "K-0001,2010,7,foster_family,2024-03-01,39000,",
                    header="case_id,birth_year,age,step,step_start,monthly_price_dkk")
    assert [c.age for c in read_case_register(path, AS_OF, STEPS)] == [7.0]
