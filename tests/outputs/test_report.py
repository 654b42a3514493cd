"""The decision-maker report: built from synthetic results (no simulation), opened in real headless Chromium.

Two scenarios x 5 replications x 3 years of made-up but plausible metrics, a comparison table computed
from them the way docs/contract.md describes it (paired differences), and a hand-made economics table whose
numbers the first paragraph must repeat. The browser test needs Debian's chromium and the playwright
package (`bash scripts/install-browser.sh`); without them it is skipped, unless
BOERNESIM_REQUIRE_BROWSER=1 (CI), where it fails.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip

import sim
from sim.analysis.caseworker_time import TIME_KINDS, caseworker_time
from sim.analysis.economics import COMPARISON_COLUMNS, ECONOMICS_COLUMNS
from sim.analysis.summary import summarise
from sim.outputs.report import (
    economics_sentence,
    runs_of_ten,
    waterfall_items,
    write_report,
    write_workbook,
)
from sim.runs.runner import COLUMNS, RunResult, with_horizon

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
REPS, YEARS = 5, 3
ALT = "swedish_model"


# ---------------------------------------------------------------- synthetic results


def _synthetic_table(scenario, reps: int, effect: float) -> pd.DataFrame:
    """Plausible metrics of an average municipality; ``effect`` in [0, 1] moves children down the staircase
    and adds caseworkers (the alternative), the same noise per replication in both scenarios (paired)."""
    rows = []
    steps = sorted(scenario.staircase, key=lambda s: s.order)
    # children on each step: the baseline's initial stock per 1,000 aged 0-22 times 15,700
    base_stock = {s.id: 15.7 * scenario.initial_state.stock_per_1000_aged_0_22.get(s.id, 1.0) for s in steps}
    for r in range(reps):
        noise = np.random.default_rng(1000 + r)  # common random numbers: replication r, either scenario
        for k, year in enumerate(range(scenario.calendar.start_year, scenario.end_year + 1)):
            shift = effect * (k + 1) / YEARS
            stock = {}
            for st in steps:
                factor = 1.0 + 0.04 * noise.normal()
                if st.kind == "placement" and st.price_per_year_dkk > 1e6:
                    factor *= 1.0 - 0.25 * shift
                if st.id == "kinship_care":
                    factor *= 1.0 + 0.8 * shift
                stock[st.id] = base_stock[st.id] * factor
            fte = 20.0 + 9.0 * effect
            cost = {st.id: stock[st.id] * st.price_per_year_dkk for st in steps}
            cost_caseworkers = fte * 500_000
            cost_policy = 1_500_000.0 * effect
            total = sum(cost.values()) + cost_caseworkers + cost_policy
            placed = sum(stock[st.id] for st in steps if st.kind == "placement")
            preventive = sum(stock[st.id] for st in steps if st.kind == "preventive")
            open_cases = placed + preventive + 60
            values = {
                "notifications": 1390 + 40 * noise.normal(),
                "investigations_overdue_share": 0.45 - 0.15 * shift + 0.03 * noise.normal(),
                "placements_started": 45 * (1 - 0.1 * shift) + 3 * noise.normal(),
                "children_placed": placed,
                "children_preventive": preventive,
                "reviews_on_time_share": 0.6 + 0.25 * shift + 0.03 * noise.normal(),
                "caseworker_fte": fte,
                "caseload": open_cases / fte,
                "cost_caseworkers": cost_caseworkers,
                "cost_policy": cost_policy,
                "cost_total": total,
                **{f"stock.{k2}": v for k2, v in stock.items()},
                **{f"cost.{k2}": v for k2, v in cost.items()},
            }
            rows += [(scenario.name, r, year, m, float(v)) for m, v in values.items()]
    return pd.DataFrame(rows, columns=COLUMNS)


def paired_comparison(table: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """docs/contract.md's comparison table: alternative minus baseline per replication, then mean and quantiles."""
    wide = table.pivot_table(index=["replication", "year", "metric"], columns="scenario", values="value")
    out = []
    for alt in [c for c in wide.columns if c != baseline]:
        d = (wide[alt] - wide[baseline]).rename("d").reset_index()
        g = d.groupby(["year", "metric"])["d"]
        part = g.agg(
            diff_mean="mean",
            diff_p05=lambda v: v.quantile(0.05),
            diff_p50="median",
            diff_p95=lambda v: v.quantile(0.95),
        ).reset_index()
        part.insert(0, "baseline", baseline)
        part.insert(0, "scenario", alt)
        out.append(part)
    return pd.concat(out, ignore_index=True)[COMPARISON_COLUMNS]


