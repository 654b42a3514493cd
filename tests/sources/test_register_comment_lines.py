"""The case register's comments: only a line whose first non-blank character is ``#`` is a comment; a ``#``
inside a value (a case number such as ``Sag #12``) is data, and its row is read like any other."""

from __future__ import annotations

import datetime as dt

from sim.data.register import read_case_register_bytes

AS_OF = dt.date(2026, 9, 30)
STEPS = ("early", "preventive", "foster_family")
HEADER = "case_id,birth_year,step,step_start,monthly_price_dkk,last_review,investigation_start"


def _read(*lines: str):
    return read_case_register_bytes(("\n".join(lines) + "\n").encode("utf-8"), "register.csv", AS_OF, STEPS)


def test_a_hash_inside_a_value_keeps_the_row():
    cases = _read(
        "# exported from the case system",
        HEADER,
        "Sag #12,2015,foster_family,2024-03-01,39000,,",
        '"K-0002 # second",2012,preventive,2025-01-15,6000,,',
        "K-0003,2014,early,2026-01-10,1500,,",
    )
    assert [c.row for c in cases] == [1, 2, 3]
    assert [c.step for c in cases] == ["foster_family", "preventive", "early"]
    assert sum(c.monthly_price_dkk for c in cases) == 39000 + 6000 + 1500


def test_an_indented_hash_line_is_a_comment():
    cases = _read(HEADER, "   # a note the finance officer left", "K-0003,2014,early,2026-01-10,1500,,")
    assert [c.row for c in cases] == [1]
