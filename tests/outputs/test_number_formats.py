"""Numbers as a municipality reads them (sim.outputs.labels): Danish with a decimal comma and thousands points,
English with a decimal point and thousands commas; money below a million in whole kroner, from a million in
millions with one decimal; a share as a percent; a typographic minus."""

from __future__ import annotations

import pytest

from sim.outputs.labels import MINUS, format_money_range, format_number, format_percent


@pytest.mark.parametrize(("x", "da", "en"), [
    (12_345.0, "12.345 kr.", "12,345 DKK"),
    (999_999.0, "999.999 kr.", "999,999 DKK"),
    (12_500_000.0, "12,5 mio. kr.", "12.5 m DKK"),
    (-3_100_000.0, f"{MINUS}3,1 mio. kr.", f"{MINUS}3.1 m DKK"),
], ids=["thousands", "below-a-million", "millions", "negative"])
def test_money(x, da, en):
    assert format_number(x, "da", money=True) == da
    assert format_number(x, "en", money=True) == en


@pytest.mark.parametrize(("x", "da", "en"), [(1234.0, "1.234", "1,234"), (12.5, "12,5", "12.5"),
                                             (0.25, "0,25", "0.25")], ids=["thousands", "tens", "below-one"])
def test_counts(x, da, en):
    assert format_number(x, "da") == da
    assert format_number(x, "en") == en


def test_percent_and_missing_values():
    assert format_percent(0.455, "en") == "46 %"
    assert format_percent(0.455, "da", digits=1) == "45,5 %"
    assert format_number(float("nan"), "da", money=True) == "-"
    assert format_number(-0.001, "en") == "0.00"  # no minus on a zero


def test_a_money_range_has_one_unit():
    assert format_money_range(-3_100_000.0, 25_000_000.0, "da") == (f"{MINUS}3,1", "25,0 mio. kr.")
    assert format_money_range(120_000.0, 480_000.0, "en") == ("120,000", "480,000 DKK")
