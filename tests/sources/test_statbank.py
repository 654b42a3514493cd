"""The StatBank client (sim/statbank.py), offline: fixture answers replayed through a fake transport.

The fixtures in tests/data/statbank are CONSTRUCTED from the API's documented formats, not recorded (see the
README there), and their numbers are invented. These tests check that the requests are the ones intended,
that answers become a correct history frame, and that every kind of failure is one clear StatBankError.
"""

from __future__ import annotations

import copy
import io
import json
import os
import urllib.error
from email.message import Message
from pathlib import Path

import pandas as pd
import pytest

from sim.data import statbank
from sim.data.history import read_history
from sim.data.statbank import StatBankError, fetch_history, write_history
from sim.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "statbank"
TABLES = ("FOLK1A", "UND1", "UND2", "ANBAAR9", "ANBAAR14", "ISBU02", "REGK31")
CONTRACT_METRICS = {"notifications", "children_notified", "children_placed", "placements_started",
                    "children_preventive", "population_0_17", "population_0_22", "cost_total"}


def tableinfo(table: str) -> dict:
    return json.loads((FIXTURES / f"tableinfo_{table}.json").read_text(encoding="utf-8"))


def data(table: str) -> str:
    # bytes as stored: CRLF line ends and REGK31's byte-order mark reach the parser as the API sends them
    return (FIXTURES / f"data_{table}.csv").read_bytes().decode("utf-8")


class Replay:
    """A transport that answers from the fixtures (optionally changed per test) and records every request."""

    def __init__(self, infos: dict[str, dict] | None = None, answers: dict[str, str] | None = None):
        self.infos = {t: tableinfo(t) for t in TABLES} | (infos or {})
        self.answers = {t: data(t) for t in TABLES} | (answers or {})
        self.requests: list[tuple[str, dict]] = []

    def __call__(self, url: str, body: dict) -> str:
        self.requests.append((url, copy.deepcopy(body)))
        if url == statbank.TABLEINFO_URL:
            return json.dumps(self.infos[body["table"]], ensure_ascii=False)
        assert url == statbank.DATA_URL, url
        return self.answers[body["table"]]

    def data_bodies(self) -> dict[str, dict]:
        return {b["table"]: b for u, b in self.requests if u == statbank.DATA_URL}


def values(frame: pd.DataFrame, metric: str) -> dict[int, float]:
    rows = frame[frame["metric"] == metric]
    return dict(zip(rows["year"], rows["value"]))


def variable(info: dict, var_id: str) -> dict:
    return next(v for v in info["variables"] if v["id"] == var_id)


@pytest.fixture
def fetched():
    replay = Replay()
    frame = fetch_history("101", 2021, 2024, transport=replay)
    return frame, replay


# ---------------------------------------------------------------- requests


def test_tableinfo_is_asked_first_for_every_table_in_json_and_danish(fetched):
    _, replay = fetched
    info_requests = [b for u, b in replay.requests if u == statbank.TABLEINFO_URL]
    assert info_requests == [{"table": t, "format": "JSON", "lang": "da"} for t in TABLES]
    # all metadata is checked before any data are downloaded
    first_data = next(i for i, (u, _) in enumerate(replay.requests) if u == statbank.DATA_URL)
    assert first_data == len(TABLES)
    assert all(u == statbank.DATA_URL for u, _ in replay.requests[first_data:])


