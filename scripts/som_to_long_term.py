"""Turn a user's export of SØM's knowledge base into a ``long_term:`` file a scenario can name.

    .venv/bin/python scripts/som_to_long_term.py KONSEKVENSER PRISER --target-group "Anbragte 14-17 år"
        --success "Ikke anbragt året efter" --metric child_years [--step-kind placement | --steps a,b]
        [--units-per-success -1] [--grade register] [--out long_term.yaml]

KONSEKVENSER and PRISER are the export's consequences and prices (CSV, or one .xlsx with the sheets Konsekvenser
and Priser given twice); docs/long-term.md describes the assumed format. The file written holds ``long_term:``
with one profile per consequence and its price; name it in a scenario with ``long_term: {enabled: true, file:
...}`` and set the adjustments (deadweight, attribution, drop-off, optimism bias) there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from sim.analysis.long_term import long_term_from_som, read_som_consequences, read_som_prices
from sim.errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("consequences", type=Path)
    parser.add_argument("prices", type=Path)
    parser.add_argument("--target-group", required=True)
    parser.add_argument("--success", required=True)
    parser.add_argument("--metric", required=True, help="the run's quantity, e.g. child_years or reached_18")
    parser.add_argument("--step-kind", choices=("placement", "preventive"))
    parser.add_argument("--steps", default="", help="step ids, comma-separated")
    parser.add_argument("--units-per-success", type=float, default=-1.0)
    parser.add_argument("--grade", default="register", choices=("register", "controlled", "pilot", "assumption"))
    parser.add_argument("--out", type=Path, default=Path("long_term.yaml"))
    args = parser.parse_args(argv)
    try:
        section = long_term_from_som(
            read_som_consequences(args.consequences), read_som_prices(args.prices), args.target_group, args.success,
            args.metric, args.units_per_success, tuple(s for s in args.steps.split(",") if s), args.step_kind,
            args.grade)
    except InputError as e:
        print(f"som_to_long_term: {e}", file=sys.stderr)
        return 2
    args.out.write_text(yaml.safe_dump({"long_term": section}, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    print(f"{len(section['profiles'])} profiles and {len(section['prices'])} prices -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
