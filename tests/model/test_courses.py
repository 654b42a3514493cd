"""A child's course (sim.model.courses): a generator resumed by its events' callbacks, as a SimPy process would
be, without a start or an end event."""

from __future__ import annotations

import simpy

from sim.model import courses
from sim.model.municipality import events_scheduled


def _walk(env: simpy.Environment, log: list, name: str, waits: list[float]):
    log.append((env.now, name, "first step"))
    for wait in waits:
        value = yield env.timeout(wait, value=wait * 10)
        log.append((env.now, name, value))
    done = env.event()
    done.succeed("already")
    log.append((env.now, name, (yield done)))


def _run(start) -> tuple[list, int]:
    env, log = simpy.Environment(), []
    start(env, _walk(env, log, "a", [1.0, 2.0]))
    start(env, _walk(env, log, "b", [0.5, 3.0]))
    env.run()
    return log, events_scheduled(env)


def test_a_course_takes_the_steps_of_a_process_with_two_events_fewer():
    as_process, process_events = _run(lambda env, gen: env.process(gen))
    as_course, course_events = _run(lambda env, gen: courses.start(gen))
    assert as_course == as_process
    assert process_events - course_events == 2 * 2  # a start and an end event per process


def test_a_course_takes_its_first_step_when_started():
    env, log = simpy.Environment(), []
    courses.start(_walk(env, log, "a", [1.0]))
    assert log == [(0.0, "a", "first step")]  # before anything runs: no start event to wait for