def test_data_requests_name_the_tables_variables_and_codes(fetched):
    _, replay = fetched
    bodies = replay.data_bodies()
    assert list(bodies) == list(TABLES)
    for body in bodies.values():
        assert body["format"] == "CSV" and body["lang"] == "da" and body["valuePresentation"] == "Code"
    years = ["2021", "2022", "2023"]  # the yearly tables end in 2023, so 2024 is not asked for
    assert bodies["UND1"]["variables"] == [
        {"code": "ADMKOM", "values": ["101"]}, {"code": "ALDER1", "values": ["00"]}, {"code": "Tid", "values": years}]
    assert bodies["UND2"]["variables"] == [
        {"code": "ADMKOM", "values": ["101"]}, {"code": "UNDERRET", "values": ["00"]},
        {"code": "ALDER1", "values": ["00"]}, {"code": "Tid", "values": years}]
    for table in ("ANBAAR9", "ANBAAR14"):  # age eliminated: the API returns all ages
        assert bodies[table]["variables"] == [{"code": "ADMKOM", "values": ["101"]}, {"code": "Tid", "values": years}]
    assert bodies["ISBU02"]["variables"] == [
        {"code": "KOMMUNEDK", "values": ["101"]}, {"code": "INDSATSER", "values": ["2"]},
        {"code": "Tid", "values": years}]
    assert bodies["FOLK1A"]["variables"] == [
        {"code": "OMRÅDE", "values": ["101"]}, {"code": "KØN", "values": ["TOT"]},
        {"code": "CIVILSTAND", "values": ["TOT"]}, {"code": "ALDER", "values": [str(a) for a in range(23)]},
        {"code": "Tid", "values": ["2021K1", "2022K1", "2023K1", "2024K1"]}]
    # every 5.28.xx function the metadata lists, and nothing else (not 5.32.33, not 6.45.51)
    assert bodies["REGK31"]["variables"] == [
        {"code": "OMRÅDE", "values": ["101"]}, {"code": "DRANST", "values": ["1"]},
        {"code": "ART", "values": ["TOT"]}, {"code": "PRISENHED", "values": ["LOBM"]},
        {"code": "FUNKTION", "values": ["52820", "52821", "52822", "52823", "52824"]},
        {"code": "Tid", "values": years}]


def test_default_transport_posts_json_with_a_timeout(monkeypatch):
    seen = {}

    class Answer(io.BytesIO):
        headers = Message()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout=None):
        seen.update(url=request.full_url, method=request.get_method(), timeout=timeout,
                    body=json.loads(request.data.decode("utf-8")), type=request.get_header("Content-type"))
        return Answer("\ufeffADMKOM;TID;INDHOLD\r\n".encode("utf-8"))

    monkeypatch.setattr(statbank.urllib.request, "urlopen", urlopen)
    text = statbank.urllib_transport(statbank.DATA_URL, {"table": "ANBAAR9", "variables": [{"code": "OMRÅDE"}]})
    assert text == "ADMKOM;TID;INDHOLD\r\n"  # byte-order mark stripped
    assert seen["url"] == "https://api.statbank.dk/v1/data" and seen["method"] == "POST"
    assert seen["body"] == {"table": "ANBAAR9", "variables": [{"code": "OMRÅDE"}]}
    assert seen["type"].startswith("application/json")
    assert seen["timeout"] == statbank.TIMEOUT_SECONDS > 0


# ---------------------------------------------------------------- the history frame


def test_the_answers_become_a_history_frame(fetched):
    frame, _ = fetched
    assert list(frame.columns) == ["year", "metric", "value", "note"]
    assert str(frame["year"].dtype) == "int64" and str(frame["value"].dtype) == "float64"
    assert set(frame["metric"]) == CONTRACT_METRICS
    assert not frame.duplicated(["year", "metric"]).any()
    assert values(frame, "notifications") == {2021: 2950, 2022: 3120, 2023: 3370}
    assert values(frame, "children_notified") == {2021: 1830, 2022: 1905, 2023: 2011}
    assert values(frame, "children_placed") == {2021: 1190, 2022: 1164, 2023: 1142}
    assert values(frame, "children_preventive") == {2021: 4420, 2022: 4515, 2023: 4610}
    assert values(frame, "placements_started") == {2021: 322, 2022: 301}  # 2023 is '..' in the answer
    assert frame.attrs["municipality"] == "101" and frame.attrs["municipality_name"] == "København"


def test_cost_is_the_sum_of_the_528_functions_times_1000(fetched):
    frame, _ = fetched
    # 1,000 DKK: 520000 + 610000 + 480000 + 35000 in 2021 (5.28.22 is not published), and so on
    assert values(frame, "cost_total") == {2021: 1_645_000_000, 2022: 1_677_000_000, 2023: 1_701_000_000}
    note = frame.loc[frame["metric"] == "cost_total", "note"].iloc[0]
    assert "REGK31" in note and "current prices" in note and "1,000 DKK" in note
    assert "5.28.20, 5.28.21, 5.28.23, 5.28.24" in note and "5.28.22" not in note


def test_population_is_summed_over_single_ages(fetched):
    frame, _ = fetched
    # each age a in year y has 5000 + 10a + 100(y - 2021) residents in the fixture
    assert values(frame, "population_0_17") == {2021: 91_530, 2022: 93_330, 2023: 95_130, 2024: 96_930}
    assert values(frame, "population_0_22") == {2021: 117_530, 2022: 119_830, 2023: 122_130, 2024: 124_430}


