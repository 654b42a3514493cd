"""The outputs of `run` and `compare`: the long table, its summary, comparison and economics, the report,
the workbook and the manifest, written all or nothing (:func:`sim.outputs.files.atomic_directory`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.summary import summarise
from sim.outputs.files import atomic_directory, manifest, write_parquet
from sim.runs.runner import RunResult


def plain_number(x: float) -> str:
    """A CSV number with six significant digits and never in scientific notation (12500000, not 1.25e+07)."""
    return np.format_float_positional(x, precision=6, unique=False, fractional=False, trim="-")


def budget_rows(table: pd.DataFrame, results: list[RunResult]) -> pd.DataFrame:
    """summary rows of budget_overrun_prob for the scenarios that set a budget."""
    from sim.analysis.economics import budget_overrun

    budgets = {r.scenario.name: dict(r.scenario.budget_dkk) for r in results if r.scenario.budget_dkk}
    return budget_overrun(table, budgets)


def comparison_tables(table: pd.DataFrame, results: list[RunResult]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """comparison.csv, economics.csv and each alternative's NPV per replication, against results[0]."""
    from sim.analysis.economics import economics, net_saving_matrix, npv_by_replication, paired_differences

    base = results[0].scenario
    rate = base.economics.discount_rate
    start = base.calendar.start_year
    comparison = paired_differences(table, base.name)
    econ = economics(table, base.name, rate, start, price_year=base.price_year)
    npvs = {
        r.scenario.name: npv_by_replication(net_saving_matrix(table, base.name, r.scenario.name), rate, start)
        for r in results[1:]
    }
    return comparison, econ, npvs


def assumption_draws(results: list[RunResult]) -> pd.DataFrame:
    """What each replication drew of each scenario's assumptions (empty when they were fixed)."""
    from sim.runs.assumptions import DRAW_COLUMNS, draws_table

    parts = [draws_table([r.scenario], r.seed, r.replications, r.assumptions.skip)
             for r in results if r.assumptions is not None]
    parts = [part for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=DRAW_COLUMNS)


