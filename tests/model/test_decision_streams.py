"""Every decision draws from its own random stream (sim.model.randomness.DECISIONS).

Common random numbers rest on it: two scenarios run with the same seed face the same children with the same
luck only if each kind of decision takes its draws from its own stream, so that drawing more or fewer of one
kind (a scenario with more reviews, an unmet need that comes back) leaves every other kind untouched.

The test records, in a small run that makes every kind of decision (the Swedish-model scenario: diversion and
time-limited stays; turnover; a drifting setting; unmet need; the known children), which function draws from
which stream, and compares it with the table below, a decision at a time. A function that draws through a
helper which takes the stream as an argument (``sim.model.demand``) is the function that names the stream,
with the helper beside it. Swapping two streams anywhere (a constant bound to the wrong decision, a call that
names the wrong constant) moves a function from one stream to another, and both decisions' tests fail.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import build, scaled

from sim.model import randomness
from sim.model.municipality import simulate
from sim.model.randomness import DECISIONS
from sim.model.scenario import resolve_raw

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "sim" / "model"

# decision -> the functions that draw from its stream (file:qualified name[ > helper that takes the stream])
DRAWERS: dict[str, set[str]] = {
    "arrivals": {"municipality.py:plan_run"},
    "known": {"known.py:KnownChildren.add"},
    "demography": {"child.py:new_child", "initial_state.py:initial_child", "pathway.py:ages_into_aftercare"},
    "screening": {"pathway.py:screened"},
    "investigation": {"pathway.py:investigation"},
    "choice": {"pathway.py:choose_step.<locals>.<lambda>"},
    "dynamics": {"pathway.py:Clocks.__init__", "pathway.py:next_breakdown", "pathway.py:next_need_change"},
    "review": {"initial_state.py:seed_initial_stock", "pathway.py:review_decision"},
    "tasks": {"pathway.py:task_hours"},
    "notice": {"municipality.py:Municipality.arrivals"},
    "policy": {"pathway.py:divert_or", "pathway.py:end_limited_stay", "workforce.py:Workforce._new_post",
               "drift.py:apply_drift"},
    "need": {"pathway.py:investigation > demand.py:investigation_finding",
             "pathway.py:screen_by_severity > demand.py:screening_outcome"},
    "unmet": {"pathway.py:unmet_need_course > demand.py:unmet_need_clock"},
}


def _passes_the_stream(frame, decision: int) -> bool:
    """Whether the function of ``frame`` got the stream as an argument (a helper such as demand.triage)."""
    code = frame.f_code
    args = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return any(("draw" in a or "decision" in a) and frame.f_locals.get(a) == decision for a in args)


def _drawer(decision: int) -> str:
    """The function that named the stream of a draw being made now (frames inside randomness.py skipped)."""
    frame = sys._getframe(2)
    while frame.f_code.co_filename == randomness.__file__:
        frame = frame.f_back
    helpers = []
    while _passes_the_stream(frame, decision):
        helpers.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_qualname}")
        frame = frame.f_back
    here = f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_qualname}"
    return " > ".join([here, *reversed(helpers)])


@pytest.fixture(scope="module")
def drawn() -> dict[str, set[str]]:
    """decision -> the functions that drew from its stream in a small run that makes every kind of decision."""
    seen: dict[str, set[str]] = defaultdict(set)
    luck_u, generator, first_of = randomness.ChildLuck.u, randomness.Draws.generator, randomness.Draws.first_of

    def u(self, decision):
        seen[DECISIONS[decision]].add(_drawer(decision))
        return luck_u(self, decision)

    def gen(self, decision, key=0):
        seen[DECISIONS[decision]].add(_drawer(decision))
        return generator(self, decision, key)

    def first(self, decision, cid, n):
        seen[DECISIONS[decision]].add(_drawer(decision))
        return first_of(self, decision, cid, n)

    raw = resolve_raw(ROOT / "scenarios" / "swedish-model.yaml")
    raw["calendar"].update(burn_in_years=1, horizon_years=3)
    raw["drift"] = [{"setting": "reviews.step_down_share", "trend_per_year": 0.0, "sd_per_year": 0.1}]
    scenario = build(scaled(raw, 0.25))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(randomness.ChildLuck, "u", u)
        mp.setattr(randomness.Draws, "generator", gen)
        mp.setattr(randomness.Draws, "first_of", first)
        simulate(scenario, 1, 0)
    return dict(seen)


def test_the_table_names_every_decision():
    assert set(DRAWERS) == set(DECISIONS)


@pytest.mark.parametrize("decision", DECISIONS)
def test_each_decision_draws_from_its_own_stream(drawn, decision):
    """The functions that drew from ``decision``'s stream are exactly the ones that decide it."""
    assert drawn.get(decision, set()) == DRAWERS[decision], (
        f"stream {decision!r}: unexpected {sorted(drawn.get(decision, set()) - DRAWERS[decision])}, "
        f"missing {sorted(DRAWERS[decision] - drawn.get(decision, set()))}"
    )


def _stream_constants() -> list[tuple[str, str, str]]:
    """(file, constant, decision) for every module-level ``NAME = D["decision"]`` in sim/model (tuples too)."""
    out = []
    for path in sorted(MODEL.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                for name, value in zip(names, values):
                    if (isinstance(name, ast.Name) and isinstance(value, ast.Subscript)
                            and isinstance(value.value, ast.Name) and value.value.id == "D"
                            and isinstance(value.slice, ast.Constant)):
                        out.append((path.name, name.id, value.slice.value))
    return out


def test_each_stream_constant_is_named_after_its_decision():
    """DRAW_UNMET is D["unmet"], and so on: a constant bound to another decision's stream reads as a mistake."""
    constants = _stream_constants()
    assert len(constants) >= 10
    for file, name, decision in constants:
        if name.startswith("DRAW_"):
            assert name == f"DRAW_{decision.upper()}", (file, name, decision)
