"""Reading a number as a person types it, in Danish or English: ``550.000``, ``1.234.567,50``, ``12,5 mio.``,
``550 000 kr.``, ``1,234,567.50``, ``30e6``. One reader for the app's fields and the command line's amounts, so
both read a typed number the same way, or refuse it with the same reason.

What a separator means depends on what is read: in an amount of money or a count (``kind`` "money" or
"count") ``550.000`` and ``550,000`` are five hundred and fifty thousand (nobody writes a fraction of a krone
with three decimals); in any other number (a rate, a share, a factor, months) a single point or comma is the
decimal mark (``0,005``, ``1.025``). Several points or commas are thousands separators, and with both, the last
one is the decimal mark. A YAML file keeps its own rule (``sim.model.yaml_input``: a point is a decimal point,
and ``500.000`` at a money key is refused with the same pattern, ``DANISH_THOUSANDS``).
"""

from __future__ import annotations

import math
import re

from sim.model.yaml_input import DANISH_THOUSANDS

# keys whose values are amounts of people or staff: there 500.000 means five hundred thousand, not 500
COUNT_KEYS = ("aged_0_17", "aged_0_22", "capacity", "fte")
KINDS = ("money", "count", "quantity", "number")  # quantity: an amount of something, not whole (34,2 FTEs)

# words after the number that multiply it (Danish and English), lower case, without a final point
_MULTIPLIERS = {
    "mio": 1e6, "mill": 1e6, "million": 1e6, "millioner": 1e6, "m": 1e6, "mn": 1e6,
    "mia": 1e9, "milliard": 1e9, "milliarder": 1e9, "bn": 1e9, "billion": 1e9,
    "t": 1e3, "tus": 1e3, "tusind": 1e3, "k": 1e3, "thousand": 1e3,
}
_UNITS = ("kr", "dkk", "kroner")  # the currency, dropped (money only)
_GROUPING = re.compile(r"(?<=\d)[ \u00a0\u202f'’](?=\d{3}(\D|$))")  # 550 000, 1'234'567
_TAIL = re.compile(r"^(?P<number>.*?\d\.?)\s*(?P<words>[^\d\s.,+-][^\d]*)?$")
_SIMPLE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPS = {".": re.compile(r"[+-]?\d{1,3}(\.\d{3})+"), ",": re.compile(r"[+-]?\d{1,3}(,\d{3})+")}

# reasons in both languages: (English, Danish); {text} is what was typed
_REASONS = {
    "empty": ("write a number", "skriv et tal"),
    "not_number": ("'{text}' is not a number (e.g. 550000, 550.000 or 12,5 mio.)",
                   "'{text}' er ikke et tal (fx 550000, 550.000 eller 12,5 mio.)"),
    "groups": ("'{text}': thousands separators must stand between groups of three digits (1.234.567)",
               "'{text}': tusindtalsseparatorer skal stå mellem grupper af tre cifre (1.234.567)"),
    "word": ("'{text}': '{word}' is not a unit this field reads (mio., mia., kr.)",
             "'{text}': '{word}' er ikke en enhed, feltet kan læse (mio., mia., kr.)"),
    "percent": ("'{text}': a percentage is not an amount; write the amount", "'{text}': en procent er ikke et "
                "beløb; skriv beløbet"),
    "not_finite": ("'{text}' is not a finite number", "'{text}' er ikke et endeligt tal"),
    "not_whole": ("'{text}' must be a whole number", "'{text}' skal være et helt tal"),
    "below": ("{shown} is below {low}, the least plausible here: did you mean {hint}?",
              "{shown} er under {low}, det mindste, der er sandsynligt her: mente du {hint}?"),
    "below_plain": ("{shown} is below {low}, the least allowed here", "{shown} er under {low}, det mindste, der "
                    "er tilladt her"),
    "above": ("{shown} is above {high}, the most allowed here", "{shown} er over {high}, det højeste, der er "
              "tilladt her"),
}


