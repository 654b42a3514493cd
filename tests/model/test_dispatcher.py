"""The pooled caseworkers' dispatcher: priorities, first come first served, capacity."""

from __future__ import annotations

import pytest
import simpy

from sim.model.caseworkers import ACUTE, INVESTIGATION, REVIEW, SCREENING, CaseworkerTeam

# the caseworkers' dispatcher


def _order_served(submissions, servers: float = 1.0):
    """Submit tasks (priority, name) while one blocking task occupies the team; the order they start in."""
    env = simpy.Environment()
    team = CaseworkerTeam(env, servers, hours_per_week=37.0)
    started = []
    team.submit(INVESTIGATION, 10.0)  # keeps the only server busy while the others queue
    for priority, name in submissions:
        team.submit(priority, 1.0, on_done=lambda start, name=name: started.append((start, name)))
    env.run()
    return [name for _, name in sorted(started)]


def test_acute_work_is_served_before_reviews_and_investigations():
    order = _order_served([(REVIEW, "review"), (INVESTIGATION, "investigation"), (ACUTE, "acute"),
                           (SCREENING, "screening")])
    assert order.index("acute") < order.index("review")
    assert order.index("acute") < order.index("investigation")
    assert order.index("screening") < order.index("review")


def test_tasks_of_one_kind_are_served_first_come_first_served():
    order = _order_served([(SCREENING, f"s{i}") for i in range(6)])
    assert order == [f"s{i}" for i in range(6)]


def test_no_task_starts_without_capacity_and_waiting_tasks_start_when_it_comes():
    env = simpy.Environment()
    team = CaseworkerTeam(env, 0.0, hours_per_week=37.0)
    started = []
    team.submit(SCREENING, 1.0, on_done=started.append)
    env.run(until=1.0)
    assert started == [] and team.queue_length == 1

    def hire():
        yield env.timeout(0.5)
        team.set_available(1.0)

    env.process(hire())
    env.run(until=3.0)
    assert started == [pytest.approx(1.5)] and team.queue_length == 0


def test_more_servers_start_more_tasks_at_once():
    env = simpy.Environment()
    team = CaseworkerTeam(env, 3.0, hours_per_week=37.0)
    for _ in range(5):
        team.submit(REVIEW, 5.0)
    assert team.queue_length == 2
