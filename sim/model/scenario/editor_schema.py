"""The scenario format as JSON Schema, for editors (``boernesim schema``)."""

from __future__ import annotations

from typing import Any

from sim.model.scenario.schema import Scenario


def json_schema() -> dict:
    """JSON Schema of the scenario format, for editors.

    No key is marked required: a scenario that ``extends:`` another sets only what differs, and an editor
    should not flag it; `boernesim validate` checks the resolved whole."""
    schema = Scenario.model_json_schema()
    _drop_required(schema)
    schema["properties"]["extends"] = {"type": "string", "description": "scenario file this one overrides"}
    schema["title"] = "boernesim scenario"
    return schema


def _drop_required(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("required", None)
        for v in node.values():
            _drop_required(v)
    elif isinstance(node, list):
        for v in node:
            _drop_required(v)
