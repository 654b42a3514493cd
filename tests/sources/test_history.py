"""History files (sim.data.history): reading docs/contract.md's ``year,metric,value[,note]`` CSV, the errors a user
gets for a bad file, rows the scenario cannot produce, and the nearest-year rule used to scale rates.

No simulation; well under a second.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.data.history import HistoryError, read_history, split_by_model, value_at
from sim.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = ROOT / "calibration" / "national" / "history.csv"


def write(tmp_path: Path, text: str, name: str = "history.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def problems_of(tmp_path: Path, text: str) -> tuple[str, list[str]]:
    """The message and the problems of the HistoryError that reading ``text`` raises."""
    with pytest.raises(HistoryError) as e:
        read_history(write(tmp_path, text))
    assert isinstance(e.value, InputError)  # the CLI turns it into exit 2 with one message
    return str(e.value), e.value.problems


# ---------------------------------------------------------------- a good file


GOOD = """\
# national figures, rounded
year,metric,value,note

2019,notifications,137986,DST UND1
2017,notifications,117400,
2018,notifications,127754,"revised, DST UND1"
   # an indented comment
2018,screenings_on_time_share,0.93
2018,stock.foster_family,4500,31 Dec
2018,population_0_17,1160000,derived
"""


@pytest.mark.parametrize("bom", [False, True])
def test_a_good_file_reads_sorted_with_types(tmp_path, bom):
    frame = read_history(write(tmp_path, GOOD, bom=bom))
    assert list(frame.columns) == ["year", "metric", "value", "note"]
    assert len(frame) == 6  # comments and blank lines skipped
    assert list(zip(frame["metric"], frame["year"])) == [
        ("notifications", 2017), ("notifications", 2018), ("notifications", 2019),
        ("population_0_17", 2018), ("screenings_on_time_share", 2018), ("stock.foster_family", 2018),
    ]  # sorted by metric, then year
    assert pd.api.types.is_integer_dtype(frame["year"])
    assert pd.api.types.is_float_dtype(frame["value"])
    got = frame.set_index(["metric", "year"])
    assert got.loc[("notifications", 2019), "value"] == 137986.0
    assert got.loc[("screenings_on_time_share", 2018), "value"] == pytest.approx(0.93)
    assert got.loc[("notifications", 2018), "note"] == "revised, DST UND1"  # a quoted comma stays in the note
    assert got.loc[("notifications", 2017), "note"] == ""  # empty note
    assert got.loc[("screenings_on_time_share", 2018), "note"] == ""  # note column left out on the line


def test_note_column_is_optional_and_header_case_and_spaces_do_not_matter(tmp_path):
    frame = read_history(write(tmp_path, " Year , Metric ,VALUE\n2019, notifications , 5.5e2 \n"))
    assert frame.to_dict("records") == [{"year": 2019, "metric": "notifications", "value": 550.0, "note": ""}]


def test_the_shipped_national_history_reads():
    frame = read_history(NATIONAL)
    assert len(frame) > 0 and frame["value"].gt(0).all()
    assert {"notifications", "children_placed", "population_0_17", "population_0_22"} <= set(frame["metric"])
    assert not frame.duplicated(["year", "metric"]).any()


# ---------------------------------------------------------------- bad files: line and column named


HEADER = "year,metric,value,note\n"


@pytest.mark.parametrize(
    "body, words",
    [
        # header without value: line 1, the missing column
        ("year,metric,note\n2019,notifications,x\n", ["line 1", "no column 'value'"]),
        # unknown metric with a suggestion for a near miss
        (HEADER + "2019,notification,137986,\n", ["line 2", "column metric", "unknown metric 'notification'",
                                                   "did you mean 'notifications'"]),
        (HEADER + "2019,wellbeing_index,3,\n", ["line 2", "column metric", "unknown metric 'wellbeing_index'"]),
        (HEADER + "2019,stock.Foster Family,3,\n", ["line 2", "column metric", "not a step id"]),
        (HEADER + "2019,metric-less,3,\n", ["line 2", "column metric"]),
        # a Danish number: decimal comma, point as thousands separator
        (HEADER + '2019,notifications,"1.234,5",\n', ["line 2", "column value", "'1.234,5' is not a number",
                                                      "decimal separator"]),
        (HEADER + "2019,notifications,many,\n", ["line 2", "column value", "'many' is not a number"]),
        (HEADER + "2019,notifications,,\n", ["line 2", "column value", "is not a number"]),
        (HEADER + "2019,notifications,nan,\n", ["line 2", "column value"]),
        (HEADER + "2019,notifications,-5,\n", ["line 2", "column value", "negative"]),
        (HEADER + "2019,screenings_on_time_share,93,\n", ["line 2", "column value", "above 1", "share"]),
        (HEADER + "19,notifications,5,\n", ["line 2", "column year", "'19' is not a year"]),
        (HEADER + "2019.0,notifications,5,\n", ["line 2", "column year"]),
        (HEADER + "2019,notifications,5,a,b\n", ["line 2", "5 fields but the header has 4"]),
    ],
)
def test_a_bad_line_is_named_with_its_column(tmp_path, body, words):
    message, problems = problems_of(tmp_path, body)
    assert message.startswith("invalid history file") and "history.csv" in message
    assert len(problems) == 1, problems
    for w in words:
        assert w in message, (w, message)


def test_line_numbers_count_comments_and_blank_lines(tmp_path):
    body = "# source: DST\n\nyear,metric,value\n2018,notifications,1\n\n# gap\n2019,notifications,-1\n"
    _, problems = problems_of(tmp_path, body)
    assert len(problems) == 1 and problems[0].startswith("line 7, column value"), problems


def test_a_duplicate_names_both_lines(tmp_path):
    body = HEADER + "2018,notifications,1,\n2019,notifications,2,\n2018,notifications,3,again\n"
    message, problems = problems_of(tmp_path, body)
    assert len(problems) == 1
    assert "line 4" in message and "line 2" in message and "notifications 2018" in message, message
    assert "twice" in message


def test_the_same_metric_in_different_years_or_years_of_different_metrics_is_no_duplicate(tmp_path):
    body = HEADER + "2018,notifications,1,\n2019,notifications,2,\n2018,children_notified,1,\n"
    assert len(read_history(write(tmp_path, body))) == 3


@pytest.mark.parametrize("body, word", [("", "empty"), ("# only a comment\n\n", "empty"),
                                        (HEADER, "no data rows")])
def test_a_file_without_rows_is_refused(tmp_path, body, word):
    message, _ = problems_of(tmp_path, body)
    assert word in message


def test_several_problems_are_reported_at_once(tmp_path):
    body = (HEADER
            + "2018,notifications,100,\n"
            + "20x8,notifications,100,\n"  # line 3: year
            + "2019,notificatons,1,\n"  # line 4: metric
            + "2019,children_notified,-3,\n"  # line 5: value
            + "2019,reviews_on_time_share,1.5,\n"  # line 6: share
            + "2018,notifications,100,\n")  # line 7: duplicate of line 2
    message, problems = problems_of(tmp_path, body)
    assert len(problems) == 5, problems
    for line, column in [(3, "column year"), (4, "column metric"), (5, "column value"), (6, "column value")]:
        assert any(p.startswith(f"line {line}, {column}") for p in problems), (line, problems)
    assert any(p.startswith("line 7") and "line 2" in p for p in problems), problems
    assert message.count("history.csv: line") == 5  # each problem on its own line, naming the file


def test_a_line_with_two_problems_reports_both(tmp_path):
    _, problems = problems_of(tmp_path, HEADER + "2019,notifcations,abc,\n")
    assert sorted(p.split(":")[0] for p in problems) == ["line 2, column metric", "line 2, column value"]


def test_a_missing_file_and_a_file_that_is_not_utf8_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_history(tmp_path / "nope.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("year,metric,value,note\n2019,notifications,1,Børn\n".encode("latin-1"))
    with pytest.raises(HistoryError, match="UTF-8"):
        read_history(path)


# ---------------------------------------------------------------- rows the scenario cannot produce


def test_split_by_model_reports_rows_for_steps_the_scenario_lacks(tmp_path):
    body = (HEADER + "2018,notifications,10,\n2018,stock.own_room,4,\n2019,stock.own_room,5,\n"
            + "2018,cost.own_room,9,\n2018,population_0_17,1000,\n2018,investigation_mean_days,90,\n")
    history = read_history(write(tmp_path, body))
    model = {"notifications", "stock.foster_family", "cost.foster_family", "population_0_17"}  # no own_room
    usable, cannot = split_by_model(history, model)
    assert sorted(usable["metric"]) == ["notifications", "population_0_17"]
    assert len(usable) + len(cannot) == len(history)  # nothing dropped silently
    assert sorted(zip(cannot["metric"], cannot["year"])) == [
        ("cost.own_room", 2018), ("investigation_mean_days", 2018), ("stock.own_room", 2018),
        ("stock.own_room", 2019)]
    reason = dict(zip(cannot["metric"], cannot["reason"]))
    assert "no step 'own_room'" in reason["stock.own_room"]
    assert "no step 'own_room'" in reason["cost.own_room"]
    assert "does not report" in reason["investigation_mean_days"]
    assert set(cannot.columns) >= {"year", "metric", "value", "reason"}


# ---------------------------------------------------------------- nearest year


def test_value_at_uses_the_year_or_the_nearest_earlier_on_a_tie():
    history = pd.DataFrame({"year": [2014, 2016, 2020], "metric": ["population_0_17"] * 3,
                            "value": [100.0, 200.0, 400.0], "note": ""})
    at = lambda y: value_at(history, "population_0_17", y)  # noqa: E731
    assert at(2016) == 200.0  # the year itself
    assert at(2010) == 100.0 and at(2030) == 400.0  # before the first, after the last
    assert at(2017) == 200.0  # nearest
    assert at(2019) == 400.0  # nearest
    assert at(2015) == 100.0  # tie between 2014 and 2016: the earlier
    assert at(2018) == 200.0  # tie between 2016 and 2020: the earlier
    assert value_at(history, "population_0_22", 2016) is None  # no rows for the metric


def test_value_at_ignores_other_metrics():
    history = pd.DataFrame({"year": [2016, 2018], "metric": ["notifications", "population_0_17"],
                            "value": [5.0, 1000.0], "note": ""})
    assert value_at(history, "population_0_17", 2016) == 1000.0
