"""The calibration's provenance of the baseline's numbers (the national fit adopted or checked).

`scenarios/baseline.yaml` lists under `provenance:` each number the national fit (`calibration/national/
reproduce.py`) checks (or would set: `adopted`), with the posterior's median and 90 % interval at the last fitted
year's level.
- The stated numbers are those of the stored posterior (`calibration/national/results/fit/posterior.parquet`):
  rerunning the fit and getting other numbers fails here until the baseline is brought up to date.
- An adopted number is the median; a kept one lies in the interval, or its note says why not.
- Every run's manifest repeats the provenance with the value the scenario runs with and whether that is still
  the calibration's; a scenario that overrides a calibrated number shows false.
- A provenance entry naming no number of the scenario, or an unordered interval, is refused naming the key.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import build

from sim.errors import ScenarioError
from sim.model.keypaths import get_path
from sim.model.scenario import load_scenario
from sim.outputs.files import calibration_provenance
from sim.runs.parameter_sets import weighted_quantile

ROOT = Path(__file__).resolve().parents[2]
BASELINE = load_scenario(ROOT / "scenarios" / "baseline.yaml")
DIGITS = 4  # the baseline states posterior numbers to 4 significant digits


def _rounded(x: float) -> float:
    return float(f"{x:.{DIGITS}g}")


def test_the_baseline_names_its_calibrated_numbers():
    paths = [cv.path for cv in BASELINE.provenance]
    assert "notifications.share_about_known_children" in paths and "notifications.per_1000_aged_0_17" in paths
    assert len(set(paths)) == len(paths)


@pytest.mark.parametrize("cv", BASELINE.provenance, ids=[cv.path for cv in BASELINE.provenance])
def test_the_stated_posterior_is_the_stored_posterior(cv):
    posterior = pd.read_parquet(ROOT / cv.source / "posterior.parquet")
    values, weights = posterior[cv.path].to_numpy(dtype=float), posterior["weight"].to_numpy(dtype=float)
    for q, stated in ((0.05, cv.p05), (0.5, cv.median), (0.95, cv.p95)):
        assert stated == pytest.approx(_rounded(weighted_quantile(values, weights, q)), rel=1e-9), (cv.path, q)


@pytest.mark.parametrize("cv", BASELINE.provenance, ids=[cv.path for cv in BASELINE.provenance])
def test_an_adopted_number_is_the_median_and_a_kept_one_lies_in_the_interval_or_says_why(cv):
    value = float(get_path(BASELINE.model_dump(mode="json"), cv.path))
    if cv.adopted:
        assert value == cv.median
    elif not cv.p05 <= value <= cv.p95:
        assert len(cv.note) > 20, f"{cv.path} = {value} lies outside {cv.p05}-{cv.p95} and no note says why"


def test_the_manifest_says_whether_a_scenario_still_holds_the_calibrated_numbers(baseline_raw):
    held = {e["path"]: e for e in calibration_provenance(BASELINE)}
    assert all(e["as_calibrated"] for e in held.values() if e["adopted"])
    assert all(e["as_calibrated"] == (e["p05"] <= e["value"] <= e["p95"]) for e in held.values() if not e["adopted"])
    assert not held["diversion.share"]["as_calibrated"] and held["reviews.step_down_share"]["as_calibrated"]
    changed = build(baseline_raw, **{"notifications.share_about_known_children": 0.5})
    after = {e["path"]: e for e in calibration_provenance(changed)}
    assert after["notifications.share_about_known_children"] == {
        **held["notifications.share_about_known_children"], "value": 0.5, "as_calibrated": False}


def test_a_runs_manifest_carries_the_provenance(baseline_raw):
    from sim.outputs.files import manifest
    from sim.runs.runner import run_replications

    baseline_raw["calendar"].update(burn_in_years=0, horizon_years=1)
    result = run_replications(build(baseline_raw), 1, seed=1, workers=1)
    written = manifest([result])["calibration_provenance"]["baseline"]
    assert [e["path"] for e in written] == [cv.path for cv in BASELINE.provenance]
    assert all("value" in e and "as_calibrated" in e for e in written)


@pytest.mark.parametrize("entry, where", [
    ({"path": "reviews.no_such_key"}, "provenance[0].path"),
    ({"p05": 0.9}, "provenance[0]"),
    ({"path": "name"}, "provenance[0].path"),
])
def test_bad_provenance_is_refused_naming_the_key(baseline_raw, entry, where):
    good = {"path": "reviews.step_down_share", "source": "x", "history": "h", "method": "m", "median": 0.6,
            "p05": 0.5, "p95": 0.7, "adopted": False}
    with pytest.raises(ScenarioError) as e:
        build(baseline_raw, provenance=[{**good, **entry}])
    assert any(p == where for p, _ in e.value.problems), e.value.problems


def test_the_demand_is_adopted_as_one_state_of_the_fit():
    """The notification rate and the share about known children are adopted only with the need mix the fit
    gives for the same year: the two rates alone would put 2019's reporting on 2015's need
    per notification (11 % fewer placed in the long run). The mix's level 0 (no need) is the rest."""
    adopted = {cv.path for cv in BASELINE.provenance if cv.adopted}
    rates = {"notifications.per_1000_aged_0_17", "notifications.share_about_known_children"}
    mix = {f"demand.need_shares.{level}" for level in range(1, 6)}
    assert rates <= adopted and mix <= adopted
    shares = BASELINE.demand.need_shares
    assert shares[0] == pytest.approx(1.0 - sum(shares[level] for level in range(1, 6)), abs=1e-9)