def test_a_population_with_an_unpublished_age_is_left_out_not_understated():
    answer = data("FOLK1A")
    assert "101;TOT;12;TOT;2022K1;5220\r\n" in answer  # 5000 + 10 * 12 + 100
    answer = answer.replace("101;TOT;12;TOT;2022K1;5220\r\n", "101;TOT;12;TOT;2022K1;..\r\n")
    frame = fetch_history("101", 2021, 2024, transport=Replay(answers={"FOLK1A": answer}))
    assert 2022 not in values(frame, "population_0_17") and 2022 not in values(frame, "population_0_22")
    assert values(frame, "population_0_17")[2023] == 95_130
    assert any("population_0_17 2022" in w and "ALDER 12" in w for w in frame.attrs["warnings"])


def test_years_a_table_does_not_cover_are_left_out_and_reported(fetched):
    frame, _ = fetched
    assert 2024 not in values(frame, "notifications") and 2024 in values(frame, "population_0_17")
    warnings = frame.attrs["warnings"]
    assert any(w.startswith("UND1 has no figures for 2024") and "2015-2023" in w for w in warnings)
    assert any("ANBAAR14" in w and "placements_started 2023" in w for w in warnings)


def test_nothing_at_all_is_an_error():
    replay = Replay()
    with pytest.raises(StatBankError, match=r"no figures for municipality 101 \(København\) in 1990-1995"):
        fetch_history("101", 1990, 1995, transport=replay)
    assert all(u == statbank.TABLEINFO_URL for u, _ in replay.requests)  # no data request for uncovered years


def test_the_528_family_ignores_the_main_function_and_other_functions():
    info = statbank._parse_tableinfo(json.dumps({"variables": [{"id": "FUNKTION", "values": [
        {"id": "528", "text": "5.28 Tilbud til børn og unge med særlige behov"},
        {"id": "52820", "text": "5.28.20 Plejefamilier"}, {"id": "52821", "text": "5.28.21 Forebyggende"},
        {"id": "52810", "text": "5.28.1 typo"}, {"id": "53233", "text": "5.32.33 Forebyggende indsats"},
        {"id": "52899", "text": "5.28.999 not a function"}]}]}), "REGK31")
    family = statbank.SOURCES[-1].metrics[0].select
    assert statbank._resolve(info, info.variables["FUNKTION"], family) == ["52820", "52821"]


# ---------------------------------------------------------------- writing the file


def test_write_history_writes_a_file_the_history_reader_accepts(fetched, tmp_path):
    frame, _ = fetched
    out = tmp_path / "history.csv"
    write_history(frame, out)
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# Statistics Denmark") and "101 København" in lines[0]
    assert "year,metric,value,note" in lines
    assert "2021,cost_total,1645000000,\"REGK31: the municipality's net operating spending" in text
    assert any(line.startswith("# warning: UND1 has no figures for 2024") for line in lines)
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]  # no temporary file left behind
    back = read_history(out)
    assert len(back) == len(frame)
    merged = back.merge(frame, on=["year", "metric"], suffixes=("", "_fetched"))
    assert (merged["value"] == merged["value_fetched"]).all() and (merged["note"] == merged["note_fetched"]).all()


def test_write_history_replaces_the_file_atomically(fetched, tmp_path, monkeypatch):
    frame, _ = fetched
    out = tmp_path / "history.csv"
    out.write_text("the old history\n", encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(statbank.os, "replace", fail)
    with pytest.raises(InputError, match="cannot write the history file .*No space left on device"):
        write_history(frame, out)
    assert out.read_text(encoding="utf-8") == "the old history\n"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]  # the temporary file was removed


def test_write_history_into_a_missing_directory_is_a_clear_error(fetched, tmp_path):
    frame, _ = fetched
    with pytest.raises(InputError, match="the directory .*nowhere does not exist"):
        write_history(frame, tmp_path / "nowhere" / "history.csv")