def uncertainty_tables(econ: pd.DataFrame, npvs: dict, results: list[RunResult],
                       draws: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """economics.csv with the precision of the chance of a saving and the noise-only band, and
    assumption_effects.csv: what each alternative's NPV rests on (sim.analysis.uncertainty).

    A pair's assumptions are those either scenario drew (the alternative's value where both drew one: the
    random number is shared, so either side's values order the runs the same way)."""
    from sim.analysis.uncertainty import assumption_effects, noise_only_band, precision_columns

    by_name = {r.scenario.name: r for r in results}
    extra, effects = [], []
    for _, row in econ.iterrows():
        result, base = by_name[row["scenario"]], by_name[row["baseline"]]
        values = _pair_values(draws, row["scenario"], row["baseline"])
        npv = np.asarray(npvs[row["scenario"]], dtype=float)
        drawn = result.assumptions is not None or base.assumptions is not None
        cols = precision_columns(float(row["prob_net_saving"]), int(np.sum(~np.isnan(npv))), drawn)
        if drawn and not values.empty:
            meta = {**base.scenario.assumptions, **result.scenario.assumptions}
            found = assumption_effects(npv, values, {p: (a.low, a.high) for p, a in meta.items()})
            cols["npv_p05_noise_only_dkk"], cols["npv_p95_noise_only_dkk"] = noise_only_band(npv, values, found)
            found.insert(0, "scenario", row["scenario"])
            found.insert(1, "baseline", row["baseline"])
            for key in ("grade", "source", "label_en", "label_da"):
                found[key] = [getattr(meta[p], key) for p in found["path"]]
            effects.append(found)
        else:
            cols["npv_p05_noise_only_dkk"], cols["npv_p95_noise_only_dkk"] = row["npv_p05_dkk"], row["npv_p95_dkk"]
        extra.append(cols)
    out = pd.concat([econ.reset_index(drop=True), pd.DataFrame(extra)], axis=1)
    columns = ["scenario", "baseline", "path", "label_en", "label_da", "grade", "source", "low", "high",
               "share_of_variance", "p_value", "npv_at_low_dkk", "npv_at_high_dkk"]
    effects_table = pd.concat(effects, ignore_index=True)[columns] if effects else pd.DataFrame(columns=columns)
    return out, effects_table


def long_term_columns(econ: pd.DataFrame, table: pd.DataFrame, results: list[RunResult]) -> pd.DataFrame:
    """economics.csv with the other public actors' long-term value (the baseline's ``long_term:``; nothing added
    when it is off), drawn per replication when the run drew its assumptions (sim.analysis.long_term)."""
    from sim.analysis.long_term import long_term_table, with_long_term

    base = results[0]
    seed = base.seed if base.assumptions is not None else None
    return with_long_term(econ, long_term_table(table, base.scenario, seed))


def with_precision_columns(econ: pd.DataFrame, precision: dict | None) -> pd.DataFrame:
    """economics.csv of a run to a precision (sim.analysis.precision.summary) with each policy's Monte Carlo
    errors and whether it reached the precision; unchanged otherwise."""
    if not precision:
        return econ
    from sim.analysis.precision import PRECISION_ECONOMICS_COLUMNS

    policies = precision["policies"]
    out = econ.copy()
    for col in PRECISION_ECONOMICS_COLUMNS:
        values = [policies.get(name, {}).get(col) for name in out["scenario"]]
        out[col] = pd.array(values, dtype="boolean") if col in ("precision_reached", "npv_sign_clear") else \
            np.asarray([np.nan if v is None else v for v in values], dtype=float)
    return out


def _compared_all(table: pd.DataFrame, results: list[RunResult], draws: pd.DataFrame) -> tuple:
    """comparison, economics (with its uncertainty and long-term columns), NPVs per replication, assumption
    effects and outcomes of every alternative against results[0], from one table."""
    from sim.analysis.outcomes import outcome_changes

    comparison, econ, npvs = comparison_tables(table, results)
    econ, effects = uncertainty_tables(econ, npvs, results, draws)
    outcomes = outcome_changes(table, results[0].scenario.name)
    econ = long_term_columns(econ, table, results)
    return comparison, econ, npvs, effects, outcomes


def compared_tables(table: pd.DataFrame, results: list[RunResult], draws: pd.DataFrame) -> tuple:
    """:func:`_compared_all`; when the scenarios ran different numbers of replications (a run to a precision
    whose policies stopped on their own), each alternative is compared with the baseline's first
    replications, as many as its own, so its rows are those of a run of that many replications."""
    from sim.analysis.precision import paired_rows

    counts = {r.replications for r in results}
    if len(counts) == 1:
        return _compared_all(table, results, draws)
    base = results[0]
    parts = []
    for alt in sorted(results[1:], key=lambda r: r.scenario.name):  # the tables' order: by scenario
        pair = (base.scenario.name, alt.scenario.name, alt.replications)
        parts.append(_compared_all(paired_rows(table, *pair), [base, alt], paired_rows(draws, *pair)))
    comparison, econ, effects, outcomes = (_stacked([p[i] for p in parts]) for i in (0, 1, 3, 4))
    found = {name: values for p in parts for name, values in p[2].items()}
    npvs = {r.scenario.name: found[r.scenario.name] for r in results[1:]}  # in the order they ran, as one table gives
    return comparison, econ, npvs, effects, outcomes


def _stacked(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after the other; the empty ones left out unless all are (their columns kept)."""
    full = [f for f in frames if not f.empty]
    return pd.concat(full or frames[:1], ignore_index=True)


def _pair_values(draws: pd.DataFrame, alternative: str, baseline: str) -> pd.DataFrame:
    """Replication x key path of what the pair drew: the alternative's values, the baseline's for paths only it drew."""
    from sim.analysis.uncertainty import drawn_values

    alt, base = drawn_values(draws, alternative), drawn_values(draws, baseline)
    if alt.empty:
        return base
    only_base = [c for c in base.columns if c not in alt.columns]
    return pd.concat([alt, base[only_base]], axis=1) if only_base else alt


def write_outputs(
    out: Path,
    results: list[RunResult],
    lang: str,
    command: list[str] | None = None,
    compare: bool = False,
    forecast_of: dict | None = None,
    manifest_extra: dict | None = None,
) -> Path:
    """Every file of docs/contract.md's `run` output (and with ``compare``, `compare`'s), all or nothing.

    With ``compare`` the first result is the baseline the others are compared with. ``forecast_of``
    (keys as_of, spent_to_date, previous) adds forecast.csv for a run started from a case register."""
    from sim.outputs.report import write_report, write_workbook

    streamed = results[0].parquet if len(results) == 1 and results[0].table is None else None
    if streamed is not None and (compare or forecast_of is not None):
        raise ValueError("a streamed run writes the output of `run` without a case register only")
    if streamed is not None:
        # the long table is on disk: summarise a few metrics at a time; the report reads its charts' metrics
        from sim.outputs.report import FAN_METRICS
        from sim.runs.streaming import read_metrics, summarise_parquet

        table = read_metrics(streamed, FAN_METRICS)
        summary = pd.concat([summarise_parquet(streamed, summarise),
                             budget_rows(read_metrics(streamed, ["cost_total"]), results)], ignore_index=True)
    else:
        table = pd.concat([r.table for r in results], ignore_index=True)
        summary = pd.concat([summarise(table), budget_rows(table, results)], ignore_index=True)
    comparison = econ = npvs = fc = previous = effects = outcomes = None
    draws = assumption_draws(results)
    if compare:
        comparison, econ, npvs, effects, outcomes = compared_tables(table, results, draws)
        econ = with_precision_columns(econ, (manifest_extra or {}).get("precision"))
    extra: dict = {"baseline": results[0].scenario.name} if compare else {}
    extra.update(manifest_extra or {})
    if forecast_of is not None:
        from sim.analysis.forecast import forecast, read_previous

        fc = forecast(table, results[0].scenario, forecast_of["as_of"], forecast_of.get("spent_to_date"))
        previous = read_previous(forecast_of.get("previous") or [])
        spent = forecast_of.get("spent_to_date")
        extra.update(as_of=forecast_of["as_of"].isoformat(), spent_to_date_dkk=spent,
                     initial_stock=results[0].stock_at_start, burn_in_years=0)
    with atomic_directory(out) as tmp:
        if streamed is not None:
            os.replace(streamed, tmp / "replications.parquet")  # written next to the output: same file system
        else:
            write_parquet(table, tmp / "replications.parquet")
        summary.to_csv(tmp / "summary.csv", index=False, float_format=plain_number)
        if compare:
            comparison.to_csv(tmp / "comparison.csv", index=False, float_format=plain_number)
            econ.to_csv(tmp / "economics.csv", index=False, float_format=plain_number)
            effects.to_csv(tmp / "assumption_effects.csv", index=False, float_format=plain_number)
            outcomes.to_csv(tmp / "outcomes.csv", index=False, float_format=plain_number)
        if not draws.empty:
            draws.to_csv(tmp / "assumption_draws.csv", index=False, float_format=plain_number)
        if fc is not None:
            fc.to_csv(tmp / "forecast.csv", index=False, float_format=plain_number)
        write_report(
            tmp, results, summary, lang, comparison=comparison, economics=econ, per_replication_npv=npvs,
            forecast=fc, previous_forecasts=previous, as_of=extra.get("as_of"), table=table,
            assumption_effects=effects, outcomes=outcomes,
        )
        write_workbook(
            tmp / "results.xlsx", summary, lang, [r.scenario for r in results], comparison=comparison,
            economics=econ, forecast=fc, assumption_effects=effects,
        )
        record = manifest(results, command, **extra)
        (tmp / "manifest.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
    return out


def write_run_outputs(out: Path, results: list[RunResult], lang: str, command: list[str] | None = None) -> Path:
    """The output of `run`."""
    return write_outputs(out, results, lang, command)
