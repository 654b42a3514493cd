"""Addressed draws: one stream per (seed, replication, decision, child), never reused, never overlapping."""

from __future__ import annotations

from sim.model.randomness import CHUNK, DECISIONS, ChildLuck, D, Draws, child_id

# addressed draws


def test_a_childs_draws_for_one_decision_are_never_reused():
    luck = ChildLuck(child_id(1, 7), Draws(11, 2))
    values = [luck.u(D["dynamics"]) for _ in range(5 * CHUNK + 3)]
    assert len(set(values)) == len(values)


def test_draws_do_not_overlap_across_decisions_or_children():
    draws = Draws(5, 0)
    seen: dict[float, tuple] = {}
    for cid in (child_id(1, 0), child_id(1, 1), child_id(0, 0)):
        luck = ChildLuck(cid, draws)
        for decision in range(len(DECISIONS)):
            for k in range(2 * CHUNK + 1):
                value = luck.u(decision)
                assert value not in seen, (cid, decision, k, seen.get(value))
                seen[value] = (cid, decision, k)


def test_a_draw_is_addressed_not_consumed_in_order():
    """The k-th draw of a child for a decision is the same whatever other draws were made before it."""
    cid = child_id(1, 1234)
    alone = ChildLuck(cid, Draws(3, 4))
    busy = ChildLuck(cid, Draws(3, 4))
    for decision in range(len(DECISIONS)):  # another child's and other decisions' draws first
        ChildLuck(child_id(1, 99), busy.draws).u(decision)
        if decision != D["review"]:
            for _ in range(6):
                busy.u(decision)
    assert [alone.u(D["review"]) for _ in range(7)] == [busy.u(D["review"]) for _ in range(7)]
    assert Draws(3, 4).uniform(D["review"], cid, 5) == ChildLuck(cid, Draws(3, 4)).draws.uniform(D["review"], cid, 5)
