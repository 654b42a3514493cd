"""Key paths into a resolved scenario mapping (``get_path``, ``set_path``): kept here for its importers; they
live with the scenario format in :mod:`sim.model.scenario.keypaths`."""

from sim.model.scenario.keypaths import get_path, set_path

__all__ = ["get_path", "set_path"]
