"""The report a committee reads in five minutes: the answer and the investment table first, each alternative's
details folded, fan charts with at most three bands in a panel, year labels that do not run together."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from synthetic import synthetic_result

import sim
from sim.analysis.economics import COMPARISON_COLUMNS, ECONOMICS_COLUMNS
from sim.analysis.summary import summarise
from sim.outputs.labels import text
from sim.outputs.report import write_report
from sim.outputs.report.charts import caseworker_time_chart, fan_chart
from sim.runs.runner import COLUMNS, with_horizon

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
ALTS = ("fewer-placements", "more-placements")
PRECISION = ("prob_net_saving_low", "prob_net_saving_high", "replications", "replications_for_prob_within_5pp")


def _long_table(names, years=range(2027, 2037), replications=4) -> pd.DataFrame:
    rows = [(name, r, y, "cost_total", 1e8 * (1 + 0.02 * i) * (1 + 0.01 * r))
            for i, name in enumerate(names) for r in range(replications) for y in years]
    return pd.DataFrame(rows, columns=COLUMNS)


def _bands_per_panel(fig) -> list[int]:
    return [sum(isinstance(c, PolyCollection) for c in ax.collections) for ax in fig.axes if ax.axison]


def test_a_fan_chart_of_eight_scenarios_has_at_most_three_bands_in_a_panel():
    names = ["baseline", *(f"policy-{k}" for k in range(7))]
    fig = fan_chart(_long_table(names), "cost_total", "en", order=names)
    bands = _bands_per_panel(fig)
    plt.close(fig)
    assert len(bands) == 7  # one panel per scenario compared with the first
    assert all(b <= 3 for b in bands), bands


def test_a_single_scenario_keeps_one_panel_with_its_two_bands():
    fig = fan_chart(_long_table(["baseline"]), "cost_total", "en")
    bands = _bands_per_panel(fig)
    plt.close(fig)
    assert bands == [2]


def test_the_caseworker_time_panels_show_few_enough_years_to_read():
    """A panel is about 2.9 inches wide: at most four year labels, so that they do not run together."""
    years = list(range(2027, 2037))
    kinds = {"hours_ongoing": 8000.0, "hours_acute": 50.0, "hours_screening": 1500.0,
             "hours_investigation": 4600.0, "hours_review": 3700.0}
    from sim.analysis.caseworker_time import caseworker_time

    rows = [{"scenario": s, "year": y, "metric": m, "mean": v, "p05": v, "p50": v, "p95": v}
            for s in ("a", "b", "c", "d") for y in years
            for m, v in {**kinds, "hours_per_case_per_month": 0.8}.items()]
    fig = caseworker_time_chart(caseworker_time(pd.DataFrame(rows)), ["a", "b", "c", "d"], "en")
    fig.canvas.draw()
    shown = [[t.get_text() for t in ax.get_xticklabels() if t.get_text() and years[0] <= float(t.get_position()[0])
              <= years[-1]] for ax in fig.axes if ax.axison and ax.get_xlabel()]
    plt.close(fig)
    assert shown and all(1 < len(labels) <= 4 for labels in shown), shown


@pytest.fixture(scope="module")
def three():
    base = with_horizon(sim.load_scenario(BASELINE), 2)
    results = [synthetic_result(base, 1.0)] + [
        synthetic_result(base.model_copy(update={"name": a, "label": None}), lvl) for a, lvl in zip(ALTS, (0.98, 1.03))]
    table = pd.concat([r.table for r in results], ignore_index=True)
    wide = table.set_index(["scenario", "replication", "year", "metric"])["value"]
    parts = []
    for alt in ALTS:
        diff = (wide[alt] - wide["baseline"]).groupby(["year", "metric"])
        parts.append(pd.DataFrame({"diff_mean": diff.mean(), "diff_p05": diff.min(), "diff_p50": diff.median(),
                                   "diff_p95": diff.max()}).reset_index().assign(scenario=alt, baseline="baseline"))
    comparison = pd.concat(parts, ignore_index=True)[COMPARISON_COLUMNS]
    economics = pd.DataFrame([{"scenario": alt, "baseline": "baseline", "discount_rate": 0.035, "npv_dkk": npv,
                               "npv_p05_dkk": npv - 1e6, "npv_p95_dkk": npv + 1e6, "break_even_year": 2028,
                               "prob_net_saving": p, "prob_net_saving_low": 0.1, "prob_net_saving_high": 0.9,
                               "replications": 2, "replications_for_prob_within_5pp": 300, "price_year": 2025}
                              for alt, npv, p in zip(ALTS, (8e6, -9e6), (0.5, 0.0))]).reindex(
        columns=[*ECONOMICS_COLUMNS, *PRECISION])
    npv = pd.DataFrame({"scenario": np.repeat(ALTS, 2), "baseline": "baseline", "npv_dkk": [7e6, 9e6, -8e6, -1e7]})
    return results, summarise(table), comparison, economics, npv


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_first_screen_is_one_line_per_policy_then_the_investment_table(tmp_path, three, lang):
    results, summary, comparison, economics, npv = three
    page = write_report(tmp_path, results, summary, lang, comparison=comparison, economics=economics,
                        per_replication_npv=npv).read_text(encoding="utf-8")
    lines = re.search(r'<ul class="answer-lines">(.*?)</ul>', page, flags=re.S)
    assert lines
    items = re.findall(r"<li><strong>(.*?)</strong>: (.*?)</li>", lines.group(1))
    assert [label for label, _ in items] == list(ALTS)
    assert "8.0" in items[0][1].replace(",", ".") and "\u22129.0" in items[1][1].replace(",", ".")
    economics_at = page.index(f"<h2>{text('sec_economics', lang)}</h2>")
    assert lines.end() < economics_at < page.index(f"<h2>{text('sec_projection', lang)}</h2>")
    # each answer in full follows the table, folded under its policy's label, before any chart
    in_full = page.index(f"<h2>{text('sec_answers_in_full', lang)}</h2>")
    assert economics_at < in_full < page.index("<figure>")
    for alt in ALTS:
        assert in_full < page.index(f'<details class="answer"><summary>{alt}</summary>') < page.index("<figure>")


@pytest.mark.parametrize("lang", ["en", "da"])
def test_each_alternative_has_its_details_folded(tmp_path, three, lang):
    results, summary, comparison, economics, npv = three
    page = write_report(tmp_path, results, summary, lang, comparison=comparison, economics=economics,
                        per_replication_npv=npv).read_text(encoding="utf-8")
    for alt in ALTS:
        base = results[0].scenario.label_in(lang)
        summary_line = f"<summary>{text('details_pair', lang).format(alt=alt, base=base)}</summary>"
        start = page.index(summary_line)
        folded = page[start:page.index("</details>", start)]
        assert "<details open" not in folded
        assert folded.count("data:image/png") == 2, alt  # its waterfall and its net saving per run
    assert page.count("<details") == page.count("</details>")
