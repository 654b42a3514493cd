"""The scenario: every assumption of a run, read from YAML and validated before anything is simulated.

A scenario file may start with ``extends: other.yaml`` (relative to the file) and then override only what
differs: mappings are merged key by key, lists are replaced whole. The result is a frozen ``Scenario``.
Errors name the file, the key path and the reason, in words a finance officer can act on.

By job: ``schema`` (the format, part by part), ``checks`` (what spans several parts), ``keypaths`` (dotted
paths to a scenario's numbers), ``loading`` (files, ``extends:``, errors), ``editor_schema`` (JSON Schema).
Everything is importable from here: ``from sim.model.scenario import Scenario, load_scenario``.
"""

from sim.model.scenario.checks import applicable_assumptions
from sim.model.scenario.editor_schema import json_schema
from sim.model.scenario.keypaths import get_path, locate_key_path, set_path
from sim.model.scenario.loading import (
    key_path,
    load_scenario,
    merge_mapping,
    read_yaml,
    resolve_raw,
    scenario_from_mapping,
    scenario_to_yaml,
    validation_reason,
)
from sim.model.scenario.messages import problem_line, reason_in
from sim.model.scenario.schema import (
    ACTORS,
    GRADES,
    LEVER_CHANGES,
    MAX_DKK,
    MAX_MONTHS,
    MAX_RATE_PER_YEAR,
    MAX_REVIEW_MONTHS,
    Aftercare,
    Assumption,
    Calendar,
    CalibratedValue,
    Caseworkers,
    Caveat,
    CaveatText,
    ConsequenceProfile,
    Demand,
    Description,
    Diversion,
    Drift,
    Economics,
    Exits,
    FamilyTime,
    FteChange,
    InitialState,
    Investigation,
    Label,
    Lever,
    LongTerm,
    NeedLevel,
    Needs,
    NonNegative,
    Notifications,
    Overload,
    PolicyCost,
    Population,
    Positive,
    Prices,
    Reviews,
    Scenario,
    Screening,
    ServicePrice,
    Share,
    Step,
    StepId,
    TimeLimitedStays,
    TrendDamping,
    Turnover,
)

__all__ = [
    "ACTORS", "GRADES", "ConsequenceProfile", "LongTerm", "ServicePrice",
    "LEVER_CHANGES", "MAX_DKK", "MAX_MONTHS", "MAX_RATE_PER_YEAR", "MAX_REVIEW_MONTHS", "Aftercare", "Assumption",
    "CalibratedValue", "Calendar", "Caseworkers", "Caveat", "CaveatText", "Demand", "Description", "Diversion",
    "Drift", "Economics", "Exits", "FamilyTime", "FteChange", "InitialState", "Investigation", "Label", "Lever",
    "NeedLevel", "Needs", "NonNegative", "Notifications", "Overload", "PolicyCost", "Population", "Positive",
    "Prices", "Reviews", "Scenario", "Screening", "Share", "Step", "StepId", "TimeLimitedStays", "Turnover",
    "TrendDamping",
    "applicable_assumptions", "get_path", "json_schema", "key_path", "load_scenario", "locate_key_path",
    "merge_mapping", "problem_line", "read_yaml", "reason_in", "resolve_raw", "scenario_from_mapping",
    "scenario_to_yaml", "set_path", "validation_reason",
]
