"""Reading a YAML input file safely: every mistake a person makes with a file becomes one clear message.

``yaml.safe_load`` alone turns an impossible date, a file saved as ANSI or UTF-16, a tag such as
``!!float abc``, a self-referencing alias or deeply nested brackets into Python exceptions a user cannot act
on, silently keeps the last of two equal keys, and expands a "billion laughs" of aliases until the machine
gives up. :func:`load_yaml_file` refuses each of these with the file and the line, and reports numbers written
like ``500.000`` (a Danish thousands separator that YAML reads as 500.0) so the caller can refuse them where a
value is money or a count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 5_000_000  # a scenario is a few kilobytes; a bigger "file" is something else (/dev/zero, a dump)
MAX_DEPTH = 40  # the deepest scenario key path is 4 levels; brackets nested deeper are a mistake or an attack
MAX_NODES = 200_000  # values after expanding aliases; bounds a "billion laughs" before it is built
# one to three digits, then one or more groups of three after a point: 500.000, 1.250 (not 0.500 or 12.5)
DANISH_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+")


class YamlInputError(ValueError):
    """A YAML file that cannot be read; ``where`` is a line or key, ``reason`` what to do."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class ThousandsLike:
    """A number written like 500.000 that YAML read as a decimal fraction: its key path, text and line."""

    key_path: tuple
    text: str
    line: int


class _Marked(float):
    """A float YAML read from text that looks like a Danish thousands separator (replaced after loading)."""

    text: str
    line: int


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing duplicate keys and reporting bad tagged values with their line."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as e:
            if isinstance(e, YamlInputError):
                raise
            hint = "; write a real date as YYYY-MM-DD" if node.tag.endswith(":timestamp") else ""
            raise ConstructorError(None, None, f"'{_scalar_text(node)}' cannot be read ({_plain(e)}){hint}",
                                   node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: dict[Any, tuple[str, int]] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, ScalarNode):
                    key = _identity(self.construct_object(key_node))  # 1, 1.0 and "1" are one key to a reader
                    line = key_node.start_mark.line + 1
                    if _hashable(key) and key in seen:
                        first, first_line = seen[key]
                        same = "" if first == key_node.value else f" (as '{first}')"
                        raise YamlInputError(f"line {line}", f"key '{key_node.value}' appears twice{same} (also on "
                                             f"line {first_line}); keep one of them")
                    if _hashable(key):
                        seen[key] = (key_node.value, line)
        return super().construct_mapping(node, deep=deep)


def _identity(key: Any) -> Any:
    """What a key means once read: a number, whether written 1, 1.0 or "1" (the scenario reads "2019" and 2019
    as one year), else the key itself."""
    if isinstance(key, bool) or not isinstance(key, (int, float, str)):
        return key
    try:
        return float(key)
    except ValueError:
        return key


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# YAML 1.1 reads 1:30 as 90 (base 60) and 010 as 8 (octal): no municipality means either, so both are refused
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_OCTAL = re.compile(r"[-+]?0[0-9_]+")


def _old_number_form(node: ScalarNode) -> str | None:
    """Why a plain number written in a YAML 1.1 form nobody means is refused, or None."""
    text = node.value.strip()
    if _SEXAGESIMAL.fullmatch(text):
        return (f"'{text}' is read by YAML as a base-60 number (1:30 as 90); write the number itself, or put "
                "quotation marks around text")
    if _OCTAL.fullmatch(text):
        return f"'{text}' has a leading zero, which YAML reads as an octal number; write {int(text.replace('_', ''))}"
    return None


def _construct_int(loader: _Loader, node: ScalarNode) -> int:
    reason = _old_number_form(node)
    if reason:
        raise YamlInputError(f"line {node.start_mark.line + 1}", reason)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_float(loader: _Loader, node: ScalarNode) -> float:
    reason = _old_number_form(node)
    if reason:
        raise YamlInputError(f"line {node.start_mark.line + 1}", reason)
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if DANISH_THOUSANDS.fullmatch(node.value.strip().replace("_", "")):
        marked = _Marked(value)
        marked.text = node.value.strip()
        marked.line = node.start_mark.line + 1
        return marked
    return value


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _scalar_text(node) -> str:
    text = str(getattr(node, "value", ""))
    return text if len(text) <= 40 else text[:37] + "..."


def _plain(error: Exception) -> str:
    text = str(error)
    return text if len(text) <= 80 else text[:77] + "..."


def _decode(raw: bytes) -> str:
    """The text of a YAML file, or YamlInputError saying how to save it."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0 or raw[1] == 0)):
        raise YamlInputError("", "the file is saved as UTF-16; save it as UTF-8 text")
    if b"\x00" in raw:
        raise YamlInputError("", "this is a binary file, not a YAML text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise YamlInputError(f"line {line}", "the file is not UTF-8 text (saved as ANSI/Windows-1252?); "
                                             "save it as UTF-8") from None


def _check_graph(root: Node) -> None:
    """Refuse a self-referencing alias, nesting deeper than MAX_DEPTH and more than MAX_NODES values once
    aliases are expanded; sizes are counted per node once (memoised), so the check itself stays fast."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YamlInputError(f"line {node.start_mark.line + 1}",
                                 f"values are nested more than {MAX_DEPTH} levels deep; a scenario needs a few")
        if id(node) in on_path:
            raise YamlInputError(f"line {node.start_mark.line + 1}", "an alias (*name) refers to the value that "
                                 "contains it; write the value out instead")
        if id(node) in sizes:
            return sizes[id(node)]
        on_path.add(id(node))
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        total = 1 + sum(size(child, depth + 1) for child in children)
        on_path.discard(id(node))
        if total > MAX_NODES:
            raise YamlInputError(f"line {node.start_mark.line + 1}", f"aliases (*name) expand to more than "
                                 f"{MAX_NODES:,} values; write the values out instead")
        sizes[id(node)] = total
        return total

    size(root, 0)


def _unmark(data: Any, path: tuple, found: list[ThousandsLike]) -> Any:
    """``data`` with plain floats in place of marked ones (their places listed in ``found``), refusing
    strings that cannot be written out again (a lone surrogate from an escape such as "\\ud800")."""
    if isinstance(data, _Marked):
        found.append(ThousandsLike(path, data.text, data.line))
        return float(data)
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            where = ".".join(map(str, path)) or "(top level)"
            raise YamlInputError(where, "the text holds an invalid character (a lone surrogate such as \\ud800); "
                                 "remove the escape") from None
        return data
    if isinstance(data, dict):
        return {_unmark(k, path, found): _unmark(v, (*path, k), found) for k, v in data.items()}
    if isinstance(data, list):
        return [_unmark(item, (*path, i), found) for i, item in enumerate(data)]
    return data


def load_yaml_text(text: str) -> tuple[Any, list[ThousandsLike]]:
    """The document in ``text`` and the numbers in it written like 500.000; YamlInputError otherwise."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        _check_graph(node)
        data = loader.construct_document(node)
    except YamlInputError:
        raise
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise YamlInputError(where, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise YamlInputError("", f"values are nested too deeply (more than {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    found: list[ThousandsLike] = []
    return _unmark(data, (), found), found


def load_yaml_file(path: Path) -> tuple[Any, list[ThousandsLike]]:
    """Read a YAML file: FileNotFoundError/OSError as raised, YamlInputError for everything in the file."""
    if path.exists() and not path.is_file():
        raise YamlInputError("", "not a regular file; give a YAML file")
    with path.open("rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise YamlInputError("", f"the file is larger than {MAX_BYTES // 1_000_000} MB; a scenario is a few kB")
    return load_yaml_text(_decode(raw))
