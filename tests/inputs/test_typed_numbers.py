"""Numbers as a person types them, read by the one reader the app's fields and the command line share."""

from __future__ import annotations

import pytest

from sim.analysis.forecast import parse_spent
from sim.errors import InputError
from sim.model.scenario.numbers import NumberTextError, check_range, format_typed, read_number


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("550.000", "money", 550_000),
    ("550,000", "money", 550_000),
    ("1.234.567,50", "money", 1_234_567.5),
    ("1,234,567.50", "money", 1_234_567.5),
    ("12,5 mio.", "money", 12_500_000),
    ("12.5 mio", "money", 12_500_000),
    ("2 mia. kr.", "money", 2e9),
    ("550 000 kr.", "money", 550_000),
    ("550000", "money", 550_000),
    ("30e6", "money", 30e6),
    ("20.000", "count", 20_000),
    ("0,005", "number", 0.005),
    ("1.025", "number", 1.025),
    ("1,5", "number", 1.5),
    ("0,5 %", "number", 0.005),
    ("−3", "number", -3),
])
def test_a_number_typed_the_danish_or_the_english_way_is_read_right(text, kind, value):
    assert read_number(text, kind) == pytest.approx(value)


@pytest.mark.parametrize(("text", "kind", "reason"), [
    ("", "money", "skriv et tal"),
    ("mange", "money", "er ikke et tal"),
    ("1.23.456", "money", "grupper af tre cifre"),
    ("12 kg", "money", "'kg' er ikke en enhed"),
    ("5 %", "money", "en procent er ikke et beløb"),
    ("1,5", "count", "helt tal"),
])
def test_a_number_that_cannot_be_read_is_refused_with_a_danish_reason(text, kind, reason):
    with pytest.raises(NumberTextError) as caught:
        read_number(text, kind)
    assert reason in caught.value.message("da")
    assert caught.value.message("en") == str(caught.value)


def test_an_amount_below_its_plausible_floor_suggests_the_thousandfold_number():
    with pytest.raises(NumberTextError) as caught:
        check_range(550.0, 100_000, plausible=True, shown="550")
    assert caught.value.message("da") == "550 er under 100.000, det mindste, der er sandsynligt her: mente du 550.000?"
    assert check_range(0.0, 100_000, plausible=True) == 0.0  # 0 means none
    with pytest.raises(NumberTextError, match="below 1"):
        check_range(0.0, 1.0)


@pytest.mark.parametrize("value", [550_000.0, 0.005, 1_234_567.5, -3.0, 12.25])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_number_shown_in_a_field_reads_back_as_itself(value, lang):
    kind = "money" if abs(value) >= 1000 else "number"
    assert read_number(format_typed(value, lang), kind) == pytest.approx(value)


def test_the_command_line_reads_spent_to_date_as_the_app_reads_an_amount():
    assert parse_spent("84.500.000", ["5.28.20"]) == 84_500_000
    assert parse_spent("84,5 mio.", ["5.28.20"]) == 84_500_000
    with pytest.raises(InputError, match="is not a number"):
        parse_spent("lots", ["5.28.20"])