def _without_money(raw):
    """A scenario mapping without what only moves money (prices, amounts in DKK): prices steer no decision and the
    fit's targets are counts, so a new price leaves the fit's input as it was."""
    if isinstance(raw, dict):
        return {k: _without_money(v) for k, v in raw.items() if k != "prices" and not k.endswith("_dkk")}
    if isinstance(raw, list):
        return [_without_money(v) for v in raw]
    return raw


@pytest.mark.xfail(strict=True, reason="the stored national fit ran with the saturating caseworker-time effect "
                   "(max_effect 0.55) and the review stretch as a cliff. A rerun with the linear effect "
                   "(calibration/national/reproduce.py, fit 6.5 minutes on 2 cores) moves the adopted medians "
                   "(notifications 119.0 -> 115.7 per 1,000 aged 0-17, share about known children 0.74 -> 0.66, "
                   "need shares about 9 % lower): re-adopting them is its own step (docs/developing.md, 'Take a "
                   "default from a calibration')")
def test_the_national_fit_does_not_start_from_what_the_baseline_adopted_from_it():
    """The fit's scenario extends the baseline but pins its own 2015 start (need mix, rates, initial stock), so
    adopting the fit into the baseline did not change the fit's input: today's scenario is the one the stored
    fit ran (its manifest; the calendar is the fitted years', the provenance is metadata, and the assumptions'
    ranges are not drawn in a fit, which varies its own parameters), and a rerun gives the same posterior. Keys
    that only label the output are left out where the stored run predates them: the caveats (words) and the
    steps' family_care (which steps the kinship share of family care counts; the simulation does not read it)."""
    import json

    fit = load_scenario(ROOT / "calibration" / "national" / "scenario.yaml")
    assert fit.demand.need_shares != BASELINE.demand.need_shares
    manifest = json.loads((ROOT / "calibration" / "national" / "results" / "fit" / "manifest.json").read_text())
    ran = manifest["scenarios"]["national-fit"]
    today = fit.model_dump(mode="json")
    if "caveats" not in ran:
        today.pop("caveats")
    for step, stored in zip(today["staircase"], ran["staircase"]):
        if "family_care" not in stored:
            step.pop("family_care")
    ran, today = _without_money(ran), _without_money(today)
    changed = sorted(k for k in set(ran) | set(today)
                     if k not in ("calendar", "provenance", "assumptions") and ran.get(k) != today.get(k))
    assert changed == [], f"the national fit's input changed since its stored run: {changed}"


def test_the_stored_need_mix_is_the_one_the_stored_parameters_imply():
    """Each stored parameter set's need mix (posterior.parquet, at 2019) is what its fitted 2015 values give
    (trials.csv) through the hand-on of the fit: the adopted mix's median is a median of these, not a number
    set beside the rates."""
    from sim.analysis.calibration import at_last_fitted_year, load_spec, prepare
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    national = ROOT / "calibration" / "national"
    problem = prepare(resolve_raw(national / "scenario.yaml"), load_spec(national / "spec_abc.yaml"),
                      read_history(national / "history.csv"))
    posterior = pd.read_parquet(national / "results" / "fit" / "posterior.parquet")
    trials = pd.read_csv(national / "results" / "fit" / "trials.csv").set_index("trial")
    paths = [p.path for p in problem.spec.parameters]
    mix = [c for c in posterior.columns if c.startswith("demand.need_shares.")]
    assert len(mix) == 6
    for _, row in posterior.iloc[::5].iterrows():  # every fifth set: each one builds a scenario
        fitted = {p: float(trials.loc[int(row["trial"]), p]) for p in paths}
        handed_on = at_last_fitted_year(problem, fitted)
        assert [handed_on[c] for c in mix] == pytest.approx([row[c] for c in mix], rel=1e-6), int(row["trial"])
