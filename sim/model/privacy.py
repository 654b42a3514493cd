"""CPR numbers: the one detector and the one redaction for every text that reaches an output or the terminal.

A Danish CPR number is ten digits, DDMMYY and four more, written in many ways: ``0102031234``, ``010203-1234``,
``01.02.03-1234``, ``010203 1234``, with an en dash or a minus sign from a word processor, a non-breaking or
thin space from a spreadsheet, and, once a spreadsheet has taken it for a number, ``1.02031234E+09`` (a
leading zero dropped) or ``3,112991234E+09``. Any of them in a free text a user types (a scenario's name or
description, a lever's label, a spec's label, a command-line value, a file name) is replaced by
:data:`CPR_REDACTED` before the text is used, written or printed; a register's case ids that look like one
are refused (``sim.data.register``).

The first six digits are deliberately *not* checked to be a valid date: a false alarm costs the user a
changed label, a missed CPR number leaks personal data, and a date test would pass most real numbers anyway
(and miss mistyped ones). Numbers the model computes are never redacted (a total of 3,112,991,234 DKK is not
an id): only text is.
"""

from __future__ import annotations

import re
from typing import Any

# what may stand between the parts: hyphen-minus, the Unicode dashes and minus signs a word processor or
# spreadsheet puts in its place, a slash, any Unicode space (no-break, thin, figure, ideographic ...) and
# the invisible ones (zero width, word joiner, soft hyphen); one of them
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SEP = f"[{_DASHES}/\\s{_INVISIBLE}]"
# DDMMYY, optionally written as a date (DD.MM.YY, DD-MM-YY, DD MM YY: the same separator twice), then four digits
_DATE_SEP = f"[.{_DASHES}/\\s{_INVISIBLE}]"
_BIRTH_DATE = f"[0-9]{{2}}(?P<date_sep>{_DATE_SEP}?)[0-9]{{2}}(?P=date_sep)[0-9]{{2}}"
_DIGITS = f"{_BIRTH_DATE}{_SEP}?[0-9]{{4}}"
# a ten-digit id a spreadsheet turned into a number: 3.112991234E+09 (3.11299E+09 as shown), or
# 1.02031234E+08 when it began with 0; at least four decimals, so 1.5E+09 in a text stays
_SPREADSHEET = "[1-9][.,][0-9]{4,9}[eE]\\+?0?[89]"
_CPR = re.compile(f"(?:{_DIGITS}|{_SPREADSHEET})")
_CPR_INSIDE = re.compile(f"(?<![0-9])(?:{_DIGITS}|(?<![.,]){_SPREADSHEET})(?![0-9])")
CPR_REDACTED = "CPR-removed"  # fits every free-text field, a scenario's name included (letters and a hyphen)


def redact_cpr(text: str) -> str:
    """``text`` with every CPR-like number replaced by :data:`CPR_REDACTED`."""
    return _CPR_INSIDE.sub(CPR_REDACTED, text)


def looks_like_cpr(value: str) -> bool:
    """True when ``value`` as a whole (surrounding whitespace ignored) is a CPR-like number."""
    return bool(_CPR.fullmatch(value.strip()))


def contains_cpr(value: str) -> bool:
    """A CPR-like number anywhere in ``value`` (e.g. 'SAG-0102031234'), bounded by non-digits."""
    return bool(_CPR_INSIDE.search(value))


def cpr_digits(value: str) -> str:
    """The ten digits of a CPR-like ``value`` however it is written (so two spellings of one id are one id)."""
    text = value.strip()
    if re.fullmatch(_SPREADSHEET, text):
        return f"{round(float(text.replace(',', '.'))):010d}"
    return re.sub("[^0-9]", "", text)


def redact_strings(node: Any) -> Any:
    """``node`` (a mapping read from a file or built by the app) with every string, keys included, redacted;
    numbers, dates and booleans as they are."""
    if isinstance(node, str):
        return redact_cpr(node)
    if isinstance(node, list):
        return [redact_strings(item) for item in node]
    if isinstance(node, tuple):
        return tuple(redact_strings(item) for item in node)
    if isinstance(node, dict):
        return {redact_strings(key): redact_strings(value) for key, value in node.items()}
    return node


class RedactingStream:
    """A text stream (stdout, stderr) that redacts what is written to it, line by line: a number split over
    two writes is held until its line ends (or the stream is flushed)."""

    def __init__(self, stream):
        self._stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        self._held += text
        cut = max(self._held.rfind("\n"), self._held.rfind("\r"))
        if cut >= 0:
            self._stream.write(redact_cpr(self._held[: cut + 1]))
            self._held = self._held[cut + 1:]
        return len(text)

    def flush(self) -> None:
        if self._held:
            self._stream.write(redact_cpr(self._held))
            self._held = ""
        self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
