"""What to run: a request (scenarios, replications, years, seed, how to run them, and for a forecast the
children of a case register), made from the command's files or from the app's built scenarios."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.errors import InputError
from sim.model.scenario import Scenario
from sim.runs.runner import Start, as_of_scenario, register_start, with_horizon


@dataclass(frozen=True)
class Request:
    """Scenarios (baseline first; more than one is a comparison with common random numbers), replications,
    years (None: the scenario's horizon), seed; ``cases`` and ``as_of`` for a forecast from a case register
    (then one scenario), with ``spent_to_date`` and earlier forecasts (``previous``) to show beside it.

    ``sources`` name the scenarios in messages (their files; default their names). ``parameter_sets``: a
    ``posterior.parquet`` each replication draws one set from; ``fixed_assumptions``: every assumption as
    written (bands of simulation noise only). ``precision`` (sim.analysis.precision.Precision): run
    replications in batches until each policy's answer is that precise, up to its cap (``replications`` is
    then the cap)."""

    scenarios: tuple[Scenario, ...]
    replications: int
    years: int | None = None
    seed: int = 1
    workers: int | None = None
    cases: tuple = ()
    as_of: dt.date | None = None
    spent_to_date: float | dict | None = None
    fixed_assumptions: bool = False
    previous: tuple[Path, ...] = ()
    executor: str = "local"
    scheduler: str | None = None
    parameter_sets: Path | None = None
    sources: tuple[str, ...] = ()
    precision: object | None = None

    @property
    def compare(self) -> bool:
        """A comparison of the first scenario with the others (the output of `compare`)."""
        return len(self.scenarios) > 1

    @property
    def forecast(self) -> bool:
        """A year-end forecast from a case register."""
        return self.as_of is not None

    def scenarios_run(self) -> list[Scenario]:
        """The scenarios as they run: the chosen number of years (from the register's date for a forecast)."""
        out = [with_horizon(sc, self.years) for sc in self.scenarios]
        if self.as_of is not None:
            out = [as_of_scenario(sc, self.as_of) for sc in out]
        return out

    def start(self) -> Start:
        """Where the runs start: the scenario's own stock, or the register's children the day after as-of."""
        return register_start(self.cases, self.as_of) if self.as_of is not None else Start()

    def forecast_of(self) -> dict | None:
        """What the forecast table needs besides the runs (keys as_of, spent_to_date, previous)."""
        if self.as_of is None:
            return None
        return {"as_of": self.as_of, "spent_to_date": self.spent_to_date, "previous": list(self.previous)}

    def key(self) -> str:
        """The cache key: the scenarios' digest, seed, replications and years (and the register's, and the
        parameter sets' file when there is one)."""
        parts = [sc.model_dump_json() for sc in self.scenarios]
        parts += [str(self.replications), str(self.years), str(self.seed), repr(self.cases), str(self.as_of),
                  str(self.spent_to_date), str(self.fixed_assumptions)]
        if self.parameter_sets is not None:
            parts.append(str(self.parameter_sets))
        if self.precision is not None:
            parts.append(repr(self.precision))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @property
    def total(self) -> int:
        """Replication-runs the request makes (for a progress bar; to a precision, at most)."""
        cap = self.precision.cap if self.precision is not None else self.replications
        return cap * len(self.scenarios)

    @property
    def label(self) -> str:
        return " + ".join(sc.name for sc in self.scenarios)


@dataclass(frozen=True)
class Register:
    """A run from a case register: the children with an open case at ``as_of``, what was spent up to then,
    earlier forecasts' output folders."""

    cases: tuple
    as_of: dt.date
    spent_to_date: float | dict | None
    previous: tuple[Path, ...]


def register_from_options(scenario: Path, initial_cases: Path | None, as_of: str | None, spent_to_date: str | None,
                          pseudonymise: bool, previous: Sequence[Path]) -> Register | None:
    """The case register of `run --initial-cases --as-of` read and checked before the simulation (None
    without those options); every refusal names the option."""
    if initial_cases is None and as_of is None:
        if spent_to_date is not None or previous:
            raise InputError("--spent-to-date and --previous go with --initial-cases and --as-of")
        return None
    if initial_cases is None or as_of is None:
        raise InputError("--initial-cases and --as-of go together")
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        raise InputError(f"--as-of '{as_of}' is not a date like 2026-09-30") from None
    from sim.analysis.forecast import account_functions, parse_spent, read_previous
    from sim.data.register import read_case_register
    from sim.model.scenario import load_scenario

    sc = load_scenario(scenario)
    cases = read_case_register(initial_cases, day, [st.id for st in sc.staircase], pseudonymise=pseudonymise,
                               max_rows=sc.population.aged_0_22)
    spent = parse_spent(spent_to_date, account_functions(sc))
    read_previous(list(previous))  # a wrong --previous is found before the simulation, not after it
    return Register(cases=tuple(cases), as_of=day, spent_to_date=spent, previous=tuple(previous))


def request_from_files(paths: Sequence[Path], replications: int, *, years: int | None = None, seed: int = 1,
                       workers: int | None = None, register: Register | None = None, fixed_assumptions: bool = False,
                       executor: str = "local", scheduler: str | None = None,
                       parameter_sets: Path | None = None, precision=None) -> Request:
    """The request of `run` or `compare`: the scenario files loaded (errors name the file that set the key).
    With ``precision`` (sim.analysis.precision.Precision) ``replications`` is its cap."""
    from sim.model.scenario import load_scenario

    # each file loaded and given its years in turn, so that the first file with a problem is the one named
    scenarios = tuple(with_horizon(load_scenario(p), years) for p in paths)
    extra = {}
    if register is not None:
        extra = {"cases": register.cases, "as_of": register.as_of, "spent_to_date": register.spent_to_date,
                 "previous": register.previous}
    if precision is not None:
        replications = precision.cap
    return Request(scenarios, replications, years, seed, workers, fixed_assumptions=fixed_assumptions,
                   executor=executor, scheduler=scheduler, parameter_sets=parameter_sets,
                   sources=tuple(str(p) for p in paths), precision=precision, **extra)
