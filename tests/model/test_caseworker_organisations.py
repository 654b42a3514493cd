"""The two caseworker organisations behind one interface (``sim.model.tasks.CaseworkerOrganisation``): both
offer what the municipality and a child's path ask, and both end a task by the one shared rule."""

from __future__ import annotations

import inspect

import pytest
import simpy

from sim.model.caseworkers import CaseworkerTeam
from sim.model.department import OwnCaseDepartment
from sim.model.tasks import ACUTE, SCREENING, CaseworkerOrganisation

HOURS_PER_WEEK = 30.0


def pooled(env: simpy.Environment):
    return CaseworkerTeam(env, 1.0, HOURS_PER_WEEK)


def own_cases(env: simpy.Environment):
    return OwnCaseDepartment(env, 1.0, duty_roster_size=1, allocation_ceiling=30.0,
                             years_per_hour=1.0 / (HOURS_PER_WEEK * 52.0))


ORGANISATIONS = {"pooled": pooled, "own_cases": own_cases}


def protocol_members() -> set[str]:
    own = {name for name in vars(CaseworkerOrganisation) if not name.startswith("_")}
    return own | set(CaseworkerOrganisation.__annotations__)


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_each_organisation_offers_every_member_of_the_interface(name):
    team = ORGANISATIONS[name](simpy.Environment())
    missing = sorted(m for m in protocol_members() if not hasattr(team, m))
    assert missing == [], f"{name} lacks {missing}"
    for member in ("submit", "restaff", "caseload_of", "open_case", "close_case"):
        wanted = list(inspect.signature(getattr(CaseworkerOrganisation, member)).parameters)[1:]
        offered = list(inspect.signature(getattr(team, member)).parameters)
        assert offered == wanted, (name, member)


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_a_finished_tasks_callback_runs_after_the_next_task_is_taken_up(name):
    """With one caseworker, two screenings: when the first ends, the second starts before the first's
    ``on_done`` runs (as a process resumed by the task's end would see it), so a task the callback submits
    queues behind it."""
    env = simpy.Environment()
    team = ORGANISATIONS[name](env)
    started: list[float] = []  # the start times of the tasks after the first, in the order they end

    def first_done(start: float) -> None:
        team.submit(ACUTE, 1.0, on_done=lambda s: started.append(s))  # after the second: it is already running

    team.submit(SCREENING, 10.0, on_done=first_done, due=1.0)
    team.submit(SCREENING, 10.0, on_done=lambda s: started.append(s), due=1.0)
    env.run()
    first_end = 10.0 * team.years_per_hour
    assert started[0] == pytest.approx(first_end), "the second screening started when the first ended"
    assert started[1] == pytest.approx(2 * first_end), "the callback's task waited for the second screening"


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_restaff_leaves_time_for_tasks_after_the_ongoing_work(name):
    """Restaffed with ongoing work that takes half of the time, a task takes twice as long as at no ongoing
    work (pooled: the team's half; own cases: the caseworker's own case's)."""
    durations = {}
    for per_case in (0.0, 0.5):
        env = simpy.Environment()
        team = ORGANISATIONS[name](env)

        class Case:
            cid = 1

        team.open_case(Case)
        team.restaff(1.0, 1.0, None, 1, per_case, 0.9)
        done = team.submit(ACUTE, 10.0, child=Case)
        env.run(done)
        durations[per_case] = env.now
    assert durations[0.5] == pytest.approx(2 * durations[0.0])