ECONOMICS = pd.DataFrame(
    [
        {
            "scenario": ALT,
            "baseline": "baseline",
            "discount_rate": 0.04,
            "npv_dkk": 12.5e6,
            "npv_p05_dkk": -3.1e6,
            "npv_p95_dkk": 25.0e6,
            "break_even_year": 2028,
            "cost_per_placement_avoided_dkk": 1_100_000.0,
            "prob_net_saving": 0.8,
            "gross_investment_dkk": 5.5e6,
            "placements_avoided": 5.0,
            "net_saving_per_placement_avoided_dkk": 640_000.0,
            "per_placement_note": "",
            "price_year": 2025,
        }
    ],
    columns=ECONOMICS_COLUMNS,
)


@pytest.fixture(scope="module")
def synthetic():
    base = with_horizon(sim.load_scenario(BASELINE), YEARS)
    alt = base.model_copy(update={"name": ALT})
    results = [
        RunResult(
            scenario=s, table=_synthetic_table(s, REPS, effect), seed=1, replications=REPS, wall_seconds=0.0, events=0
        )
        for s, effect in ((base, 0.0), (alt, 1.0))
    ]
    table = pd.concat([r.table for r in results], ignore_index=True)
    summary = summarise(table)
    comparison = paired_comparison(table, "baseline")
    npv = pd.DataFrame(
        {
            "scenario": ALT,
            "baseline": "baseline",
            "replication": range(REPS),
            "npv_dkk": [-3.0e6, 8.0e6, 12.0e6, 16.0e6, 24.0e6],
        }
    )
    return results, summary, comparison, npv


def _write(tmp_path: Path, synthetic, lang: str) -> tuple[Path, str]:
    results, summary, comparison, npv = synthetic
    out = tmp_path / f"report-{lang}"
    out.mkdir()
    path = write_report(
        out, results, summary, lang, comparison=comparison, economics=ECONOMICS, per_replication_npv=npv
    )
    return out, path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the browser




@pytest.mark.slow
def test_report_in_headless_chromium(tmp_path, synthetic):
    sync_playwright = browser_or_skip()
    out, _ = _write(tmp_path, synthetic, "en")
    console_errors, page_errors, requests = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((out / "report.html").as_uri(), wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => ({w: e.naturalWidth, h: e.naturalHeight, ok: e.complete}))"
            )
            first_line = page.locator("ul.answer-lines li").first.inner_text()
            lead = page.locator("details.answer p.lead").first.text_content()  # the answer in full, folded
            lang = page.evaluate("document.documentElement.lang")
            headings = page.locator("h2").all_inner_texts()
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert console_errors == [], console_errors
    assert page_errors == [], page_errors
    # self-contained: the page itself and data: URLs only, nothing from the network
    assert all(u.startswith(("file:", "data:")) for u in requests), [u for u in requests if not u.startswith("data:")]
    # fans (3), staircase, waterfall, net saving per run
    assert len(images) == 6, images
    assert all(i["ok"] and i["w"] > 0 and i["h"] > 0 for i in images), images
    assert lang == "en"
    # the answer in one line, then in words with its uncertainty
    assert "12.5 m DKK" in first_line and "80 %" in first_line, first_line
    assert "8 of 10" in lead, lead
    assert "2028" in lead and "break-even year" in lead, lead
    assert "12.5 m DKK" in lead and "25.0 m DKK" in lead and "\u22123.1" in lead, lead
    assert "2027–2029" in lead, lead
    # sections in order
    order = [
        "Economics of the alternatives",
        "Projections",
        "Details per scenario",
        "The staircase over time",
        "Key tables",
    ]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(o)) for o in order]
    assert positions == sorted(positions), headings
    assert headings[-1].startswith("Appendix"), headings

    from PIL import Image

    with Image.open(shot) as im:
        assert im.width >= 1000 and im.height >= 1500, im.size
        pixels = np.asarray(im.convert("RGB").resize((120, 400)), dtype=np.int64)
    colours = len(np.unique(pixels.reshape(-1, 3), axis=0))
    assert colours > 200, f"screenshot looks blank ({colours} colours)"
    assert pixels.std() > 10
    assert shot.stat().st_size > 100_000


