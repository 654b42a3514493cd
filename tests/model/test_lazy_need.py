"""A child's need advanced lazily (sim.model.pathway.quiet_need_changes): a course wakes for a change of need only
when the change acts (a rise above its step), and the run is the one that wakes for every change."""

from __future__ import annotations

from conftest import build, scaled

from sim.model import pathway
from sim.model.municipality import simulate


def _scenario(small_raw, **overrides):
    return build(scaled(small_raw, 0.3), **overrides)


def _eager(office, child, clocks, until):
    """Walk no change: the course wakes for every change of need, as it did before the walk."""
    return child.need


def test_the_lazy_need_gives_the_run_that_wakes_for_every_change(small_raw, monkeypatch):
    for name, scenario in {"baseline": _scenario(small_raw),
                           "time-limited stays": _scenario(small_raw, **{"time_limited_stays.success_share": 0.5})
                           }.items():
        lazy = simulate(scenario, 3, 0)
        with monkeypatch.context() as patch:
            patch.setattr(pathway, "quiet_need_changes", _eager)
            eager = simulate(scenario, 3, 0)
        assert lazy.rows == eager.rows, name
        assert lazy.events < eager.events, name


def test_a_course_wakes_for_a_change_of_need_only_when_it_acts(small_raw, monkeypatch):
    woken = []
    need_changes = pathway.need_changes

    def watched(office, child, clocks):
        woken.append(clocks.need_up and child.need + 1 > office.settings.steps[child.step].need_level)
        return (yield from need_changes(office, child, clocks))

    monkeypatch.setattr(pathway, "need_changes", watched)
    simulate(_scenario(small_raw), 3, 0)
    assert woken and all(woken)
