"""How the app's charts write numbers and name scenarios in the chosen language: Vega's number locale (Danish:
100.000.000 and 0,8, as the report writes them) and the scenarios' labels (``label:`` in their files) in
legends, facets and hover texts, never their file names."""

from __future__ import annotations

import altair as alt
import pandas as pd

# d3-format's locale as Vega reads it from a chart's ``config.locale``
NUMBER_LOCALES = {
    "da": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0kr."]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", "\u00a0DKK"]},
}


def localised(chart, lang: str):
    """The chart with its numbers (axes, hover texts) written in the language's way; other settings kept."""
    chart = chart.copy(deep=False)
    locale = {"number": NUMBER_LOCALES[lang]}
    if chart.config is alt.Undefined:
        chart.config = alt.Config(locale=locale)
    else:
        chart.config = chart.config.copy()
        chart.config.locale = locale
    return chart


def value_format(values) -> str:
    """A d3 format for hover texts: whole numbers with thousands separators from 100 on (131.000.000), two
    significant decimals below (0,45; 31,2)."""
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").abs()
    return ",.0f" if numbers.max(skipna=True) >= 100 else ",.3~r"


def with_labels(frame: pd.DataFrame, labels: dict[str, str], *columns: str) -> pd.DataFrame:
    """The frame with a ``<column>_label`` beside each scenario column: the scenario's label, else its name."""
    out = frame.copy()
    for column in columns:
        out[f"{column}_label"] = [labels.get(v, str(v)) for v in out[column]]
    return out