# ---------------------------------------------------------------- the page as text


class _Checker(HTMLParser):
    """Every non-void element closed in order; no external resource."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr"})

    def __init__(self):
        super().__init__()
        self.stack, self.problems, self.p_texts, self._in_p = [], [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if key in a and not a[key].startswith(("data:", "#")):
                self.problems.append(f"external {key}: {a[key][:60]}")
        if tag == "img" and not a.get("alt"):
            self.problems.append("img without alt")
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "p":
            self.p_texts.append("")
            self._in_p = True

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()
        if tag == "p":
            self._in_p = False

    def handle_data(self, data):
        if self._in_p:
            self.p_texts[-1] += data


def _check_html(page: str) -> _Checker:
    assert page.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.problems == [], checker.problems[:5]
    assert checker.stack == [], checker.stack
    return checker


def _answer_in_full(page: str) -> str:
    """The first policy's answer in full: the paragraph folded under its label after the tables."""
    found = re.search(r'<details class="answer"><summary>.*?</summary>\s*<p class="lead">(.*?)</p>', page, re.S)
    assert found, "no answer in full"
    return html.unescape(found.group(1))


def _first_line(page: str) -> str:
    """The first screen's line for the first policy."""
    found = re.search(r'<ul class="answer-lines">\s*<li>(.*?)</li>', page, re.S)
    assert found, "no answer lines"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def test_report_english_structure_and_figures(tmp_path, synthetic):
    out, page = _write(tmp_path, synthetic, "en")
    _check_html(page)
    assert '<html lang="en">' in page
    assert "8 of 10 runs" in _answer_in_full(page)
    assert "12.5 m DKK" in _first_line(page) and "80 %" in _first_line(page)
    pngs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert pngs == sorted(
        [
            "fan_cost_total.png",
            "fan_children_placed.png",
            "fan_caseload.png",
            "staircase.png",
            f"waterfall_{ALT}.png",
            f"npv_{ALT}.png",
        ]
    )
    for p in (out / "figures").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.count("data:image/png;base64,") == len(pngs)
    # the economics table, labelled, money formatted
    assert "Net saving, present value" in page and "Break-even year" in page and "80 %" in page
    # the money's price year, said once under the answer and in the investment table's caption
    assert "Money is in 2025 prices: the model&#x27;s 2019 prices" in page
    assert "Money in 2025 prices." in page
    # per placement avoided, gross: the investment, the placements and their quotient, the net saving beside it
    for cell in ("5.5 m DKK", "1.1 m DKK", "640,000 DKK"):
        assert f"<td>{cell}</td>" in page, cell
    # the assumptions of both scenarios
    assert page.count("reference_hours_per_case_per_month:") == 2


