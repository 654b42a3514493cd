"""Files on disk, written all or nothing: parquet without metadata, the manifest, output directories.

An output directory is built in a temporary sibling directory and renamed into place only when every
file is written, so a failed or interrupted run leaves no half-written directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import re
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
from sim.model.privacy import redact_cpr
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
        "calibration_provenance": {r.scenario.name: calibration_provenance(r.scenario) for r in results
                                   if r.scenario.provenance},
        "assumptions": {r.scenario.name: assumptions_record(r) for r in results if r.scenario.assumptions},
        **extra,
    }


def assumptions_record(result: RunResult) -> dict:
    """Which of a scenario's assumptions the run drew and which it held at the scenario's value (fixed runs,
    a value set outside its range, a part the scenario does not have, a path set by parameter sets)."""
    from sim.model.scenario import applicable_assumptions

    if result.assumptions is None:
        return {"drawn": [], "held": sorted(result.scenario.assumptions), "why": "fixed (--fixed-assumptions)"}
    drawn = sorted(p for p in applicable_assumptions(result.scenario) if p not in result.assumptions.skip)
    return {"drawn": drawn, "held": sorted(set(result.scenario.assumptions) - set(drawn))}


def calibration_provenance(scenario) -> list[dict]:
    """Per calibrated value of a scenario: where it comes from, the value the scenario runs with, and whether
    that is still the calibration's (the median if adopted, inside the 90 % interval if only checked); a
    scenario that overrides a calibrated number shows false here."""
    from sim.model.keypaths import get_path

    values = scenario.model_dump(mode="json")
    out = []
    for cv in scenario.provenance:
        value = float(get_path(values, cv.path))
        held = value == cv.median if cv.adopted else cv.p05 <= value <= cv.p95
        out.append({**cv.model_dump(mode="json"), "value": value, "as_calibrated": bool(held)})
    return out


def default_out_dir(name: str) -> Path:
    """results/<name>-<time>/, with no CPR-like number in the name (a file named after a child)."""
    name = redact_cpr(name)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{name}-{stamp}"


# the manifest lists every file an output holds (relative paths) with its SHA-256, and every folder, so a later
# run can tell that a folder is wholly ours and unchanged before it replaces it; a folder holding anything else
# (a file, a folder, a link added, or a listed file edited in place) is never deleted
MANIFEST = "manifest.json"
FILES_KEY = "files"
HASHES_KEY = "sha256"
FOLDERS_KEY = "folders"
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[A-Za-z0-9_]+\.partial$")
_STREAM = re.compile(r"^\.(?P<name>.+)\.replications-(?P<pid>[0-9]+)\.parquet$")
_WRITE_ERRORS = (errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG)


def _files_in(folder: Path) -> set[str]:
    """Every regular file below ``folder`` (links not followed), as relative paths with forward slashes."""
    return _entries(folder)[0]


def _entries(folder: Path) -> tuple[set[str], set[str], set[str]]:
    """What ``folder`` holds, links not followed: (regular files, folders, anything else: links to files or
    folders, pipes, sockets), each as relative paths with forward slashes."""
    files: set[str] = set()
    folders: set[str] = set()
    others: set[str] = set()
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in [*dirs, *names]:
            path = Path(root, name)
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                others.add(relative)
            elif path.is_dir():
                folders.add(relative)
            elif path.is_file():
                files.add(relative)
            else:
                others.add(relative)
    return files, folders, others


def _sha256(path: Path) -> str:
    """The file's SHA-256 as a fingerprint, byte pairs joined by colons (ab:12:...): a plain hex digest often
    holds a run of ten decimal digits, which a scanner for CPR numbers (ours, or a municipality's) flags."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.digest().hex(":")


def is_our_output(folder: Path) -> bool:
    """True only when ``folder`` is an earlier boernesim output with nothing added or changed: its manifest
    says it was written by boernesim, lists every file the folder holds now with the content it had, and
    every folder; a link of any kind, or a manifest without hashes (an older version's), is not ours."""
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(recorded, dict) or recorded.get("tool") != "boernesim":
        return False
    listed, hashes, folders = recorded.get(FILES_KEY), recorded.get(HASHES_KEY), recorded.get(FOLDERS_KEY)
    if not (isinstance(listed, list) and isinstance(hashes, dict) and isinstance(folders, list)):
        return False
    files, present_folders, others = _entries(folder)
    if others or not present_folders <= set(map(str, folders)) or not files <= {*map(str, listed), MANIFEST}:
        return False
    return all(hashes.get(f) == _sha256(folder / f) for f in files - {MANIFEST})


def _out_path_problem(target: Path) -> str | None:
    """Why ``--out target`` cannot be an output directory, or None."""
    if target.name in ("", ".", ".."):
        return "is the current or a parent folder; give a new folder's name, e.g. --out results/my-run"
    if target.is_symlink():
        return ("is a symbolic link; give the folder it points to, or a new folder's name "
                "(the link is not replaced)")
    for parent in [target, *target.parents]:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a directory"
            if not os.access(parent, os.W_OK | os.X_OK):
                return f"cannot write in {parent}: permission denied"
            break
    if target.is_dir() and any(target.iterdir()) and not is_our_output(target):
        return ("exists and holds files boernesim did not write, or changed since (or an older output with files "
                "added); "
                "nothing was changed. Choose another directory, or move the files you want to keep and "
                "delete the folder yourself")
    return None


def _refuse_out(target: Path) -> None:
    """InputError saying why ``--out target`` cannot be written, if it cannot."""
    problem = _out_path_problem(target)
    if problem:
        joiner = " " if problem.startswith(("is ", "exists ")) else ": "
        raise InputError(f"--out {target}{joiner}{problem}")


def check_out_dir(target: Path) -> None:
    """An output directory must be new, empty, or an earlier boernesim output with nothing added; checked
    before a long run."""
    target = Path(target)
    _refuse_out(target)
    remove_stale_partials(target)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_partials(target: Path) -> None:
    """Remove what an earlier run of ours into ``target`` left when it was killed: its temporary directory
    and its streamed replications, recognised by name and by the process that made them being gone. Nothing
    else is touched (a ``.<name>.old-PID`` folder is a complete earlier output moved aside: it is kept)."""
    parent = target.parent if target.parent != Path("") else Path(".")
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        for pattern in (_PARTIAL, _STREAM):
            found = pattern.match(entry.name)
            if found and found["name"] == target.name and not _pid_alive(int(found["pid"])):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)


