"""A lever on notifications.share_about_known_children reaches the running model at its start and not before.

What a higher share does to the children notified (as many notifications, fewer children) is checked through the
same setting by tests/model/test_drift.py; the 20-replication comparison of the lever itself is slow
(tests/model/test_policy_levers.py)."""

from __future__ import annotations

from conftest import build

from sim.model.municipality import Municipality


def test_the_share_about_known_children_changes_on_the_levers_day(small_raw):
    before = small_raw["notifications"]["share_about_known_children"]
    small_raw["levers"] = [{"setting": "notifications.share_about_known_children", "value": 0.85,
                            "start": "2027-07-01"}]
    m = Municipality(build(small_raw), seed=1, replication=0)
    m.env.process(m.apply_levers())
    first = m.first_year
    m.env.run(until=2027.45 - first)
    assert m.settings.share_about_known_children == before != 0.85
    m.env.run(until=2027.55 - first)
    assert m.settings.share_about_known_children == 0.85
