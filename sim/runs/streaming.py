"""Results streamed to disk as replications finish, so a run's memory does not grow with its replications.

:class:`ReplicationWriter` appends each replication's rows to ``replications.parquet`` as one row group, in
replication order (replications that finish early wait in a small buffer until those before them are
written), so the file's bytes do not depend on how many workers ran or in what order they finished.
:func:`summarise_parquet` then computes the summary one metric at a time, reading only that metric's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("replication", pa.int64()),
        ("year", pa.int64()),
        ("metric", pa.string()),
        ("value", pa.float64()),
    ]
)


def replication_table(scenario: str, replication: int, rows: list[tuple[int, str, float]]) -> pa.Table:
    """One replication's rows (year, metric, value) as an Arrow table of the long format."""
    years, metrics, values = zip(*rows) if rows else ((), (), ())
    n = len(years)
    return pa.table(
        {
            "scenario": pa.array([scenario] * n, pa.string()),
            "replication": pa.array(np.full(n, replication, dtype=np.int64)),
            "year": pa.array(np.asarray(years, dtype=np.int64)),
            "metric": pa.array(list(metrics), pa.string()),
            "value": pa.array(np.asarray(values, dtype=np.float64)),
        },
        schema=SCHEMA,
    )


class ReplicationWriter:
    """Writes replications 0, 1, 2, ... of one scenario to a parquet file, one row group each, in order."""

    def __init__(self, path: Path, scenario: str):
        self.path = Path(path)
        self.scenario = scenario
        self._writer = pq.ParquetWriter(self.path, SCHEMA, compression="zstd", write_statistics=False)
        self._waiting: dict[int, list] = {}
        self.next = 0  # the replication to write next
        self.rows = 0

    def add(self, replication: int, rows: list[tuple[int, str, float]]) -> None:
        self._waiting[replication] = rows
        while self.next in self._waiting:
            table = replication_table(self.scenario, self.next, self._waiting.pop(self.next))
            self._writer.write_table(table, row_group_size=max(1, table.num_rows))
            self.rows += table.num_rows
            self.next += 1

    def close(self) -> None:
        if self._waiting:
            missing = self.next
            self._writer.close()
            raise RuntimeError(f"replication {missing} never arrived; {len(self._waiting)} later ones waited")
        self._writer.close()

    def __enter__(self) -> ReplicationWriter:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self._waiting.clear()
            self._writer.close()


def metric_names(path: Path) -> list[str]:
    """The metrics in a streamed file (those of its first row group: every replication reports the same)."""
    first = pq.ParquetFile(path).read_row_group(0, columns=["metric"])
    return sorted(set(first.column("metric").to_pylist()))


def read_metrics(path: Path, metrics: Iterable[str]) -> pd.DataFrame:
    """The long rows of only ``metrics`` (memory: those metrics' rows only), in file order."""
    return pq.read_table(path, filters=[("metric", "in", sorted(set(metrics)))]).to_pandas()


def summarise_parquet(path: Path, summarise, metrics_per_pass: int = 8) -> pd.DataFrame:
    """``summarise`` (the in-memory summary, sim.analysis.summary.summarise) applied to a few metrics at a time; the
    same rows as summarising the whole table at once, with the memory of ``metrics_per_pass`` metrics' rows."""
    names = metric_names(path)
    batches = [names[i:i + metrics_per_pass] for i in range(0, len(names), metrics_per_pass)]
    parts = [summarise(read_metrics(path, batch)) for batch in batches]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["scenario", "year", "metric"], kind="stable").reset_index(drop=True)
