"""No CPR-like number from any free text a user types reaches an output or the terminal: one detector
(sim.model.privacy) and one redaction, applied where a text enters (scenario and spec files, the app's
mapping, a register's name) and where it leaves (the terminal, the default output folder's name)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from commands import cli
from typer.testing import CliRunner

from sim.analysis.calibration.spec import load_spec as load_calibration_spec
from sim.analysis.sensitivity import load_spec as load_sensitivity_spec
from sim.cli import app
from sim.data.register import read_case_register_bytes
from sim.errors import InputError
from sim.model.privacy import RedactingStream, contains_cpr, looks_like_cpr, redact_cpr
from sim.model.scenario import load_scenario, scenario_from_mapping
from sim.outputs.files import default_out_dir

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# one id, written in the forms a careless copy produces; the test looks for its digits in any of them
CPR = "3112991234"
FORMS = ["3112991234", "311299-1234", "311299\u00a01234", "311299\u202f1234", "311299\u20131234",
         "311299\u22121234", "31.12.99-1234", "3.112991234E+09", "3,112991234E+09", "3.11299E+09"]
LEAK = re.compile(r"311299|3[.,]11299\d*[eE]")


@pytest.mark.parametrize("form", FORMS + ["0102031234", "1.02031234E+08", "010203\u20091234", "010203\u200b1234"])
def test_the_detector_finds_an_id_written_with_any_space_dash_or_as_a_spreadsheet_number(form):
    assert looks_like_cpr(form)
    assert contains_cpr(f"Familie {form}, Nørrebro")
    assert not LEAK.search(redact_cpr(f"Familie {form}, Nørrebro"))


@pytest.mark.parametrize("text", ["1.5E+09 DKK", "2015-2019", "31 cases per caseworker", "97.000 -> 137.986",
                                  "caseworkers.fte: 20 -> 25"])
def test_the_detector_leaves_ordinary_numbers_in_a_text(text):
    assert redact_cpr(text) == text


def _scenario_text(form: str) -> str:
    return (f"extends: {BASELINE}\n"
            f"name: barn-{form.replace(chr(0xa0), '').replace(chr(0x202f), '')}\n"
            f"label: {{en: 'Child {form}', da: 'Barn {form}'}}\n"
            f"description: 'Plan for {form}'\n"
            "calendar: {burn_in_years: 0}\npopulation: {aged_0_17: 1000, aged_0_22: 1300}\ncaseworkers: {fte: 2}\n"
            "levers:\n  - setting: caseworkers.fte\n    by: 1\n    start: 2027-01-01\n"
            f"    label: 'one more for {form}'\n")


@pytest.mark.parametrize("form", ["3112991234", "311299\u00a01234", "3.112991234E+09"])
def test_a_scenario_keeps_no_cpr_like_number_in_its_name_labels_or_description(tmp_path, form):
    path = tmp_path / "t.yaml"
    path.write_text(_scenario_text(form), encoding="utf-8")
    scenario = load_scenario(path)
    assert not LEAK.search(scenario.model_dump_json()), scenario.model_dump_json()
    assert scenario.name.startswith("barn-")
    built = scenario_from_mapping({**scenario.model_dump(mode="json"), "name": f"app-{CPR}"})  # as the app builds
    assert not LEAK.search(built.model_dump_json())


def test_validate_prints_no_cpr_like_number(tmp_path):
    path = tmp_path / f"plan {CPR}.yaml"
    path.write_text(_scenario_text("311299\u00a01234"), encoding="utf-8")
    done = CliRunner().invoke(app, ["validate", str(path)])
    assert done.exit_code == 0, done.output
    assert not LEAK.search(done.output), done.output
    missing = CliRunner().invoke(app, ["validate", str(tmp_path / f"barn {CPR}.yaml")])
    assert missing.exit_code == 2 and not LEAK.search(missing.output)


LABELLED = "parameters:\n  - {path: caseworkers.fte, low: 16, high: 24, label: 'fte CPR_HERE'}\n"


@pytest.mark.parametrize(("loader", "text"), [
    (load_sensitivity_spec, LABELLED + "outputs: [{metric: cost_total}]\n"),
    (load_calibration_spec, (ROOT / "calibration" / "national" / "spec.yaml").read_text(encoding="utf-8")
     .replace("parameters:\n", LABELLED, 1)),
])
def test_a_spec_parameter_label_keeps_no_cpr_like_number(tmp_path, loader, text):
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace("CPR_HERE", "311299\u00a01234"), encoding="utf-8")
    spec = loader(path)
    assert not LEAK.search(spec.model_dump_json())
    assert any(p.label == "fte CPR-removed" for p in spec.parameters)


def test_the_default_output_folder_and_a_registers_file_name_are_redacted():
    assert not LEAK.search(str(default_out_dir(f"sweep-barn-{CPR}")))
    with pytest.raises(InputError) as caught:  # the app reads an upload under its own name
        read_case_register_bytes(b"nonsense\n", f"barn {CPR}.csv", dt.date(2026, 9, 30), ["foster_family"])
    assert not LEAK.search(str(caught.value)) and "CPR-removed" in str(caught.value)


def test_the_terminal_stream_redacts_a_number_split_over_two_writes():
    class Sink:
        text = ""

        def write(self, s):
            Sink.text += s

        def flush(self):
            pass

    stream = RedactingStream(Sink())
    stream.write("sweep over 311299")
    stream.write("-1234 ...\n")
    stream.write("progress 3112991234")
    stream.flush()
    assert not LEAK.search(Sink.text) and Sink.text.count("CPR-removed") == 2


def test_a_sweeps_progress_bar_and_message_show_no_cpr_like_setting(tmp_path):
    scenario = tmp_path / "t.yaml"
    scenario.write_text(_scenario_text("x"), encoding="utf-8")
    done = cli("sweep", scenario, "--setting", f"caseworkers.{CPR}", "--values", "1,2", "--replications", 1,
               "--years", 1, "--workers", 1, "--out", tmp_path / "out", timeout=120)
    assert done.returncode == 2, done.stderr
    assert not LEAK.search(done.stdout + done.stderr), done.stderr


def _strings_in(path: Path) -> str:
    """Every text an output file holds (numbers the model computed are not ids): csv, html, json as text,
    parquet's strings and column names, and the xlsx's shared strings, inline strings and sheet names."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return "\n".join([v for c in table.columns for v in c.to_pylist() if isinstance(v, str)]
                         + table.column_names + [str(table.schema.metadata)])
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            parts = [n for n in book.namelist() if n.endswith(".xml") and "sheet" not in n.rsplit("/", 1)[-1]]
            parts += [n for n in book.namelist() if re.search(r"worksheets/sheet\d+\.xml$", n)]
            text = "\n".join(book.read(n).decode("utf-8") for n in parts)
        return re.sub(r"<v>[^<]*</v>", "", text)  # cell values that are numbers
    if path.suffix == ".png":
        return path.name
    return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_run_with_a_cpr_like_number_in_every_free_text_writes_and_says_none(tmp_path):
    """Name, labels, description, lever label, the scenario's file name and the default output folder: no
    output file of any type and no line on the terminal holds the number in any form."""
    form = "311299\u00a01234"
    scenario = tmp_path / f"plan {CPR}.yaml"
    scenario.write_text(_scenario_text(form), encoding="utf-8")
    done = cli("run", scenario, "--replications", 2, "--years", 1, "--workers", 1, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    outputs = [p for p in (tmp_path / "results").rglob("*")]
    assert outputs and not any(LEAK.search(str(p.relative_to(tmp_path))) for p in outputs)
    written = [p for p in outputs if p.is_file()]
    assert {p.suffix for p in written} >= {".csv", ".json", ".html", ".parquet", ".xlsx"}
    leaks = [p.name for p in written if LEAK.search(_strings_in(p))]
    assert not leaks, leaks
    assert not LEAK.search(done.stdout + done.stderr), done.stdout + done.stderr



def test_a_history_note_keeps_no_cpr_like_number(tmp_path):
    from sim.data.history import read_history

    path = tmp_path / "history.csv"
    path.write_text("year,metric,value,note\n2019,notifications,1200,\"from the case of 311299 1234\"\n",
                    encoding="utf-8")
    frame = read_history(path)
    assert not LEAK.search(" ".join(frame["note"])) and "CPR-removed" in frame["note"].iloc[0]
