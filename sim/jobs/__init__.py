"""Jobs: what a command or the app asks for, checked, run and written, in one place for both.

A layer of its own, above ``sim.outputs`` (a job writes outputs) and below ``sim.app`` and ``sim.cli`` (both
call it): the command line turns options into a :class:`Request`, the app builds one from its pages, and
:func:`run_job` does the rest, telling the caller of progress through :class:`Hooks`. The fits
(:mod:`sim.jobs.fitting`: calibrate, backtest) and the studies (:mod:`sim.jobs.studies`: sensitivity, sweep)
take the same hooks."""

from sim.jobs.hooks import Cancelled, Hooks
from sim.jobs.request import Register, Request, register_from_options, request_from_files
from sim.jobs.run import Done, output_dir, run_job, stream_file

__all__ = ["Cancelled", "Done", "Hooks", "Register", "Request", "output_dir", "register_from_options",
           "request_from_files", "run_job", "stream_file"]
