"""The report's forecast sentences (Danish and English): the expected result, then the band's low end before
its high end, for the as-of year and the next budget year; the budget and the probability of exceeding it."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from sim.analysis.forecast import FORECAST_COLUMNS
from sim.outputs.report.forecast import forecast_section

AMOUNTS = {  # year: (spent, expected, p05, p95): all distinct, so no swap can pass by coincidence
    2026: (15e6, 81e6, 72e6, 93e6),
    2027: (0.0, 104e6, 96e6, 117e6),
}
NUMBER = {"en": r"(\d+\.\d) m DKK", "da": r"(\d+,\d) mio\. kr\."}


def _forecast() -> pd.DataFrame:
    rows = []
    for year, (spent, expected, lo, hi) in AMOUNTS.items():
        budget, prob = (85e6, 0.3) if year == 2026 else (np.nan, np.nan)
        rows.append((year, "total", spent, expected, lo, hi, budget, prob))
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


def _lead_sentences(lang: str) -> list[str]:
    parts = forecast_section(_forecast(), None, "2026-09-30", lang, figure=None)
    lead = next(p for p in parts if 'class="lead"' in p)
    return [html.unescape(s) for s in re.findall(r"<span>(.*?)</span>", lead)]


def _millions(sentence: str, lang: str) -> list[float]:
    return [float(m.replace(",", ".")) for m in re.findall(NUMBER[lang], sentence)]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_forecast_sentences_give_the_band_low_end_first(lang):
    this, nxt = _lead_sentences(lang)
    spent, expected, lo, hi = AMOUNTS[2026]
    # expected, low end, high end, spent, then the budget
    assert _millions(this, lang) == [expected / 1e6, lo / 1e6, hi / 1e6, spent / 1e6, 85.0]
    assert "30" in this.split("85")[-1]  # the probability of exceeding the budget follows it
    _, expected, lo, hi = AMOUNTS[2027]
    assert _millions(nxt, lang) == [expected / 1e6, lo / 1e6, hi / 1e6]
    assert "2027" in nxt and "2026" in this
