"""Numbers as the report writes them: a metric's value or difference, fixed decimals in either language,
money axes in thousands or millions, rates, years and ranges."""

from __future__ import annotations

import re

import pandas as pd

from sim.model.catalogue import is_money, is_share
from sim.outputs.labels import MINUS, format_number, format_percent, money_unit


def format_metric(value: float, metric: str, lang: str) -> str:
    """A metric's value as a committee reads it: money in kr./DKK, shares as percent, counts rounded."""
    if is_money(metric):
        return format_number(value, lang, money=True)
    if is_share(metric):
        return format_percent(value, lang)
    return format_number(value, lang)


def format_difference(value: float, metric: str, lang: str) -> str:
    """A difference with its sign: '+1.2 m DKK', '−3 pp' (percentage points) for shares."""
    if value is None or pd.isna(value):
        return "-"
    if is_share(metric):
        s = format_number(100 * value, lang).rstrip()
        s = s + (" %-point" if lang == "da" else " pp")
    else:
        s = format_metric(value, metric, lang)
    return s if s.startswith(MINUS) or is_zero_text(s) else "+" + s


def is_zero_text(s: str) -> bool:
    return not any(c in "123456789" for c in s)


def fixed_decimals(x: float, lang: str, decimals: int) -> str:
    if x is None or pd.isna(x):
        return "-"
    s = f"{float(x):,.{decimals}f}"
    if s.startswith("-"):
        s = s[1:] if is_zero_text(s) else MINUS + s[1:]
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "da" else s


def with_unit(label: str, unit: str) -> str:
    """'Total cost (DKK)' -> 'Total cost (m DKK)'."""
    return re.sub(r"\s*\((DKK|kr\.)\)$", "", label) + f" ({unit})"


def money_scale(biggest: float) -> float:
    return 1e6 if abs(biggest) >= 1e6 else 1e3 if abs(biggest) >= 1e4 else 1.0


def money_axis_label(lang: str, scale: float) -> str:
    """The unit of a money axis whose ticks are divided by ``scale``: 'm DKK' / 'mio. kr.'."""
    if scale >= 1e6:
        return "mio. kr." if lang == "da" else "m DKK"
    if scale >= 1e3:
        return "1.000 kr." if lang == "da" else "thousand DKK"
    return money_unit(lang)


def rate_text(rate: float, lang: str) -> str:
    if rate is None or pd.isna(rate):
        return "-"
    digits = 0 if abs(100 * float(rate) - round(100 * float(rate))) < 1e-9 else 1
    return format_percent(rate, lang, digits)


def year_or_none(value) -> int | None:
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
        return int(round(float(value)))
    except (TypeError, ValueError):
        return None


def whole_number(x: float, lang: str) -> str:
    """A count as a whole number with the language's thousands separator (73, 1.234 / 1,234)."""
    return f"{int(x):,}".replace(",", "." if lang == "da" else ",")


def range_value(x: float, lang: str) -> str:
    if abs(x) >= 1000:
        return format_number(x, lang, money=abs(x) >= 1e5)
    return fixed_decimals(x, lang, 2).rstrip("0").rstrip(",.") if x != int(x) else fixed_decimals(x, lang, 0)
