"""Calibration: fit the scenario's uncertain parameters to a history, and keep the parameter sets that fit.

Two methods, the spec's ``method``:

- ``likelihood_region`` (the default): a likelihood-guided search. One simulated municipality-year costs about
  0.15 s, so a fit over five years with two replications costs about 2 s per parameter set, and the search
  needs a few hundred sets for a handful of parameters:

  1. **Likelihood** (:mod:`.likelihood`). A trial's parameters are set into the scenario, which runs over the
     history's years (``start_year`` = the first fitted year, the scenario's burn-in before it) for
     ``replications`` replications with a fixed seed (common random numbers: two trials differ only through
     their parameters). The simulated mean ``mu`` of each fitted metric and year is compared with the observed
     value by a count likelihood: negative binomial (``dispersion`` k: variance ``mu + mu^2/k``) or Poisson for
     counts, normal with a relative (``cv``) or absolute (``sd``) error for shares and money. ``mu`` is itself a
     mean of R noisy replications, so the log-likelihood is divided by ``1 + 1/R`` (the simulation's noise
     taken as about as large as the observation's). Years are treated as independent; that is optimistic for
     stocks, which carry over from year to year (noted in the README).
  2. **Search** (:mod:`.search`). optuna's TPE sampler (seeded; ``batch`` trials at a time run in parallel
     through :mod:`sim.runs.executors`, so ``--executor dask`` works) over the spec's prior ranges (uniform);
     then the last ``refine_share`` of the trials (default a quarter) spread evenly by a seeded Latin hypercube
     over the box around the region found so far, because TPE crowds its trials near the best fit and would
     leave the region's edges, and so the kept sets' spread, thinly sampled.
  3. **Ensemble.** The parameter sets whose log-likelihood is within ``chi2(confidence, d) / 2`` of the best
     (a likelihood-ratio confidence region for d parameters), equally weighted, at most ``max_sets`` of them.

  The search is safe to interrupt: every finished trial is kept in a journal file next to the output
  (``.<out>.trials.journal``, :mod:`.journal`); running the same command again continues from there. A journal
  made with a different scenario, spec, history or seed is refused.

- ``abc_smc`` (:mod:`.smc`, over :mod:`sim.analysis.abc`): a weighted posterior sample by ABC-SMC, judged by a
  distance between simulated and observed values rather than a likelihood, the same for the same seed whatever
  the workers. The national fit uses it (``calibration/national/spec_abc.yaml``: ten parameters, at most 1,260
  simulations; 1,120 measured, 319 s on 2 cores), optionally with a first stage that fits the reporting level
  and trend of the notifications on their own (:mod:`sim.analysis.reporting_fit`). It keeps no journal: an
  interrupted ABC-SMC fit starts again.

Either way ``run``/``compare --parameter-sets posterior.parquet`` draws one kept set per replication.

A *rate* target (``scale: per_1000_0_17`` or ``per_1000_0_22``) compares rates per 1,000 residents
(:mod:`.scales`): the observed count is divided by the history's population and multiplied by the scenario's, so
a national history fits "the average municipality" of the scenario's size (``calibration/national/spec.yaml``).

The package, by job: :mod:`.spec` (the spec), :mod:`.scales`, :mod:`.problem` (the scenario over the fitted
years and the observations), :mod:`.likelihood`, :mod:`.search` (optuna and its journal), :mod:`.smc` (the ABC
driver), :mod:`.result` (``Calibration``), :mod:`.fit` (``calibrate``: either method, then the fit bands),
:mod:`.bands`, :mod:`.handover` (the kept sets as scenario settings), :mod:`.journal` (the command's protocol
for an interrupted search). Every name is re-exported here: ``from sim.analysis.calibration import X``.
"""

from sim.analysis.calibration.bands import (
    ERROR_POINTS,
    FIT_COLUMNS,
    band_error_cv,
    bands,
    fit_table,
    predictive,
    project,
)
from sim.analysis.calibration.fit import calibrate
from sim.analysis.calibration.handover import (
    ANCHORED,
    KNOWN_SHARE,
    NEED_MIX_MOVERS,
    at_last_fitted_year,
    drifting,
    ensemble_for_scenarios,
    moves_need_mix,
    need_mix_at_last_fitted_year,
    parameter_summary,
)
from sim.analysis.calibration.journal import (
    check_trials,
    fit_total,
    interruptible,
    journal_for,
    load_fit_inputs,
    not_fitted_note,
    resume_hint,
    resume_hint_on_interrupt,
)
from sim.analysis.calibration.likelihood import fit_log_likelihood, log_likelihood
from sim.analysis.calibration.problem import DROPPED, Problem, prepare, trial_scenario
from sim.analysis.calibration.result import Calibration
from sim.analysis.calibration.scales import (
    PEOPLE_COUNTS,
    larger,
    population_metric,
    scale_for,
    scaled_by_projection,
    to_history_scale,
    to_model_scale,
)
from sim.analysis.calibration.search import fingerprint, likelihood_region, search, trials_frame
from sim.analysis.calibration.smc import (
    PILOT_GENERATION,
    abc_calibration,
    abc_distance,
    at_observations,
    first_stage,
    observation_sd,
    observation_sd_simulated,
    pilot_runs,
    prior_middle,
)
from sim.analysis.calibration.spec import (
    AbcSettings,
    CalibrationSpec,
    CalibrationSpecError,
    SearchSettings,
    Target,
    Years,
    load_spec,
    spec_from_mapping,
)
from sim.analysis.parameter_spec import parameter_value

__all__ = [
    "ANCHORED", "AbcSettings", "Calibration", "CalibrationSpec", "CalibrationSpecError", "DROPPED", "ERROR_POINTS",
    "FIT_COLUMNS", "KNOWN_SHARE", "NEED_MIX_MOVERS", "PEOPLE_COUNTS", "PILOT_GENERATION", "Problem",
    "SearchSettings", "Target", "Years", "abc_calibration", "abc_distance", "at_last_fitted_year",
    "at_observations", "band_error_cv", "bands", "calibrate", "check_trials", "drifting", "ensemble_for_scenarios",
    "fingerprint", "first_stage", "fit_log_likelihood", "fit_table", "fit_total", "interruptible", "journal_for",
    "larger", "likelihood_region", "load_fit_inputs", "load_spec", "log_likelihood", "moves_need_mix",
    "need_mix_at_last_fitted_year", "not_fitted_note", "observation_sd", "observation_sd_simulated",
    "parameter_summary", "parameter_value", "pilot_runs", "population_metric", "predictive", "prepare",
    "prior_middle", "project", "resume_hint", "resume_hint_on_interrupt", "scale_for", "scaled_by_projection",
    "search", "spec_from_mapping", "to_history_scale", "to_model_scale", "trial_scenario", "trials_frame",
]
