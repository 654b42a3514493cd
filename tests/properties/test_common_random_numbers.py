"""Common random numbers: every draw is addressed by (seed, replication, decision, child, draw number), so
a change that does not touch a child leaves that child's path exactly as it was.

The scenario has ample caseworker capacity (no task ever waits, so one child's tasks cannot delay
another's; with own caseloads also a duty roster as large as the team and no ongoing work, which would
make a caseworker with one more case slower: a real interaction, not a draw), no effect of caseload on the choice of
step, and, for the exact checks, no notifications about known children (one more known child rightly takes the
notifications whose draw lands next to its key).
With those notifications on, one more child may change only the few children whose notifications it takes.
Paths are compared exactly: the trace records (time rounded to 1e-12 years, event, step) per child.
"""

from __future__ import annotations

import pytest
from conftest import BASELINE, build, metric_table, new_cases_only, scaled

from sim.model.caseworkers import CaseworkerTeam
from sim.model.department import OwnCaseDepartment
from sim.model.municipality import ExtraChild, simulate
from sim.model.randomness import NS_EXTRA, child_id
from sim.model.scenario import resolve_raw

SEED = 99
AMPLE_FTE = 400.0  # the quarter-size baseline has about 5; a task never waits


@pytest.fixture
def ample_raw(baseline_raw) -> dict:
    return ample(baseline_raw)


def ample(raw: dict) -> dict:
    """The baseline at a quarter of its size, 1 + 3 years, new cases only, caseworkers ample."""
    raw = new_cases_only(scaled(raw, 0.25))
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 3
    make_ample(raw)
    return raw


@pytest.fixture(scope="module")
def ample_runs() -> tuple:
    """The ample scenario and its replications 0 and 1 as they are (traced), run once for the tests that compare
    a change with them (they only read them); no task waited in them."""
    scenario = build(ample(resolve_raw(BASELINE)))
    counter = [0]
    with pytest.MonkeyPatch.context() as patch:
        for organisation in (CaseworkerTeam, OwnCaseDepartment):
            patch.setattr(organisation, "submit", counting(organisation.submit, counter))
        runs = {rep: simulate(scenario, SEED, rep, trace=True) for rep in range(2)}
    assert counter[0] == 0, f"{counter[0]} tasks waited: capacity is not ample, the tests mean nothing"
    return scenario, runs


def unchanged(scenario, ample_runs, rep: int):
    """Replication ``rep`` of ``scenario``, which must be the ample scenario as it is, from the shared runs."""
    shared, runs = ample_runs
    assert scenario == shared
    return runs[rep]


def make_ample(raw: dict) -> None:
    """Caseworkers enough that no task waits and no caseworker's speed depends on her cases."""
    raw["caseworkers"]["fte"] = AMPLE_FTE
    raw["caseworkers"]["duty_roster_size"] = int(AMPLE_FTE)
    raw["caseworkers"]["ongoing_hours_per_case_per_month"] = 0.0
    raw["caseworkers"]["family_time"] = {}  # no dose-response of hours per case
    raw["caseworkers"]["turnover"] = {}  # nobody leaves, nothing is vacant, no induction


@pytest.fixture
def waits(monkeypatch) -> list[int]:
    """Counts tasks that did not start the moment they were submitted ([0] after the runs: none)."""
    counter = [0]
    for organisation in (CaseworkerTeam, OwnCaseDepartment):
        monkeypatch.setattr(organisation, "submit", counting(organisation.submit, counter))
    return counter


def counting(original, counter: list[int]):
    """``submit`` that counts the tasks that did not start at once."""

    def submit(self, priority, hours, on_done=None, child=None, due=None):
        t0 = self.env.now
        event = original(self, priority, hours, on_done, child=child, due=due)
        if event is None:  # queued, nobody waits for it
            counter[0] += 1
        else:

            def check(ev):
                if ev.value != t0:  # the value is the start time
                    counter[0] += 1

            event.callbacks.append(check)
        return event

    return submit


def assert_same_paths(before: dict, after: dict, ignore: set[int] = frozenset()) -> None:
    keys_before, keys_after = set(before) - ignore, set(after) - ignore
    assert keys_before == keys_after, (
        f"children only before: {sorted(keys_before - keys_after)[:5]}, "
        f"only after: {sorted(keys_after - keys_before)[:5]}"
    )
    changed = [cid for cid in keys_before if before[cid] != after[cid]]
    assert not changed, (
        f"{len(changed)} of {len(keys_before)} paths changed, e.g. child {changed[0]}: "
        f"{before[changed[0]][:6]} -> {after[changed[0]][:6]}"
    )


# ---------------------------------------------------------------- one more child


