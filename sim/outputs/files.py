"""Files on disk, written all or nothing: parquet without metadata, the manifest, output directories.

An output directory is built in a temporary sibling directory and renamed into place only when every
file is written, so a failed or interrupted run leaves no half-written directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.errors import InputError
from sim.runs.runner import RunResult
from sim.runs.streaming import SCHEMA as LONG_TABLE_SCHEMA  # one schema, whether written at once or streamed

ROOT = Path(__file__).resolve().parents[2]  # the checkout, when the tool runs from one


def write_frame_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Any small frame as parquet without pandas metadata (same bytes for the same frame)."""
    arrow = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(arrow, path, compression="zstd", row_group_size=max(1, len(frame)), write_statistics=False)


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Byte-stable parquet: fixed schema, no pandas metadata, one row group."""
    arrow = pa.Table.from_pandas(table, schema=LONG_TABLE_SCHEMA, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(arrow, path, compression="zstd", row_group_size=max(1, len(table)), write_statistics=False)


def read_parquet(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def git_commit() -> str | None:
    """The project's git commit, when it runs from a checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
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