def test_write_history_with_a_plain_frame(tmp_path):
    out = tmp_path / "h.csv"
    write_history(pd.DataFrame({"year": [2020], "metric": ["notifications"], "value": [12.5]}), out)
    assert out.read_text(encoding="utf-8") == "year,metric,value,note\n2020,notifications,12.5,\n"
    assert os.stat(out).st_mode & 0o777 == 0o644


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("code", ["1O1", "12", "1011", "", " 10 1", "København"])
def test_a_municipality_code_that_is_not_three_digits(code):
    replay = Replay()
    with pytest.raises(StatBankError, match="is not three digits.*e.g. 101 \\(København\\)"):
        fetch_history(code, 2021, 2023, transport=replay)
    assert replay.requests == []  # refused before asking anyone


def test_a_municipality_code_given_as_a_number():
    with pytest.raises(StatBankError, match="give it as text of three digits"):
        fetch_history(101, 2021, 2023, transport=Replay())


def test_an_unknown_municipality_code():
    with pytest.raises(StatBankError, match="unknown municipality code '999'.*FOLK1A, UND1, UND2"):
        fetch_history("999", 2021, 2023, transport=Replay())


def test_a_municipality_missing_from_one_table_is_named():
    info = tableinfo("ISBU02")
    variable(info, "KOMMUNEDK")["values"] = [v for v in variable(info, "KOMMUNEDK")["values"] if v["id"] != "751"]
    with pytest.raises(StatBankError, match=r"municipality 751 \(Aarhus\) is not listed in table\(s\) ISBU02"):
        fetch_history("751", 2021, 2023, transport=Replay(infos={"ISBU02": info}))


def test_first_year_after_last_year():
    replay = Replay()
    with pytest.raises(StatBankError, match="the first year 2024 is after the last year 2020"):
        fetch_history("101", 2024, 2020, transport=replay)
    assert replay.requests == []


@pytest.mark.parametrize("year_from, year_to", [("2020", 2021), (2020.0, 2021), (True, 2021), (20, 2021)])
def test_years_that_are_not_years(year_from, year_to):
    with pytest.raises(StatBankError, match="first year"):
        fetch_history("101", year_from, year_to, transport=Replay())


# ---------------------------------------------------------------- network and HTTP


def test_a_network_failure_says_the_api_could_not_be_reached_and_how_to_do_without():
    def offline(url, body):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    with pytest.raises(StatBankError) as caught:
        fetch_history("101", 2021, 2023, transport=offline)
    message = str(caught.value)
    assert "api.statbank.dk could not be reached" in message
    assert "Temporary failure in name resolution" in message
    assert "year,metric,value,note" in message and "by hand" in message
    assert caught.value.__cause__ is None  # one clear message, no chained traceback


def test_a_timeout_is_a_network_failure():
    def slow(url, body):
        raise TimeoutError("timed out")

    with pytest.raises(StatBankError, match="could not be reached while asking for the table information of FOLK1A"):
        fetch_history("101", 2021, 2023, transport=slow)


def test_an_http_error_includes_the_apis_message():
    def refuse(url, body):
        if url == statbank.DATA_URL:
            payload = json.dumps({"errorTypeCode": "EXTRACT-NOTFOUND",
                                  "message": "Kan ikke finde værdien: 101 (OMRÅDE)"}).encode("utf-8")
            raise urllib.error.HTTPError(url, 400, "Bad Request", Message(), io.BytesIO(payload))
        return Replay()(url, body)

    with pytest.raises(StatBankError) as caught:
        fetch_history("101", 2021, 2023, transport=refuse)
    assert str(caught.value) == ("api.statbank.dk answered HTTP 400 (Bad Request) to the request for the figures of "
                                 "FOLK1A: Kan ikke finde værdien: 101 (OMRÅDE) [EXTRACT-NOTFOUND]")


def test_an_http_error_without_a_body():
    def broken(url, body):
        raise urllib.error.HTTPError(url, 503, "Service Unavailable", Message(), None)

    with pytest.raises(StatBankError, match=r"HTTP 503 \(Service Unavailable\).*no message in the answer"):
        fetch_history("101", 2021, 2023, transport=broken)


def test_an_error_in_place_of_csv_is_reported():
    error = '{"errorTypeCode":"EXTRACT-NOTALLOWED","message":"Der skal vælges værdier for variabel: OMRÅDE"}'
    with pytest.raises(StatBankError, match="refused the request for the figures of UND1: Der skal vælges"):
        fetch_history("101", 2021, 2023, transport=Replay(answers={"UND1": error}))


def test_an_answer_for_another_municipality_is_not_taken():
    answer = data("UND2").replace("\r\n101;", "\r\n147;")
    with pytest.raises(StatBankError, match="unexpected answer .*UND2.*ADMKOM is '147'"):
        fetch_history("101", 2021, 2023, transport=Replay(answers={"UND2": answer}))