@pytest.mark.parametrize(
    "extra",
    [
        ExtraChild(time=1.5, age=10.0),  # mid-run, a school child
        ExtraChild(time=0.2, age=0.3),  # in the burn-in, a baby: a long path
        ExtraChild(time=2.0, age=17.6),  # ages out within months
    ],
    ids=["age10", "baby", "almost18"],
)
def test_one_more_child_changes_no_other_path(ample_raw, ample_runs, extra, waits):
    s = build(ample_raw)
    for rep in range(2):
        before = unchanged(s, ample_runs, rep)
        after = simulate(s, SEED, rep, extra_children=(extra,), trace=True)
        extra_id = child_id(NS_EXTRA, 0)
        assert extra_id not in before.paths
        assert extra_id in after.paths, "the extra child's case was never screened (no close or enter recorded)"
        assert len(before.paths) > 400  # enough children that a leak of randomness would show
        assert waits[0] == 0, f"{waits[0]} tasks waited: capacity is not ample, the test means nothing"
        assert_same_paths(before.paths, after.paths, ignore={extra_id})


def test_many_more_children_change_no_other_path(ample_raw, ample_runs):
    """Ten extra children at once, spread over the run: the others' paths still do not move."""
    s = build(ample_raw)
    extras = tuple(ExtraChild(time=0.3 * k + 0.05, age=float(k % 18) + 0.5) for k in range(10))
    before = unchanged(s, ample_runs, 0)
    after = simulate(s, SEED, 0, extra_children=extras, trace=True)
    extra_ids = {child_id(NS_EXTRA, k) for k in range(len(extras))}
    assert extra_ids <= set(after.paths)
    assert_same_paths(before.paths, after.paths, ignore=extra_ids)


# ---------------------------------------------------------------- one more caseworker


def test_one_more_caseworker_who_is_never_needed_changes_no_path(ample_raw, ample_runs, waits):
    one_fewer = build(ample_raw)
    one_more = build(ample_raw, **{"caseworkers.fte": AMPLE_FTE + 1.0})
    for rep in range(2):
        before = unchanged(one_fewer, ample_runs, rep)
        after = simulate(one_more, SEED, rep, trace=True)
        assert waits[0] == 0, f"{waits[0]} tasks waited: capacity is not ample, the test means nothing"
        assert_same_paths(before.paths, after.paths)
        # the books differ only where FTEs enter them
        a, b = metric_table(before.rows), metric_table(after.rows)
        for metric in a:
            if metric in {"caseworker_fte", "caseload", "cost_caseworkers", "cost_total", "cost_per_child_0_17",
                          "family_hours_per_case"}:  # one more caseworker: more hours per case, no other path changes
                continue
            assert a[metric] == b[metric], metric
        for year in a["caseworker_fte"]:
            assert b["caseworker_fte"][year] == pytest.approx(a["caseworker_fte"][year] + 1.0)


def test_a_price_changes_no_path(ample_raw, ample_runs):
    """A lever that steers no decision (a step's price) leaves every path as it was."""
    staircase = [dict(st, price_per_year_dkk=st["price_per_year_dkk"] * 2) for st in ample_raw["staircase"]]
    before = unchanged(build(ample_raw), ample_runs, 0)
    after = simulate(build(ample_raw, staircase=staircase), SEED, 0, trace=True)
    assert_same_paths(before.paths, after.paths)


# ---------------------------------------------------------------- seeds


def test_same_seed_same_run(small_raw):
    """Same scenario, seed and replication: identical metrics and paths (the baseline as it is)."""
    s = build(small_raw)
    first = simulate(s, SEED, 3, trace=True)
    second = simulate(s, SEED, 3, trace=True)
    assert first.rows == second.rows
    assert first.paths == second.paths
    assert first.events == second.events


def test_other_seed_or_replication_other_run(small_raw):
    s = build(small_raw)
    base = simulate(s, SEED, 0)
    for other in (simulate(s, SEED + 1, 0), simulate(s, SEED, 1)):
        a, b = metric_table(base.rows), metric_table(other.rows)
        assert a.keys() == b.keys()
        assert a["notifications"] != b["notifications"]
        assert a["cost_total"] != b["cost_total"]
        differing = [m for m in a if a[m] != b[m]]
        assert len(differing) > len(a) // 2, f"only {differing} differ"


def test_one_more_child_changes_few_paths_with_known_child_notifications(baseline_raw, waits):
    """A notification about a known child goes to the child whose own key follows the notification's draw,
    not to a position in a list: one more known child changes only the paths of the children whose
    notifications it takes over, not hundreds (before this rule, 236 of 517 paths changed)."""
    raw = scaled(baseline_raw, 0.25)
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 3
    make_ample(raw)
    assert raw["notifications"]["share_about_known_children"] > 0.5
    s = build(raw)
    extra = ExtraChild(time=1.5, age=10.0)
    for rep in range(3):
        before = simulate(s, SEED, rep, trace=True).paths
        after = simulate(s, SEED, rep, extra_children=(extra,), trace=True).paths
        common = set(before) & set(after)
        changed = sum(before[c] != after[c] for c in common)
        assert set(after) - set(before) == {child_id(NS_EXTRA, 0)}
        assert changed <= 0.01 * len(common), f"{changed} of {len(common)} paths changed"
    assert waits[0] == 0
