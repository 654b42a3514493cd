"""Shared by the fuzzers: where in a nested mapping an edit can land."""

from __future__ import annotations


def key_paths(node, prefix: tuple = ()) -> list[tuple]:
    """Every key path of ``node``: mappings by key, lists by position."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    out = []
    for key, value in items:
        out.append((*prefix, key))
        out.extend(key_paths(value, (*prefix, key)))
    return out
