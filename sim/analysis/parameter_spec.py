"""A parameter spec: which key paths of a scenario are varied, and over which range.

Shared by sensitivity analysis and calibration: a **parameter** is a key path into the resolved scenario
mapping (dotted keys; a list item addressed by its ``id`` or ``level``, other items by position), with a low
and a high value; the key must be set in the scenario (its value there is the *nominal* value). The checks
here (paths exist, both ends give valid scenarios, metrics are ones the model reports) run before any
simulation, so a misspelt path fails at once, naming the spec's key.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.errors import ScenarioError
from sim.model import catalogue
from sim.model.keypaths import get_path, set_path
from sim.model.scenario import Scenario, key_path, scenario_from_mapping, validation_reason


class SpecError(ScenarioError):
    """A spec (sensitivity or calibration) that cannot be used; the message names the file, the key path and the
    reason."""

    what = "sensitivity spec"  # calibration specs name themselves (CalibrationSpecError)



class SpecPart(BaseModel):
    """A part of a spec: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterLabel(SpecPart):
    """A parameter's name in the report in both languages (``label: {en: ..., da: ...}``)."""

    en: str = Field(min_length=1)
    da: str = Field(min_length=1)


class Parameter(SpecPart):
    """A key path of the scenario varied between ``low`` and ``high``."""

    path: str = Field(min_length=1, description="key path into the scenario, e.g. caseworkers.fte")
    low: float = Field(description="lowest value sampled")
    high: float = Field(description="highest value sampled")
    label: str | ParameterLabel = Field(default="", description="name in the report, one text or {en, da} "
                                        "(default: the setting's label, else the path)")
    integer: bool = Field(default=False, description="round sampled values to whole numbers")

    @field_validator("low", "high")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("high")
    @classmethod
    def _above_low(cls, high: float, info) -> float:
        low = info.data.get("low")
        if low is not None and not high > low:
            raise ValueError(f"high ({high:g}) must be above low ({low:g})")
        return high

    @property
    def name(self) -> str:
        """The English name (one text is used in either language), else the path."""
        if isinstance(self.label, ParameterLabel):
            return self.label.en
        return self.label or self.path

    def label_in(self, lang: str) -> str | None:
        """The name in the language when the spec gives one in it (a {en, da} label; one text counts as
        English), else None."""
        if isinstance(self.label, ParameterLabel):
            return self.label.da if lang == "da" else self.label.en
        return (self.label or None) if lang == "en" else None


def listed_once(keys: Sequence[str], what: str, hint: str = "") -> None:
    """ValueError naming the keys listed more than once (a spec's parameters, outputs, targets)."""
    twice = sorted({k for k in keys if list(keys).count(k) > 1})
    if twice:
        raise ValueError(f"{what} {', '.join(twice)} is listed more than once{hint}")


def hidden_by_its_items(err: dict, errors: list[dict]) -> bool:
    """A list whose items all failed also reports "too short"; the items' own errors say more."""
    n = len(err["loc"])
    return err["type"] == "too_short" and any(len(o["loc"]) > n and o["loc"][:n] == err["loc"] for o in errors)


def spec_key_path(loc: tuple, raw: Any) -> str:
    """A pydantic location as a key path; parameter items also show their path."""
    return key_path(loc, raw, label_key="path")


def spec_reason(err: dict, keys_hint: str) -> str:
    """Why a spec's value is refused, in words (``keys_hint`` says where the keys are listed)."""
    if err["type"] == "too_short":
        return "list at least one"
    return validation_reason(err, keys_hint=keys_hint)


def parameter_value(p: Parameter, v: float) -> float:
    return float(round(v)) if p.integer else float(v)


def parameter_problems(raw: dict, parameters: Sequence[Parameter], calendar_reason: str) -> list[tuple[str, str]]:
    """(spec key, reason) for each parameter that is not a number set in the scenario, or whose low or high
    end gives an invalid scenario; calendar settings are refused with ``calendar_reason``."""
    problems: list[tuple[str, str]] = []
    for i, p in enumerate(parameters):
        where = f"parameters[{i}] ({p.path})"
        if p.path.split(".")[0] == "calendar":
            problems.append((f"{where}.path", calendar_reason))
            continue
        try:
            get_path(raw, p.path)
        except KeyError as e:
            problems.append((f"{where}.path", f"unknown parameter: {e.args[0]}"))
            continue
        if p.integer and math.ceil(p.low) > math.floor(p.high):
            problems.append((f"{where}.low", f"integer: true, but no whole number lies in {p.low:g}..{p.high:g}"))
            continue
        for end in ("low", "high"):
            trial = copy.deepcopy(raw)
            set_path(trial, p.path, parameter_value(p, getattr(p, end)))
            try:
                scenario_from_mapping(trial, "<trial>")
            except ScenarioError as e:
                reasons = "; ".join(f"{path}: {reason}" for path, reason in e.problems)
                problems.append((f"{where}.{end}", f"{getattr(p, end):g} gives an invalid scenario: {reasons}"))
    return problems


def model_metric_names(scenario: Scenario) -> set[str]:
    """The metrics the model reports for this scenario (the catalogue's, for its staircase)."""
    return set(catalogue.names([step.id for step in scenario.staircase]))


def unknown_metric_reason(metric: str, known: set[str]) -> str:
    """Why an output or target metric is refused, with the closest name the model reports."""
    close = difflib.get_close_matches(metric, sorted(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else " (docs/contract.md lists the metrics)"
    return f"the model reports no metric '{metric}'{hint}"
