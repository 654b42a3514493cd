"""Results on disk: the long table, its summary, the manifest, written all or nothing.

An output directory is built in a temporary sibling directory and renamed into place only when every
file is written, so a failed or interrupted run leaves no half-written directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.errors import InputError
from sim.runs.runner import RunResult
from sim.runs.streaming import SCHEMA as _PARQUET_SCHEMA  # one schema, whether written at once or streamed

SUMMARY_COLUMNS = ["scenario", "year", "metric", "mean", "p05", "p50", "p95"]


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and 5/50/95 % quantiles over replications per scenario, year and metric (NaNs left out)."""
    grouped = table.groupby(["scenario", "year", "metric"], sort=True)["value"]
    out = grouped.agg(
        mean="mean",
        p05=lambda v: _quantile(v, 0.05),
        p50=lambda v: _quantile(v, 0.50),
        p95=lambda v: _quantile(v, 0.95),
    ).reset_index()
    return out[SUMMARY_COLUMNS]


def _quantile(values: pd.Series, q: float) -> float:
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    return float(np.quantile(v, q)) if v.size else float("nan")


def write_frame_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Any small frame as parquet without pandas metadata (same bytes for the same frame)."""
    arrow = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(arrow, path, compression="zstd", row_group_size=max(1, len(frame)), write_statistics=False)


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Byte-stable parquet: fixed schema, no pandas metadata, one row group."""
    arrow = pa.Table.from_pandas(table, schema=_PARQUET_SCHEMA, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(arrow, path, compression="zstd", row_group_size=max(1, len(table)), write_statistics=False)


def read_parquet(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def git_commit() -> str | None:
    """The project's git commit, when it runs from a checkout."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def manifest(results: list[RunResult], command: list[str] | None = None, **extra) -> dict:
    first = results[0]
    return {
        "tool": "boernesim",
        "version": __version__,
        "git_commit": git_commit(),
        "command": command if command is not None else sys.argv,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seed": first.seed,
        "replications": first.replications,
        "years": first.scenario.calendar.horizon_years,
        "start_year": first.scenario.calendar.start_year,
        "burn_in_years": first.scenario.calendar.burn_in_years,
        "wall_seconds": round(sum(r.wall_seconds for r in results), 3),
        "events_simulated": sum(r.events for r in results),
        "scenarios": {r.scenario.name: r.scenario.model_dump(mode="json") for r in results},
        **extra,
    }


def default_out_dir(name: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{name}-{stamp}"


def check_out_dir(target: Path) -> None:
    """An output directory must be new, empty, or an earlier boernesim output; checked before a long run."""
    target = Path(target)
    for parent in [target, *target.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"--out {target}: {parent} is a file, not a directory")
            break
    if target.is_dir() and not (target / "manifest.json").exists() and any(target.iterdir()):
        raise InputError(f"--out {target} exists and is not an earlier boernesim output; choose another directory")


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yields a temporary directory; on success it replaces ``target`` (only an earlier boernesim output)."""
    target = Path(target)
    check_out_dir(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def investment_metrics(scenarios) -> list[str]:
    """What an alternative may spend extra on: caseworkers, declared policy costs, preventive steps."""
    steps = {st.id for sc in scenarios for st in sc.staircase if st.kind == "preventive"}
    return ["cost_caseworkers", "cost_policy", *(f"cost.{x}" for x in sorted(steps))]


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
    econ = economics(table, base.name, rate, start, investment_metrics([r.scenario for r in results]))
    npvs = {
        r.scenario.name: npv_by_replication(net_saving_matrix(table, base.name, r.scenario.name), rate, start)
        for r in results[1:]
    }
    return comparison, econ, npvs


def write_outputs(
    out: Path,
    results: list[RunResult],
    lang: str,
    command: list[str] | None = None,
    compare: bool = False,
    forecast_of: dict | None = None,
    manifest_extra: dict | None = None,
) -> Path:
    """Every file of CONTRACT.md's `run` output (and with ``compare``, `compare`'s), all or nothing.

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
    comparison = econ = npvs = fc = previous = None
    if compare:
        comparison, econ, npvs = comparison_tables(table, results)
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
        summary.to_csv(tmp / "summary.csv", index=False, float_format="%.6g")
        if compare:
            comparison.to_csv(tmp / "comparison.csv", index=False, float_format="%.6g")
            econ.to_csv(tmp / "economics.csv", index=False, float_format="%.6g")
        if fc is not None:
            fc.to_csv(tmp / "forecast.csv", index=False, float_format="%.6g")
        write_report(
            tmp, results, summary, lang, comparison=comparison, economics=econ, per_replication_npv=npvs,
            forecast=fc, previous_forecasts=previous, as_of=extra.get("as_of"), table=table,
        )
        write_workbook(
            tmp / "results.xlsx", summary, lang, [r.scenario for r in results], comparison=comparison,
            economics=econ, forecast=fc,
        )
        (tmp / "manifest.json").write_text(json.dumps(manifest(results, command, **extra), indent=2, ensure_ascii=False))
    return out


def write_run_outputs(out: Path, results: list[RunResult], lang: str, command: list[str] | None = None) -> Path:
    """The output of `run`."""
    return write_outputs(out, results, lang, command)