def test_a_value_that_is_not_a_number():
    answer = data("ANBAAR9").replace(";1164", ";1164 children")
    with pytest.raises(StatBankError, match="ANBAAR9: '1164 children' is not a number"):
        fetch_history("101", 2021, 2023, transport=Replay(answers={"ANBAAR9": answer}))


def test_danish_number_format_is_read():
    answer = data("ANBAAR9").replace(";1190", ";1.190").replace(";1164", ";1164,5")
    frame = fetch_history("101", 2021, 2023, transport=Replay(answers={"ANBAAR9": answer}))
    assert values(frame, "children_placed") == {2021: 1190.0, 2022: 1164.5, 2023: 1142.0}


# ---------------------------------------------------------------- codes checked against tableinfo


def test_a_value_code_missing_from_tableinfo_is_named():
    info = tableinfo("REGK31")
    variable(info, "PRISENHED")["values"] = [{"id": "INDL", "text": "Pr. indbygger, løbende priser (kr.)"}]
    replay = Replay(infos={"REGK31": info})
    with pytest.raises(StatBankError) as caught:
        fetch_history("101", 2021, 2023, transport=replay)
    message = str(caught.value)
    assert message.startswith("table REGK31, variable PRISENHED: value code 'LOBM'")
    assert "is not listed in the table's metadata (tableinfo)" in message and "SOURCES" in message
    assert replay.data_bodies() == {}  # stopped before downloading any data


def test_a_value_code_that_means_something_else_is_refused():
    info = tableinfo("UND1")
    alder = variable(info, "ALDER1")
    alder["values"] = [{"id": "00", "text": "0 år"}, {"id": "IALT", "text": "I alt"}] + alder["values"][2:]
    with pytest.raises(StatBankError, match="variable ALDER1: value code '00' means '0 år'.* not 'i alt'"):
        fetch_history("101", 2021, 2023, transport=Replay(infos={"UND1": info}))


def test_a_missing_code_suggests_the_values_with_the_expected_text():
    info = tableinfo("ISBU02")
    indsatser = variable(info, "INDSATSER")
    indsatser["values"][0]["id"] = "002"
    with pytest.raises(StatBankError, match="value code '2' .*mentions 'i alt': 002 \\(BØRN OG UNGE"):
        fetch_history("101", 2021, 2023, transport=Replay(infos={"ISBU02": info}))


def test_a_variable_missing_from_tableinfo_is_named():
    info = tableinfo("UND2")
    variable(info, "UNDERRET")["id"] = "UNDERRETNING"
    with pytest.raises(StatBankError, match="table UND2 has no variable UNDERRET .*did you mean UNDERRETNING"):
        fetch_history("101", 2021, 2023, transport=Replay(infos={"UND2": info}))


def test_a_variable_that_cannot_be_eliminated_must_be_named():
    info = tableinfo("ANBAAR9")
    variable(info, "ALERAMS")["elimination"] = False
    with pytest.raises(StatBankError, match="table ANBAAR9: variable ALERAMS \\(alder\\) must be given a value"):
        fetch_history("101", 2021, 2023, transport=Replay(infos={"ANBAAR9": info}))


def test_no_528_function_in_tableinfo():
    info = tableinfo("REGK31")
    funktion = variable(info, "FUNKTION")
    funktion["values"] = [v for v in funktion["values"] if not v["text"].startswith("5.28")]
    with pytest.raises(StatBankError, match="REGK31, variable FUNKTION: tableinfo lists none of the functions 5.28"):
        fetch_history("101", 2021, 2023, transport=Replay(infos={"REGK31": info}))


def test_a_tableinfo_answer_that_is_not_json():
    with pytest.raises(StatBankError, match="unexpected answer .*tableinfo\\) of FOLK1A: not JSON"):
        fetch_history("101", 2021, 2023, transport=lambda url, body: "<html>maintenance</html>")


def test_sources_use_the_contract_metric_names_and_note_their_evidence():
    names = [m.name for s in statbank.SOURCES for m in s.metrics]
    assert sorted(names) == sorted(CONTRACT_METRICS)
    assert all(s.checked for s in statbank.SOURCES)
    assert all(m.note.startswith(s.table + ":") for s in statbank.SOURCES for m in s.metrics)