def test_report_danish(tmp_path, synthetic):
    out, page = _write(tmp_path, synthetic, "da")
    _check_html(page)
    assert '<html lang="da">' in page
    lead = _answer_in_full(page)
    assert "12,5 mio. kr." in _first_line(page) and "80 %" in _first_line(page)
    assert "8 af 10 kørsler" in lead and "break-even-år 2028" in lead, lead
    assert "12,5 mio. kr." in lead and "25,0 mio. kr." in lead and "\u22123,1" in lead, lead
    assert "2027–2029" in lead
    for word in (
        "Underretninger",
        "Anbragte børn",
        "Samlede udgifter",
        "Nettobesparelse, nutidsværdi",
        "Indsatstrappen over tid",
        "Forudsætninger",
        "Plejefamilie",
    ):
        assert word in page.replace("\u00ad", ""), word  # a header's soft hyphens break lines, not words
    # Danish number formats: decimal comma, thousands point, no English unit
    assert re.search(r"\d{1,3}(\.\d{3})+ kr\.", page), "no Danish amount like 1.234.567 kr."
    assert re.search(r"\d+,\d mio\. kr\.", page)
    assert "Beløb er i 2025-priser" in page and "Beløb i 2025-priser." in page
    for english in ("Notifications", "Children placed", "m DKK", "Key tables"):
        assert english not in page, english
    assert (out / "figures" / "staircase.png").exists()


def test_single_run_report_keeps_the_projection_sentence(tmp_path, synthetic):
    results, summary, _, _ = synthetic
    out = tmp_path / "single"
    write_report(out, results[:1], summary[summary["scenario"] == "baseline"], "en")
    page = (out / "report.html").read_text(encoding="utf-8")
    checker = _check_html(page)
    assert checker.p_texts[0].startswith("Projection of Current practice for 2027–2029, 5 simulated replications")
    assert "waterfall" not in " ".join(p.name for p in (out / "figures").glob("*.png"))


# ---------------------------------------------------------------- words and numbers


@pytest.mark.parametrize(
    ("prob", "en", "da"),
    [
        (0.8, "8 of 10 runs", "8 af 10 kørsler"),
        (0.04, "fewer than 1 of 10 runs", "færre end 1 af 10 kørsler"),
        (0.97, "more than 9 of 10 runs", "mere end 9 af 10 kørsler"),
        (1.0, "all runs", "alle kørsler"),
        (0.25, "3 of 10 runs", "3 af 10 kørsler"),
    ],
)
def test_runs_of_ten(prob, en, da):
    assert runs_of_ten(prob, "en") == en
    assert runs_of_ten(prob, "da") == da


def test_sentence_when_it_costs_more_and_never_pays_back():
    row = {
        **ECONOMICS.iloc[0].to_dict(),
        "npv_dkk": -4.0e6,
        "npv_p05_dkk": -9.0e6,
        "npv_p95_dkk": 1.0e6,
        "break_even_year": pd.NA,
        "prob_net_saving": 0.1,
    }
    s = economics_sentence(row, 2027, 2036, "en")
    assert "costs 4.0 m DKK more than baseline" in s
    assert "between \u22121.0 and 9.0 m DKK extra" in s
    assert "1 of 10 runs" in s and "does not pay back within the horizon" in s
    s = economics_sentence({**row, "prob_net_saving": 0.0}, 2027, 2036, "da")
    assert "koster swedish_model 4,0 mio. kr. mere" in s and "i ingen kørsler" in s


def test_waterfall_adds_up(synthetic):
    results, summary, comparison, _ = synthetic
    base, alt = results[0].scenario, results[1].scenario
    items = waterfall_items(summary, comparison, ALT, "baseline", "en", alt, base)
    assert items[0][2] == items[-1][2] == "total"
    changes = sum(a for _, a, k in items if k == "change")
    assert items[0][1] + changes == pytest.approx(items[-1][1], rel=1e-9)
    base_total = summary[(summary["scenario"] == "baseline") & (summary["metric"] == "cost_total")]["mean"].sum()
    alt_total = summary[(summary["scenario"] == ALT) & (summary["metric"] == "cost_total")]["mean"].sum()
    assert items[0][1] == pytest.approx(base_total) and items[-1][1] == pytest.approx(alt_total)
    labels = [label for label, _, _ in items]
    assert labels.index("Early help") < labels.index("Institution") < labels.index("Caseworkers")


