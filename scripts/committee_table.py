"""What a committee sees of a `compare` output, as one Markdown table (for the README and closing notes).

    .venv/bin/python scripts/committee_table.py results/baseline-vs-...-<time>/

Per scenario: NPV of the net saving in M DKK with its 5-95 % band, the chance of a saving (with its 95 %
interval from the number of runs), the noise-only band, break-even year, cost per placement avoided, children
placed at the end of the first and last year (median), mean caseload in the last year, and kinship care's
share of family care in the last year (median).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def m(x: float) -> str:
    return "–" if pd.isna(x) else f"{x / 1e6:+.1f}".replace("-", "−")


def share(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.2f}"


def committee_table(out: Path) -> str:
    summary = pd.read_csv(out / "summary.csv")
    econ = pd.read_csv(out / "economics.csv").set_index("scenario")
    first, last = int(summary["year"].min()), int(summary["year"].max())

    def stat(scenario: str, metric: str, year: int, col: str = "p50") -> float:
        hit = summary[(summary["scenario"] == scenario) & (summary["metric"] == metric) & (summary["year"] == year)]
        return float(hit[col].iloc[0]) if len(hit) else float("nan")

    rows = ["| scenario | NPV [p05, p95] | P(saving) [95 %] | noise-only band | break-even | cost per placement "
            "avoided | placed {0}→{1} | caseload {1} | kinship share {1} |".format(first, last),
            "|---|---|---|---|---|---|---|---|---|"]
    for scenario in dict.fromkeys(summary["scenario"]):
        placed = f"{stat(scenario, 'children_placed', first):.0f}→{stat(scenario, 'children_placed', last):.0f}"
        caseload = f"{stat(scenario, 'caseload', last, 'mean'):.1f}"
        kinship = share(stat(scenario, "kinship_share_of_family_care", last))
        if scenario not in econ.index:
            rows.append(f"| {scenario} | – | – | – | – | – | {placed} | {caseload} | {kinship} |")
            continue
        e = econ.loc[scenario]
        band = f"{m(e['npv_dkk'])} [{m(e['npv_p05_dkk'])}, {m(e['npv_p95_dkk'])}]"
        prob = f"{e['prob_net_saving']:.2f}"
        if "prob_net_saving_low" in e:
            prob += f" [{e['prob_net_saving_low']:.2f}, {e['prob_net_saving_high']:.2f}]"
        noise = (f"[{m(e['npv_p05_noise_only_dkk'])}, {m(e['npv_p95_noise_only_dkk'])}]"
                 if "npv_p05_noise_only_dkk" in e else "–")
        year = "–" if pd.isna(e["break_even_year"]) else str(int(e["break_even_year"]))
        per = e.get("cost_per_placement_avoided_dkk", float("nan"))
        per_s = "none avoided" if pd.isna(per) else f"{per / 1e6:.2f} M"
        cells = (scenario, band, prob, noise, year, per_s, placed, caseload, kinship)
        rows.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the output folder of `boernesim compare`")
    print(committee_table(parser.parse_args().out))


if __name__ == "__main__":
    main()
