"""The ledger is written only by its own booking methods (docs/developing.md, "Add a metric"): no model module
assigns to a ledger counter from outside, and every counter the rows read has a method that books it."""

from __future__ import annotations

import ast
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "sim" / "model"


def _names_ledger(node: ast.AST) -> bool:
    """Whether an expression reaches through something called ``ledger`` (``m.ledger.x``, ``ledger.x``)."""
    for part in ast.walk(node):
        if isinstance(part, ast.Attribute) and part.attr == "ledger":
            return True
        if isinstance(part, ast.Name) and part.id == "ledger":
            return True
    return False


def outside_writes(source: str) -> list[int]:
    """Lines that assign to an item of something reached through a ledger (``ledger.x[y] += 1``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Subscript) and _names_ledger(target.value):
                lines.append(node.lineno)
    return lines


def test_the_check_finds_an_outside_write():
    assert outside_writes("m.ledger.reviews[y] += 1\nledger.stock[i][y] = n\nx[y] = 1\n") == [1, 2]


def test_no_model_module_writes_the_ledger_from_outside():
    found = {p.name: outside_writes(p.read_text(encoding="utf-8"))
             for p in sorted(MODEL.glob("*.py")) if p.name != "ledger.py"}
    assert {name: lines for name, lines in found.items() if lines} == {}


def _subscript_base(target: ast.AST) -> str | None:
    """``self.cost[step][y]`` -> ``cost``."""
    while isinstance(target, ast.Subscript):
        target = target.value
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return target.attr
    return None


def test_every_counter_has_a_booking_method():
    """Each counter list made in ``YearLedger.__init__`` is written by some ``book_*`` method."""
    tree = ast.parse((MODEL / "ledger.py").read_text(encoding="utf-8"))
    ledger = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "YearLedger")
    methods = {n.name: n for n in ledger.body if isinstance(n, ast.FunctionDef)}
    counters = set()
    for node in ast.walk(methods["__init__"]):
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Call, ast.ListComp)):
            made = node.value.func.id if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                else "list"
            if made in ("zeros", "list"):
                counters |= {t.attr for t in node.targets if isinstance(t, ast.Attribute)}
    booked = set()
    for name, method in methods.items():
        if name.startswith("book_"):
            for node in ast.walk(method):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                    node, ast.AugAssign) else []
                booked |= {_subscript_base(t) for t in targets}
    assert len(counters) > 20  # the reader found the counters
    assert sorted(counters - booked - {"_hours_before", "price_index"}) == []
