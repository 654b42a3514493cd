"""The calibration spec: parameters with prior ranges, targets, years, the search's and ABC-SMC's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.analysis.parameter_spec import (
    Parameter,
    SpecError,
    SpecPart,
    hidden_by_its_items,
    listed_once,
    spec_key_path,
)
from sim.errors import ScenarioError
from sim.model.catalogue import is_money, is_ratio, is_share
from sim.model.scenario import read_yaml, validation_reason


class CalibrationSpecError(SpecError):
    """A calibration spec that cannot be used; the message names the file, the key path and the reason."""

    what = "calibration spec"


# ---------------------------------------------------------------- the spec


class Target(SpecPart):
    """A history metric to fit, with its likelihood and scale."""

    metric: str = Field(min_length=1, description="a metric of the history and the model, e.g. notifications")
    likelihood: Literal["negative_binomial", "poisson", "normal"] | None = Field(
        default=None, description="default: negative_binomial for counts, normal for shares and money")
    dispersion: float | None = Field(default=None, gt=0, description="negative binomial k (variance mu + mu^2/k)")
    cv: float | None = Field(default=None, gt=0, description="normal: sd as a share of the observed value")
    sd: float | None = Field(default=None, gt=0, description="normal: sd in the metric's own unit")
    scale: Literal["absolute", "per_1000_0_17", "per_1000_0_22"] | None = Field(
        default=None, description="compare counts as they are, or as rates per 1,000 residents (default: spec's)")

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        kind = self.family
        if kind != "negative_binomial" and self.dispersion is not None:
            raise ValueError("dispersion goes with likelihood negative_binomial")
        if kind != "normal" and (self.cv is not None or self.sd is not None):
            raise ValueError("cv and sd go with likelihood normal")
        if self.cv is not None and self.sd is not None:
            raise ValueError("give cv or sd, not both")
        if kind != "normal" and (is_share(self.metric)):
            raise ValueError(f"{self.metric} is a share; use likelihood normal (with sd)")
        return self

    @property
    def family(self) -> str:
        if self.likelihood:
            return self.likelihood
        return "normal" if is_ratio(self.metric) or is_money(self.metric) else "negative_binomial"


class Years(SpecPart):
    """The history years to fit (default: every year the targets have)."""

    first: int | None = Field(default=None, ge=1990, le=2100, description="first year fitted (default: history's)")
    last: int | None = Field(default=None, ge=1990, le=2100, description="last year fitted (default: history's)")

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.first and self.last and self.first > self.last:
            raise ValueError(f"years.first ({self.first}) is after years.last ({self.last})")
        return self


class SearchSettings(SpecPart):
    """How the search runs: trials, replications per trial, batch size, the share spread over the region."""

    trials: int = Field(default=160, ge=2, le=100000, description="parameter sets tried in all")
    startup_trials: int = Field(default=24, ge=1, description="random trials before TPE models the fit")
    batch: int = Field(default=4, ge=1, le=1024, description="trials run at once; part of the result (TPE "
                       "learns after each batch), so it is a setting, not the number of workers")
    replications: int = Field(default=2, ge=1, le=1000, description="replications per trial, same seed")
    refine_share: float = Field(default=0.25, ge=0, lt=1, description="share of the trials spread evenly over "
                                "the region found by TPE, so its edges are sampled too")
    confidence: float = Field(default=0.9, gt=0, lt=1, description="of the likelihood-ratio region")
    max_sets: int = Field(default=100, ge=1, description="at most this many parameter sets kept")


class AbcSettings(SpecPart):
    """ABC-SMC (``method: abc_smc``, :mod:`sim.analysis.abc`): population size, generations, tolerance quantile."""

    particles: int = Field(default=48, ge=4, le=100000, description="parameter sets in each population")
    generations: int = Field(default=4, ge=1, le=50, description="populations, the first from the prior")
    quantile: float = Field(default=0.5, gt=0, lt=1, description="each tolerance: this quantile of the last "
                            "population's distances")
    max_batches: int = Field(default=4, ge=1, le=100, description="batches of `particles` candidates tried per "
                             "generation before it is closed with those accepted")
    distance_scale: Literal["likelihood", "simulated"] = Field(
        default="likelihood", description="the sd that standardises each observation's residual: the target's "
        "likelihood (dispersion, cv, sd), or the simulator's own spread over pilot replications with the model "
        "error added (see observation_sd_simulated)")
    pilot_replications: int = Field(default=20, ge=2, le=1000, description="distance_scale simulated: "
                                    "replications at the prior's midpoint")
    model_error_cv: float = Field(default=0.05, gt=0, lt=1, description="the model's own error as a share of "
                                  "each observation: added to the simulated spread (distance_scale simulated) and "
                                  "the sd of the reporting stage")
    model_error_in_bands: bool = Field(default=False, description="the bands of the fitted years (fit.csv) "
                                       "predict an observation: each replication's value spread by model_error_cv, "
                                       "the error the distance allows, not only the simulations' own spread "
                                       "(abc_smc with distance_scale simulated only; a back-test's forecasts, "
                                       "conditioned on the origin, do not carry it)")
    reporting_stage: bool = Field(default=False, description="fit the notification level and trend to the "
                                  "notifications series first and use that posterior as their prior; the ABC "
                                  "distance then leaves notifications out (sim.analysis.reporting_fit)")


class CalibrationSpec(SpecPart):
    """What to fit: parameters with ranges, targets, years and the search settings."""

    description: str = ""
    seed: int = Field(default=1, description="random seed of the search and the simulations")
    burn_in_years: int | None = Field(default=None, ge=0, le=50, description="default: the scenario's")
    scale: Literal["absolute", "per_1000_0_17", "per_1000_0_22"] = "absolute"
    dispersion: float = Field(default=30.0, gt=0, description="default negative binomial k of count targets")
    cv: float = Field(default=0.05, gt=0, description="default relative sd of normal targets (money etc.)")
    sd_share: float = Field(default=0.05, gt=0, description="default absolute sd of share targets")
    years: Years = Years()
    parameters: tuple[Parameter, ...] = Field(min_length=1)
    targets: tuple[Target, ...] = Field(min_length=1)
    search: SearchSettings = SearchSettings()
    method: Literal["likelihood_region", "abc_smc"] = Field(
        default="likelihood_region", description="likelihood_region: optuna TPE and the likelihood-ratio "
        "region; abc_smc: an ABC-SMC posterior (sim.analysis.abc)")
    abc: AbcSettings = AbcSettings()
    projection_replications: int = Field(default=20, ge=2, le=10000,
                                         description="replications of the fitted ensemble for the bands")
    projection_scale: int = Field(default=1, ge=1, le=100, description="the bands' replications run a municipality "
                                  "this many times the scenario's (children, caseworkers, capacities), reported per "
                                  "scenario-sized municipality: less chance in the bands of a larger history (at "
                                  "most 100)")
    projection_trend_walk_sd: float = Field(
        default=0.0, ge=0.0, le=1.0, allow_inf_nan=False,
        description="sd of a yearly random walk on each metric's trend (log scale) that a back-test's projection "
        "adds after its origin, damped by the scenario's trend_damping.phi: the trend's own uncertainty in the "
        "band (0: none; at most 1)")

    @field_validator("parameters")
    @classmethod
    def _unique_parameters(cls, params: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
        listed_once([p.path for p in params], "parameter")
        return params

    @field_validator("targets")
    @classmethod
    def _unique_targets(cls, targets: tuple[Target, ...]) -> tuple[Target, ...]:
        listed_once([t.metric for t in targets], "target")
        return targets

    @model_validator(mode="after")
    def _model_error_is_the_distances(self) -> CalibrationSpec:
        if self.abc.model_error_in_bands and (self.method != "abc_smc" or self.abc.distance_scale != "simulated"):
            raise ValueError("abc.model_error_in_bands spreads the bands by abc.model_error_cv, which only an "
                             "abc_smc fit with abc.distance_scale: simulated uses; set both or leave it false")
        return self

    @model_validator(mode="after")
    def _reporting_stage_has_its_inputs(self) -> CalibrationSpec:
        if self.method == "abc_smc" and self.abc.reporting_stage:
            from sim.analysis import reporting_fit as rf

            paths = [p.path for p in self.parameters]
            missing = [x for x in (rf.LEVEL, rf.TREND) if x not in paths]
            if missing:
                raise ValueError(f"abc.reporting_stage fits {rf.LEVEL} and {rf.TREND}: add "
                                 f"{' and '.join(missing)} to the parameters, or set reporting_stage: false")
            if rf.METRIC not in [t.metric for t in self.targets]:
                raise ValueError(f"abc.reporting_stage fits the {rf.METRIC} series: add it to the targets")
            if len(self.targets) < 2:
                raise ValueError("abc.reporting_stage leaves notifications out of the ABC distance: give at "
                                 "least one other target")
        return self

    def scale_of(self, target: Target) -> str:
        return target.scale or self.scale


def spec_from_mapping(data: dict, source: str = "<spec>") -> CalibrationSpec:
    if not isinstance(data, dict):
        raise CalibrationSpecError(source, [("", "a calibration spec must be a mapping of keys to values")])
    try:
        return CalibrationSpec.model_validate(data)
    except ValidationError as e:
        errors = [err for err in e.errors() if not hidden_by_its_items(err, e.errors())]
        hint = "see calibration/national/spec.yaml for the keys"
        problems = [(spec_key_path(err["loc"], data), validation_reason(err, keys_hint=hint)) for err in errors]
        raise CalibrationSpecError(source, problems) from None


def load_spec(path: str | Path) -> CalibrationSpec:
    try:
        data = read_yaml(Path(path))
    except ScenarioError as e:
        raise CalibrationSpecError(e.file, e.problems) from None
    return spec_from_mapping(data, str(path))
