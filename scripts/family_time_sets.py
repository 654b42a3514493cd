"""The uncertainty of the time-with-families effect as parameter sets for `run`/`compare --parameter-sets`.

    .venv/bin/python scripts/family_time_sets.py [--sets 40] [--out scenarios/parameter_sets/family_time.parquet]

`caseworkers.family_time.max_effect` (0.45 in the baseline) is fitted to one pilot: Herning 2013-15, with no
control group and several changes at once (docs/model.md, section 4). What the evidence supports is "some
effect, of uncertain size", so the file spreads it evenly from no effect at all to the largest the model allows
(1.0, a little under twice the fitted value; an assumption, stated here and in the README): `--sets` values at
the midpoints of equal slices of [0, 1], equally weighted. Each replication then draws one value, the same in every
compared scenario (common random numbers), and the bands and P(net saving) carry the effect's uncertainty with the
noise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.outputs.files import write_frame_parquet

ROOT = Path(__file__).resolve().parent.parent
SETTING = "caseworkers.family_time.max_effect"
HIGHEST = 1.0  # the scenario's bound on max_effect (a probability of moving a choice one step)
OUT = ROOT / "scenarios" / "parameter_sets" / "family_time.parquet"


def family_time_sets(n: int = 40, highest: float = HIGHEST) -> pd.DataFrame:
    """``n`` equally weighted values of the effect, evenly spread over [0, highest]."""
    values = (np.arange(n) + 0.5) / n * highest
    return pd.DataFrame({SETTING: np.round(values, 6), "weight": np.full(n, 1.0 / n)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=40)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    frame = family_time_sets(args.sets)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    write_frame_parquet(frame, tmp)  # the project's byte-stable parquet: the same bytes for the same sets
    tmp.replace(args.out)  # all or nothing
    print(f"{len(frame)} sets of {SETTING} from {frame[SETTING].min():.4g} to {frame[SETTING].max():.4g} -> {args.out}")


if __name__ == "__main__":
    main()