# ---------------------------------------------------------------- the workbook


@pytest.mark.parametrize("lang", ["en", "da"])
def test_workbook_sheets_and_columns(tmp_path, synthetic, lang):
    results, summary, comparison, _ = synthetic
    path = write_workbook(
        tmp_path / "results.xlsx",
        summary,
        lang,
        [r.scenario for r in results],
        comparison=comparison,
        economics=ECONOMICS,
    )
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        data = [name for name in wb.sheetnames if wb[name].sheet_state == "hidden"]
        assert data[:3] == ["summary", "comparison", "economics"]  # for scripts, the same in both languages
        assert wb.sheetnames[0] == ("Nøgletal" if lang == "da" else "Key figures")  # the reader's sheets first
        header = {name: [c for c in next(wb[name].iter_rows(values_only=True))] for name in wb.sheetnames}
        assert header["summary"] == ["scenario", "year", "metric", "label", "mean", "p05", "p50", "p95"]
        assert header["comparison"] == [
            "scenario",
            "baseline",
            "year",
            "metric",
            "label",
            "diff_mean",
            "diff_p05",
            "diff_p50",
            "diff_p95",
        ]
        assert header["economics"] == ECONOMICS_COLUMNS[:2] + ["label"] + ECONOMICS_COLUMNS[2:] + ["caveats", "warning"]
        labels = {row[3] for row in wb["summary"].iter_rows(min_row=2, values_only=True)}
        econ = list(wb["economics"].iter_rows(min_row=2, values_only=True))
        assert econ[0][0] == ALT and econ[0][4] == pytest.approx(12.5e6) and econ[0][7] == 2028
        cells = dict(zip(header["economics"], econ[0]))
        assert cells["cost_per_placement_avoided_dkk"] == pytest.approx(
            cells["gross_investment_dkk"] / cells["placements_avoided"]
        )
        assert cells["price_year"] == 2025
        helps = wb["columns"].iter_rows(min_row=2, values_only=True)
        explained = {row[1]: row[2] for row in helps if row[0] == "economics"}
        assert all(explained[c] for c in ("gross_investment_dkk", "placements_avoided", "price_year"))
        n_comparison = sum(1 for _ in wb["comparison"].iter_rows(min_row=2))
    finally:
        wb.close()
    assert n_comparison == len(comparison)
    if lang == "da":
        assert "Underretninger" in labels and "Anbragte børn (31. dec.)" in labels
        assert "Notifications" not in labels
    else:
        assert "Notifications" in labels and "Children placed (31 Dec)" in labels


def test_workbook_without_comparison_has_summary_only(tmp_path, synthetic):
    results, summary, _, _ = synthetic
    path = write_workbook(tmp_path / "results.xlsx", summary, "en", [r.scenario for r in results])
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert "summary" in wb.sheetnames and "comparison" not in wb.sheetnames and "economics" not in wb.sheetnames
    finally:
        wb.close()


