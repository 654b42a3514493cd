"""Reading a scenario: YAML files, ``extends:`` (mappings merged key by key, lists replaced whole), validation,
and errors that name the file, the key path and the reason."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.model.privacy import redact_strings
from sim.model.scenario.checks import cross_field_problems
from sim.model.scenario.numbers import COUNT_KEYS
from sim.model.scenario.schema import Scenario
from sim.model.yaml_input import ThousandsLike, YamlInputError, load_yaml_file


def _merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced. An empty mapping replaces
    too: it is how a scenario clears what it inherits (e.g. ``budget_dkk: {}``)."""
    if isinstance(base, dict) and isinstance(override, dict) and override:
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return override


def merge_mapping(base: Any, override: Any) -> Any:
    """``override`` laid over ``base`` as ``extends:`` does: mappings merged, lists and values replaced."""
    return _merge(base, override)


def read_yaml(path: Path) -> dict:
    try:
        data, thousands_like = load_yaml_file(path)
    except FileNotFoundError:
        raise ScenarioError(str(path), [("", "file not found")]) from None
    except YamlInputError as e:
        raise ScenarioError(str(path), [(e.where, e.reason)]) from None
    except OSError as e:
        raise ScenarioError(str(path), [("", f"cannot read file: {e.strerror}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(str(path), [("", "a scenario must be a mapping of keys to values")])
    problems = [(f"{_dotted(t.key_path)} (line {t.line})", reason)
                for t in thousands_like if (reason := _thousands_problem(t, data))]
    if problems:
        raise ScenarioError(str(path), problems)
    return redact_strings(data)  # a CPR-like number in a name, a label or a description goes no further


_COUNT_KEYS = COUNT_KEYS  # money or counts of people: there 500.000 means five hundred thousand, not 500


def _is_money_or_count(key_path: tuple, data: dict) -> bool:
    keys = [k for k in key_path if isinstance(k, str)]
    if not keys:
        return False
    if keys[-1].endswith("_dkk") or keys[-1] in _COUNT_KEYS or "budget_dkk" in keys:
        return True
    # a number that sets another (a lever's value, a spec's low and high): the setting or path beside it decides
    parent = _at(data, key_path[:-1])
    named = parent.get("setting", parent.get("path")) if isinstance(parent, dict) else None
    if isinstance(named, str) and keys[-1] in ("value", "by", "low", "high", "nominal"):
        return named.endswith("_dkk") or named.rsplit(".", 1)[-1] in _COUNT_KEYS
    return False


def _at(data, key_path: tuple):
    """The value at ``key_path`` in ``data``, or None."""
    for key in key_path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _thousands_problem(found: ThousandsLike, data: dict) -> str | None:
    """Why a number written like 500.000 is refused at its key (money or a count, or anywhere when its three
    decimals are zeros: nobody writes 110.000 for 110), or None."""
    money = _is_money_or_count(found.key_path, data)
    if not (money or found.text.replace("_", "").endswith(".000")):
        return None
    plain = found.text.replace(".", "")
    value = float(found.text.replace("_", ""))
    other = "" if money else f", or {value:g} if that is what you mean"
    return (f"'{found.text}' reads as {value:g} but looks like a Danish thousands separator; write {plain} "
            f"(no separators; a point is a decimal point){other}")


def _dotted(key_path: tuple) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else str(k)) for i, k in enumerate(key_path))


def resolve_raw(path: str | Path) -> dict:
    """The scenario as a plain mapping with every ``extends:`` applied."""
    return _resolve(Path(path), ())[0]


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict[tuple, str]]:
    """The merged mapping and, for each key path set by some file, that file (to blame the right one)."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(str(path), [("extends", f"circular extends: {chain}")])
    data = with_long_term_file(read_yaml(path), path)
    parent = data.pop("extends", None)
    origins = {key: str(path) for key in _key_paths(data)}
    if parent is None:
        return data, origins
    if not isinstance(parent, str):
        raise ScenarioError(str(path), [("extends", "must be a file name, e.g. baseline.yaml")])
    parent_path = path.parent / parent
    if not parent_path.exists():
        raise ScenarioError(str(path), [("extends", f"file '{parent}' not found next to {path.name}")])
    base, base_origins = _resolve(parent_path, (*seen, path))
    for own in NOT_INHERITED:  # they describe the file that sets them, not the one that extends it
        base.pop(own, None)
        base_origins = {k: v for k, v in base_origins.items() if k[0] != own}
    # A file that only says ``extends:`` is its parent: the empty mapping that clears applies to a key's value,
    # never to the file as a whole.
    return (_merge(base, data) if data else base), {**base_origins, **origins}


NOT_INHERITED = ("label", "description")


def with_long_term_file(data: dict, path: Path) -> dict:
    """``long_term.file`` (a YAML file next to ``path``) read under the scenario's own ``long_term`` keys, so the
    scenario holds the numbers it is valued with (the file may hold the section itself or ``long_term:``)."""
    section = data.get("long_term")
    if not isinstance(section, dict) or not section.get("file"):
        return data
    name = section["file"]
    if not isinstance(name, str):
        raise ScenarioError(str(path), [("long_term.file", "must be a file name, e.g. long_term.yaml")])
    other = path.parent / name
    if not other.exists():
        raise ScenarioError(str(path), [("long_term.file", f"file '{name}' not found next to {path.name}")])
    loaded = read_yaml(other)
    loaded = loaded.get("long_term", loaded) if isinstance(loaded, dict) else loaded
    if not isinstance(loaded, dict):
        raise ScenarioError(str(other), [("long_term", "must be a mapping of the long_term section's keys")])
    return {**data, "long_term": _merge(loaded, section)}


def _key_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a mapping; lists count as one value (they are replaced whole)."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((*prefix, k))
            out.extend(_key_paths(v, (*prefix, k)))
    return out


def _blame(loc: tuple, origins: dict[tuple, str], default: str) -> str:
    """The file that set the longest prefix of a key path."""
    for n in range(len(loc), 0, -1):
        hit = origins.get(tuple(loc[:n])) or origins.get(tuple(str(x) for x in loc[:n]))
        if hit:
            return hit
    return default


def key_path(loc: tuple, raw: dict, label_key: str = "id") -> str:
    """A pydantic location as a readable key path; list items also show their ``label_key`` (a step's id)."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and isinstance(node, list):
            label = f"[{item}]"
            if 0 <= item < len(node) and isinstance(node[item], dict) and label_key in node[item]:
                label += f" ({node[item][label_key]})"
            parts.append(label)
            node = node[item] if 0 <= item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def keys_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a mapping may have at a key path's parent (the fields of the model there), or [] when the
    path does not lead to a model (a list item is passed over by its index)."""
    node: Any = model
    for item in loc[:-1]:
        node = _inner_model(node, item)
        if node is None:
            return []
    node = _inner_model(node, None) if not _is_model(node) else node
    return list(node.model_fields) if _is_model(node) else []


def _is_model(node: Any) -> bool:
    return isinstance(node, type) and issubclass(node, BaseModel)


def _inner_model(node: Any, item: Any) -> Any:
    """The model one step down a key path: a model's field by name, a list's or mapping's item by its index or
    key; Optional, Annotated and tuples are looked through (the first model found)."""
    if _is_model(node):
        if isinstance(item, int):
            return node  # a list item: the list's model, looked through already
        if not isinstance(item, str) or item not in node.model_fields:
            return None
        return _unwrap(node.model_fields[item].annotation)
    return _unwrap(node)


def _unwrap(annotation: Any) -> Any:
    """A model within an annotation (``X | None``, ``tuple[X, ...]``, ``dict[str, X]``, ``Annotated[X, ...]``)."""
    if _is_model(annotation):
        return annotation
    for arg in get_args(annotation):
        found = _unwrap(arg)
        if found is not None:
            return found
    return None


def did_you_mean(key: str, valid: list[str]) -> str | None:
    """The valid key closest to a misspelt one ('fte_chages' -> 'fte_changes'), if one is close enough."""
    close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
    return close[0] if close else None


def validation_reason(err: dict, keys_hint: str = "`boernesim schema` lists the keys",
                      model: type[BaseModel] | None = None) -> str:
    if err["type"] == "extra_forbidden":
        loc = tuple(err["loc"])
        close = did_you_mean(loc[-1], keys_at(model, loc)) if model is not None and loc else None
        if close is not None:
            return f"unknown key (did you mean `{close}`?)"
        return f"unknown key (check the spelling; {keys_hint})"
    if err["type"] == "missing":
        return "required key is missing"
    msg = err["msg"]
    return msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg


def scenario_from_mapping(raw: dict, source: str = "<scenario>", origins: dict[tuple, str] | None = None) -> Scenario:
    """Validate a resolved mapping; raises ScenarioError naming every problem found.

    ``origins`` (key path -> file) lets an error in a file that others extend name that file. Every text in
    ``raw`` is redacted first (sim.model.privacy), so no CPR-like number reaches the scenario."""
    raw = redact_strings(raw)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as e:
        by_file: dict[str, list[tuple[str, str]]] = {}
        spelt: dict[str, str] = {}  # one file named two ways (as given, and as resolved) is one file
        for err in e.errors():
            where = _blame(err["loc"], origins or {}, source)
            where = spelt.setdefault(_same_file(where), where)
            by_file.setdefault(where, []).append((key_path(err["loc"], raw), validation_reason(err, model=Scenario)))
        first = next(iter(by_file))
        raise ScenarioError(first, by_file[first] if len(by_file) == 1 else _with_files(by_file)) from None
    problems = cross_field_problems(scenario, raw)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def _same_file(name: str) -> str:
    """A file's name as one key whether it was given relative or absolute ('<scenario>' as it is)."""
    return str(Path(name).resolve()) if not name.startswith("<") else name


def _with_files(by_file: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return [(f"{path} (in {Path(f).name})", reason) for f, problems in by_file.items() for path, reason in problems]


def load_scenario(path: str | Path) -> Scenario:
    """Read, resolve ``extends:`` and validate a scenario file."""
    raw, origins = _resolve(Path(path), ())
    return scenario_from_mapping(raw, str(path), origins)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML (dates as ISO strings)."""
    return yaml.safe_dump(json.loads(scenario.model_dump_json()), sort_keys=False, allow_unicode=True)
