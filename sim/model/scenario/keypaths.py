"""Key paths into a resolved scenario mapping: the numbers that sensitivity analysis and calibration vary.

A key path is dotted keys, where a list item is addressed by its ``id`` (``staircase.foster_family.price_per_year_dkk``)
or ``level`` (``needs.levels.4.improvement_rate_per_year``); other list items by position (``levers.0.value``).
The key must already hold a number in the scenario: a parameter varies the scenario's own value.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from sim.model.scenario.schema import Scenario


def _find_item(items: list, part: str, where: str) -> int:
    """Index of the list item addressed by ``part``: its id, its level, or (no ids or levels) its position."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id")) == part and "id" in item:
            return i
    for i, item in enumerate(items):
        if isinstance(item, dict) and "level" in item and str(item["level"]) == part:
            return i
    keyed = [item for item in items if isinstance(item, dict) and ("id" in item or "level" in item)]
    if not keyed and part.isdigit() and int(part) < len(items):
        return int(part)
    names = [str(item.get("id", item.get("level"))) for item in keyed]
    if names:
        raise KeyError(f"'{where}' has no item '{part}' (items: {', '.join(names)})")
    raise KeyError(f"'{where}' has {len(items)} items; address one by position 0..{len(items) - 1}")


def locate_key_path(raw: dict, path: str) -> tuple[Any, Any]:
    """The container and key of the number at a key path of a resolved scenario mapping;
    KeyError with the reason otherwise."""
    parts = path.split(".")
    if any(not p for p in parts):
        raise KeyError(f"'{path}' is not a key path like caseworkers.fte")
    node: Any = raw
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, dict):
            keys = [str(k) for k in node]
            if part in node:
                key: Any = part
            elif part.lstrip("-").isdigit() and int(part) in node:
                key = int(part)
            elif part in format_fields(parts[:depth]):
                raise KeyError(f"'{path}' is not set in the scenario; set a value there first (a parameter "
                               "varies the scenario's own value)")
            else:
                close = difflib.get_close_matches(part, keys, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (keys: {', '.join(keys)})"
                raise KeyError(f"'{where}' has no key '{part}'{hint}")
        elif isinstance(node, list):
            key = _find_item(node, part, where)
        else:
            raise KeyError(f"'{where}' is a single value, so '{path}' goes too deep")
        if depth == len(parts) - 1:
            value = node[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                kind = "not set" if value is None else f"not a number ({type(value).__name__})"
                raise KeyError(f"'{path}' is {kind} in the scenario; a parameter must be a number set there")
            return node, key
        node = node[key]
    raise AssertionError("unreachable")


def format_fields(parts: Sequence[str]) -> set[str]:
    """The keys the scenario format allows at a key path (empty if unknown): list items are skipped."""
    import typing

    cls: Any = Scenario
    i = 0
    while i < len(parts):
        f = cls.model_fields.get(parts[i]) if isinstance(cls, type) and issubclass(cls, BaseModel) else None
        if f is None:
            return set()
        ann = f.annotation
        i += 1
        if typing.get_origin(ann) is tuple:
            ann = typing.get_args(ann)[0]
            i += 1  # the item's id, level or position
        cls = ann
    return set(cls.model_fields) if isinstance(cls, type) and issubclass(cls, BaseModel) else set()


def get_path(raw: dict, path: str) -> float:
    """The number at a key path of a resolved scenario mapping (KeyError naming the problem)."""
    node, key = locate_key_path(raw, path)
    return node[key]


def set_path(raw: dict, path: str, value: float) -> None:
    """Set the number at a key path of a resolved scenario mapping, in place.

    ``staircase.foster_family.price_per_year_dkk``: list items by ``id``; ``needs.levels.4.x``: by ``level``;
    other lists by position. The key must already hold a number; KeyError naming the problem otherwise."""
    node, key = locate_key_path(raw, path)
    node[key] = value
