"""Key paths into a resolved scenario mapping: the numbers that sensitivity analysis and calibration vary.

A key path is dotted keys, where a list item is addressed by its ``id`` (``staircase.foster_family.price_per_year_dkk``)
or ``level`` (``needs.levels.4.improvement_rate_per_year``); other list items by position (``levers.0.value``).
The key must already hold a number in the scenario: a parameter varies the scenario's own value.
"""

from __future__ import annotations

from sim.model.scenario import locate_key_path as _locate


def get_path(raw: dict, path: str) -> float:
    """The number at a key path of a resolved scenario mapping (KeyError naming the problem)."""
    node, key = _locate(raw, path)
    return node[key]


def set_path(raw: dict, path: str, value: float) -> None:
    """Set the number at a key path of a resolved scenario mapping, in place.

    ``staircase.foster_family.price_per_year_dkk``: list items by ``id``; ``needs.levels.4.x``: by ``level``;
    other lists by position. The key must already hold a number; KeyError naming the problem otherwise."""
    node, key = _locate(raw, path)
    node[key] = value