def _record_files(tmp: Path) -> None:
    """List the output's files in its manifest (and keep CPR-like strings out of it)."""
    path = tmp / MANIFEST
    if not path.exists():
        return
    recorded = _redacted(json.loads(path.read_text(encoding="utf-8")))
    if isinstance(recorded, dict):
        files, folders, _ = _entries(tmp)
        recorded[FILES_KEY] = sorted(files | {MANIFEST})
        recorded[HASHES_KEY] = {f: _sha256(tmp / f) for f in sorted(files - {MANIFEST})}
        recorded[FOLDERS_KEY] = sorted(folders)
    path.write_text(json.dumps(recorded, indent=2, ensure_ascii=False), encoding="utf-8")


def _redacted(node):
    """Every string in a manifest with CPR-like numbers removed (a register named after a child, say);
    numbers stay as they are."""
    if isinstance(node, str):
        return redact_cpr(node)
    if isinstance(node, list):
        return [_redacted(item) for item in node]
    if isinstance(node, dict):
        return {redact_cpr(str(key)): _redacted(value) for key, value in node.items()}
    return node


def write_error(path: Path, error: OSError) -> InputError | None:
    """A full disk, a read-only file system or a permission problem as bad input naming the path; None
    for other errors."""
    if error.errno not in _WRITE_ERRORS:
        return None
    where = error.filename or path
    return InputError(f"--out {path}: cannot write {where}: {error.strerror}; free some space or choose "
                      "a folder you can write to")


def _unused_sibling(target: Path) -> Path:
    """<target>-new, <target>-new-2, ...: the first name beside ``target`` that nothing has."""
    for n in range(1, 10_000):
        candidate = target.with_name(f"{target.name}-new" + (f"-{n}" if n > 1 else ""))
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise InputError(f"--out {target}: no free name beside it for this run's output")


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yields a temporary directory; on success it replaces ``target`` (only an earlier boernesim output)."""
    target = Path(target)
    check_out_dir(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".partial", dir=target.parent))
    except OSError as e:
        raise (write_error(target, e) or e) from None
    try:
        yield tmp
        _record_files(tmp)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError) and (bad := write_error(target, e)) is not None:
            raise bad from None
        raise
    try:  # again, just before the replace: the user may have added or edited a file while the run ran
        _refuse_out(target)
    except InputError as refused:
        kept = _unused_sibling(target)
        os.replace(tmp, kept)  # the run's output is not thrown away either
        raise InputError(f"{refused}; this run's output is in {kept}") from None
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