@pytest.mark.slow
def test_report_of_a_real_run_in_headless_chromium(tmp_path):
    """`boernesim compare` on a small municipality: its report opens in a browser with every figure loaded, the
    answer in words first and nothing fetched from the network."""
    import subprocess
    import sys

    import yaml

    sync_playwright = browser_or_skip()
    root = Path(__file__).resolve().parents[2]
    raw = yaml.safe_load((root / "scenarios" / "baseline.yaml").read_text(encoding="utf-8"))
    small = {"extends": str(root / "scenarios" / "baseline.yaml"), "name": "small",
             "calendar": {"burn_in_years": 1, "horizon_years": 2},
             "population": {"aged_0_17": raw["population"]["aged_0_17"] * 0.1,
                            "aged_0_22": raw["population"]["aged_0_22"] * 0.1},
             "caseworkers": {"fte": 2.0, "fte_changes": []}}
    more = {"extends": "small.yaml", "name": "small-more", "caseworkers": {"fte": 3.0}}
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    (tmp_path / "more.yaml").write_text(yaml.safe_dump(more), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "sim.cli", "compare", str(tmp_path / "small.yaml"),
                           str(tmp_path / "more.yaml"), "--replications", "3", "--workers", "1", "--out", str(out)],
                          capture_output=True, text=True, cwd=root, timeout=600)
    assert done.returncode == 0, done.stderr
    requests, page_errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((out / "report.html").as_uri(), wait_until="load")
            images = page.eval_on_selector_all("img", "els => els.map(e => ({w: e.naturalWidth, ok: e.complete}))")
            first_line = page.locator("ul.answer-lines li").first.inner_text()
            lead = page.locator("details.answer p.lead").first.text_content()  # the answer in full, folded
            page.screenshot(path=str(tmp_path / "real-report.png"), full_page=True)
        finally:
            browser.close()
    assert page_errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests)
    assert len(images) >= 5 and all(i["ok"] and i["w"] > 0 for i in images), images
    assert "small-more" in lead and "DKK" in lead, lead
    assert first_line.startswith("small-more: net saving") and "m DKK" in first_line, first_line


def test_where_the_caseworkers_time_went(tmp_path, synthetic):
    """With the hours metrics in the summary, the report has the time chart, and its numbers add up: the
    total is the sum of the kinds, and hours per case are passed through."""
    results, summary, comparison, npv = synthetic
    hours = {"ongoing": 8000.0, "acute": 50.0, "screening": 1500.0, "investigation": 4600.0, "review": 3700.0}
    extra = []
    for (scenario, year), _ in summary.groupby(["scenario", "year"]):
        for kind, value in hours.items():
            extra.append({"scenario": scenario, "year": year, "metric": f"hours_{kind}", "mean": value,
                          "p05": value, "p50": value, "p95": value})
        extra.append({"scenario": scenario, "year": year, "metric": "hours_per_case_per_month", "mean": 0.8,
                      "p05": 0.8, "p50": 0.8, "p95": 0.8})
    with_hours = pd.concat([summary, pd.DataFrame(extra)], ignore_index=True)
    use = caseworker_time(with_hours)
    assert set(TIME_KINDS) <= set(use.columns)
    assert (use["total"] == sum(hours.values())).all()
    assert (use["hours_per_case_per_month"] == 0.8).all()
    for lang, heading in (("en", "Where the caseworkers' time went"), ("da", "Hvor rådgivernes tid gik hen")):
        out = tmp_path / f"time-{lang}"
        out.mkdir()
        page = write_report(out, results, with_hours, lang, comparison=comparison).read_text(encoding="utf-8")
        assert html.escape(heading) in page
        assert (out / "figures" / "caseworker_time.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_investment_table_says_why_there_is_no_cost_per_placement(tmp_path, synthetic):
    """With no placements avoided the per-placement cells say so in the reader's language, never a number."""
    results, summary, comparison, npv = synthetic
    none_avoided = ECONOMICS.assign(
        cost_per_placement_avoided_dkk=np.nan, net_saving_per_placement_avoided_dkk=np.nan,
        placements_avoided=-2.0, per_placement_note="no placements avoided",
    )
    for lang, words in (("en", "no placements avoided"), ("da", "ingen undgåede anbringelser")):
        out = tmp_path / lang
        out.mkdir()
        page = write_report(out, results, summary, lang, comparison=comparison, economics=none_avoided,
                            per_replication_npv=npv).read_text(encoding="utf-8")
        assert page.count(f"<td>{words}</td>") == 2, lang