class NumberTextError(ValueError):
    """A typed number that cannot be read, or lies outside its plausible range: ``key`` and ``params`` give
    the reason in either language (``message(lang)``); ``str()`` is the English one."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        english, danish = _REASONS[self.key]
        shown = {k: format_typed(v, lang) if isinstance(v, float) else v for k, v in self.params.items()}
        return (danish if lang == "da" else english).format(**shown)


def format_typed(value: float, lang: str) -> str:
    """A number as a person of the language types it, which ``read_number`` reads back: 550.000 / 550,000,
    0,005 / 0.005 (up to six significant decimals, no exponent)."""
    if float(value).is_integer():
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
    if lang == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _plain_number(body: str, kind: str, text: str) -> float:
    """The number in ``body`` (sign, digits, separators; no words)."""
    if kind == "number" and _SIMPLE.fullmatch(body):
        return float(body)
    points, commas = body.count("."), body.count(",")
    if points and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if decimal == "." else "."
        whole, _, fraction = body.rpartition(decimal)
        if group in fraction or not (_GROUPS[group].fullmatch(whole) or re.fullmatch(r"[+-]?\d{1,3}", whole)):
            raise NumberTextError("groups", text=text)
        return float(whole.replace(group, "") + "." + fraction)
    for mark, count in ((".", points), (",", commas)):
        if count > 1 or (count == 1 and kind != "number" and DANISH_THOUSANDS.fullmatch(body.replace(",", "."))):
            if not _GROUPS[mark].fullmatch(body):
                raise NumberTextError("groups", text=text)
            return float(body.replace(mark, ""))
    body = body.replace(",", ".")
    if not _SIMPLE.fullmatch(body):
        raise NumberTextError("not_number", text=text)
    return float(body)


def _split_words(text: str) -> tuple[str, list[str]]:
    """The number's text and the words after it (``12,5 mio. kr.`` -> ``12,5``, [mio, kr])."""
    m = _TAIL.match(text)
    if m is None or not m["words"]:
        return text, []
    words = [w.rstrip(".").lower() for w in m["words"].split() if w.rstrip(".")]
    return m["number"].rstrip(".") if words else m["number"], words


def number_kind(key_path: str) -> str:
    """How a number typed for the scenario's ``key_path`` is read: money (``..._dkk``), a quantity (a count of
    people or staff, which may have a fraction: 34,2 FTEs) or another number (a rate, a share, a factor)."""
    last = str(key_path).rsplit(".", 1)[-1]
    if last.endswith("_dkk"):
        return "money"
    return "quantity" if last in COUNT_KEYS else "number"


def read_number(text: str, kind: str = "number") -> float:
    """The value of a number typed by a person (see the module's rules), or NumberTextError saying why not.
    ``kind`` is "money", "count" (a whole number), "quantity" (read as money is, without a currency) or
    "number"; a percentage (``5 %``) is read as a share
    (0.05) in a number, and refused in money or a count."""
    if kind not in KINDS:
        raise ValueError(kind)
    shown = " ".join(str(text).split())
    body = shown.replace("−", "-").replace("–", "-")
    if not body:
        raise NumberTextError("empty")
    factor = 1.0
    if body.endswith("%"):
        if kind != "number":
            raise NumberTextError("percent", text=shown)
        body, factor = body[:-1].strip(), 0.01
    body = _GROUPING.sub("", body)
    body, words = _split_words(body)
    for word in words:
        if word in _MULTIPLIERS and factor == 1.0:
            factor = _MULTIPLIERS[word]
        elif not (word in _UNITS and kind == "money"):
            raise NumberTextError("word", text=shown, word=word)
    value = _plain_number(body.replace(" ", ""), kind, shown) * factor
    if not math.isfinite(value):
        raise NumberTextError("not_finite", text=shown)
    if kind == "count":
        if abs(value - round(value)) > 1e-9:
            raise NumberTextError("not_whole", text=shown)
        value = float(round(value))
    return value


def check_range(value: float, low: float | None = None, high: float | None = None, *, plausible: bool = False,
                shown: str = "") -> float:
    """``value`` if it lies in [low, high], else NumberTextError. With ``plausible`` the low bound is a
    plausibility floor (0 stays allowed: it means none), and the reason suggests the number a thousand times
    larger (``550`` for ``550.000``); a negative value is left to the range of the scenario format."""
    typed = shown or float(value)
    if low is not None and value < low:
        if plausible and value > 0:
            raise NumberTextError("below", shown=typed, low=float(low), hint=float(value * 1000))
        if not plausible:
            raise NumberTextError("below_plain", shown=typed, low=float(low))
    if high is not None and value > high:
        raise NumberTextError("above", shown=typed, high=float(high))
    return value
