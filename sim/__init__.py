"""boernesim: a discrete-event Monte Carlo model of Denmark's specialised children's area.

Python API for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    table = sim.run(scenario, replications=20, years=10, seed=1)   # pandas DataFrame, long format
    both = sim.compare("scenarios/baseline.yaml", "scenarios/more-caseworkers.yaml", replications=20)
    both.table                                                      # the same, for both, paired

The package is layered; each layer imports only those below it (checked by the tests, see
docs/developing.md): ``cli`` > ``outputs`` > ``analysis`` > ``runs`` | ``data`` > ``model``.
"""

from sim.model.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = ["Scenario", "load_scenario", "run", "compare", "__version__"]


def run(*args, **kwargs):
    """Run replications of a scenario and return the long metric table (see ``sim.runs.runner.run``)."""
    from sim.runs.runner import run as _run

    return _run(*args, **kwargs)


def compare(*args, **kwargs):
    """Run a baseline and alternatives with common random numbers (see ``sim.runs.experiment.compare``)."""
    from sim.runs.experiment import compare as _compare

    return _compare(*args, **kwargs)
