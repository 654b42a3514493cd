"""boernesim: a discrete-event Monte Carlo model of Denmark's specialised children's area.

Python API for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    table = sim.run(scenario, replications=20, years=10, seed=1)   # pandas DataFrame, long format
"""

from sim.model.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = ["Scenario", "load_scenario", "run", "__version__"]


def run(*args, **kwargs):
    """Run replications of a scenario and return the long metric table (see ``sim.runs.runner.run``)."""
    from sim.runs.runner import run as _run

    return _run(*args, **kwargs)
