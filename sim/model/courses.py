"""A child's course run by the callbacks of the events it waits for: a SimPy process without its start and end
events.

A SimPy process costs two events beside the ones it waits for: its start (an urgent event at the moment it is
started) and its end (an event at the moment its generator returns, for whoever waits for the process). Nobody
waits for a child's course, and a course started where it starts in the model (a screening's callback, an
inquiry closed with a need, the seeding of the initial children) has nothing between its start and its first
step: so :func:`start` takes the first step at once, and each later step is a callback of the event the course
waits for, as a process's would be. The events the course waits for, their times and their order are a
process's; only the start and end events are gone (about one event in nine of a baseline run).
"""

from __future__ import annotations

from collections.abc import Generator

from simpy.events import Event


class Course:
    """A generator of SimPy events, resumed by the callback of the event it last yielded."""

    __slots__ = ("generator",)

    def __init__(self, generator: Generator):
        self.generator = generator

    def resume(self, event: Event | None) -> None:
        """The event waited for has happened (None: the first step): run on to the next wait, or the end."""
        generator = self.generator
        try:
            if event is None:
                target = next(generator)
            elif event._ok:
                target = generator.send(event._value)
            else:  # pragma: no cover - the model's events do not fail
                event._defused = True
                target = generator.throw(event._value)
            while target.callbacks is None:  # already processed: go on at once, as a process does
                target = generator.send(target._value)
        except StopIteration:
            return  # the end: nobody waits for a course, so no event
        target.callbacks.append(self.resume)


def start(generator: Generator) -> Course:
    """Run the course's first step now (up to its first wait) and the rest as its events happen."""
    course = Course(generator)
    course.resume(None)
    return course
