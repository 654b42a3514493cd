"""What the answer says of a policy at the cap of a run to a precision: a clear saving or cost where the 95 %
interval of its mean NPV excludes 0, "no clear saving" only where it does not; never a clear cost called "no
clear saving" (sim.outputs.report.words.stated_precision_sentence, the command line's line)."""

from __future__ import annotations

import pytest

from sim.analysis.precision import Precision, assess
from sim.cli import _precision_line
from sim.outputs.report.words import stated_precision_sentence

M = 1e6


def _row(values, cap_reached: bool = True, relative: float = 0.1, **precision) -> dict:
    """An economics row of a run to a precision from the NPVs per replication ``values``."""
    import numpy as np

    found = assess(np.asarray(values, dtype=float), Precision(relative=relative, **precision), probability=True)
    assert found["precision_reached"] is not cap_reached
    return {"npv_dkk": found["npv_mean_dkk"], "replications": found["replications"], **found}


COST = [-40 * M, -35 * M, -50 * M, 5 * M] * 10  # clearly below 0, the chance of a saving 1 in 4: not to ±0.03
SAVING = [40 * M, 35 * M, 50 * M, -5 * M] * 10
UNCLEAR = [40 * M, -40 * M] * 20  # mean 0 within a wide interval


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_clear_cost_at_the_cap_is_called_a_clear_cost(lang):
    row = _row(COST)
    assert row["npv_sign_clear"]
    said = stated_precision_sentence(row, lang)
    assert ("The cost is clear" if lang == "en" else "Merudgiften er klar") in said
    assert "No clear saving" not in said and "Ingen klar besparelse" not in said
    assert ("not to ±3 percentage points within 40 runs" if lang == "en"
            else "ikke til ±3 procentpoint inden for 40 kørsler") in said


def test_a_clear_saving_at_the_cap_gives_its_chance_with_its_error():
    row = _row(SAVING)
    said = stated_precision_sentence(row, "en")
    assert "The saving is clear" in said and "75 %" in said
    assert f"± {100 * row['prob_mc_error']:.1f}".rstrip("0").rstrip(".") in said
    assert "not to ±3 percentage points within 40 runs" in said


def test_only_an_unclear_sign_is_no_clear_saving():
    row = _row(UNCLEAR)
    assert not row["npv_sign_clear"]
    assert "No clear saving" in stated_precision_sentence(row, "en")


def test_a_precise_answer_says_so():
    row = _row(SAVING, cap_reached=False, relative=0.5, probability=0.2)
    assert "Run to the stated precision: 40 runs" in stated_precision_sentence(row, "en")


def test_the_command_line_says_the_same_and_each_policy_runs():
    policies = {"cuts": {**_row(COST)}, "unclear": {**_row(UNCLEAR)}}
    line = _precision_line({"reached": False, "replications": 40, "policies": policies})
    assert "cuts: 40 runs" in line and "clear cost" in line
    assert line.count("no clear saving") == 1 and "unclear: 40 runs" in line


def test_a_run_to_a_precision_states_its_chance_error_once():
    """The chance's 95 % interval sentence belongs to runs of a fixed number; a run to a precision has said its
    chance's error already."""
    from sim.outputs.report.words import precision_sentence

    row = {**_row(SAVING), "prob_net_saving_low": 0.6, "prob_net_saving_high": 0.86,
           "replications_for_prob_within_5pp": 290}
    precise = precision_sentence(row, "en")
    assert "The saving is clear" in precise and "lies between" not in precise
    fixed = {k: v for k, v in row.items() if k != "precision_reached"}
    assert "lies between 60 % and 86 % (95 %)" in precision_sentence(fixed, "en")
