"""The known-children circle: which open or recently closed case a notification about a known child reaches."""

from __future__ import annotations

from sim.model.child import Child
from sim.model.municipality import KnownChildren

# the known-children circle


def _child(cid: int, key: float) -> Child:
    child = Child(cid, luck=None, birth=0.0)
    child.known_key = key
    child.open = True
    return child


def test_a_notification_goes_to_the_child_whose_key_comes_next_on_the_circle():
    known = KnownChildren(window=1.0)
    children = [_child(i, key) for i, key in enumerate((0.1, 0.4, 0.7))]
    for child in reversed(children):  # the order of adding does not matter: keys do
        known.add(child)
    assert known.pick(0.05, now=0.0) is children[0]
    assert known.pick(0.35, now=0.0) is children[1]
    assert known.pick(0.69, now=0.0) is children[2]
    assert known.pick(0.95, now=0.0) is children[0]  # round the circle


def test_one_child_fewer_changes_only_the_notifications_that_went_to_it():
    keys = [0.05 + 0.1 * i for i in range(9)]
    draws = [0.013 * j for j in range(1, 77)]
    full, fewer = KnownChildren(1.0), KnownChildren(1.0)
    for i, key in enumerate(keys):
        full.add(_child(i, key))
        if i != 4:
            fewer.add(_child(i, key))
    changed = 0
    for u in draws:
        before, after = full.pick(u, 0.0), fewer.pick(u, 0.0)
        if before.cid != 4:
            assert after.cid == before.cid, u
        else:
            changed += 1
            assert after.cid == 5  # the next key on the circle
    assert changed > 0


def test_closed_children_leave_the_circle_after_the_window():
    known = KnownChildren(window=0.5)
    child = _child(1, 0.3)
    known.add(child)
    child.open, child.closed_at = False, 1.0
    assert known.pick(0.1, now=1.4) is child
    assert known.pick(0.1, now=1.6) is None
    assert len(known) == 0
