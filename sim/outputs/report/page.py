"""The report page: ``write_report`` composes report.html from one builder per section, in the order a
finance officer reads it: on the first screen one line per policy (``answer_line``), what happens to the children
and the investment table; then each answer in full, folded under its policy's label; the projection of cost, then
the details per scenario (where its difference comes from, what it rests on, its tables) folded under one
``<details>`` each, the other charts and tables folded, the assumptions; each figure embedded and also written
under figures/. Print opens every fold (``REPORT_CSS``), so a printed report loses nothing."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.caseworker_time import caseworker_time, has_caseworker_time
from sim.model.scenario import Scenario, scenario_to_yaml
from sim.outputs import pages
from sim.outputs.labels import LANGS, metric_label, scenario_label, text, year_span
from sim.outputs.report.answer_line import SEPARATOR, WARNING_MARK, AnswerLine, answer_lines
from sim.outputs.report.charts import (
    caseworker_time_chart,
    fan_chart,
    npv_chart,
    staircase_chart,
    waterfall_chart,
    waterfall_items,
)
from sim.outputs.report.forecast import forecast_section
from sim.outputs.report.formats import rate_text
from sim.outputs.report.long_term import long_term_box
from sim.outputs.report.outcomes import outcomes_html
from sim.outputs.report.tables import (
    difference_table_html,
    economics_html,
    key_table_html,
    price_year_of,
    rests_on_section,
)
from sim.outputs.report.words import (
    held_assumptions_note,
    horizon_years,
    intro_sentence,
    lead_sentences,
    prices_note,
)
from sim.runs.runner import RunResult

FAN_METRICS = ("cost_total", "children_placed", "caseload")


def _npv_frame(per_replication_npv, economics: pd.DataFrame | None) -> pd.DataFrame:
    """Net saving per run as a DataFrame with scenario, baseline (may be missing) and npv_dkk.

    Accepts a DataFrame with ``scenario`` and ``npv_dkk`` (optionally ``baseline``, ``discount_rate``,
    ``replication``) or a mapping {alternative: values}."""
    if per_replication_npv is None:
        return pd.DataFrame(columns=["scenario", "baseline", "npv_dkk"])
    if isinstance(per_replication_npv, pd.DataFrame):
        frame = per_replication_npv.copy()
    else:
        frame = pd.concat(
            [
                pd.DataFrame({"scenario": k, "npv_dkk": np.asarray(v, dtype=float)})
                for k, v in per_replication_npv.items()
            ],
            ignore_index=True,
        )
    if "baseline" not in frame.columns:
        base = None
        if economics is not None and not economics.empty:
            base = dict(zip(economics["scenario"], economics["baseline"]))
        frame["baseline"] = frame["scenario"].map(base) if base else ""
    if "discount_rate" in frame.columns and economics is not None and not economics.empty:
        headline = economics.groupby(["scenario", "baseline"], sort=False)["discount_rate"].first()
        keep = [
            (s, b) not in headline.index or np.isclose(r, headline[(s, b)])
            for s, b, r in zip(frame["scenario"], frame["baseline"], frame["discount_rate"])
        ]
        frame = frame[keep]
    return frame


@dataclass(frozen=True)
class _Report:
    """What the sections of the page read: the run's tables, its scenarios in run order, the pairs compared
    (alternative, baseline), and where figures go."""

    results: list[RunResult]
    summary: pd.DataFrame
    lang: str
    comparison: pd.DataFrame | None
    economics: pd.DataFrame | None
    table: pd.DataFrame
    npv: pd.DataFrame
    forecast: pd.DataFrame | None
    previous_forecasts: pd.DataFrame | None
    as_of: str | None
    assumption_effects: pd.DataFrame | None
    pairs: list[tuple[str, str]]
    figures: Path
    outcomes: pd.DataFrame | None = None  # what happens to the children (outcomes.csv)

    @property
    def scenarios(self) -> list[Scenario]:
        return [r.scenario for r in self.results]

    @property
    def by_name(self) -> dict[str, Scenario]:
        return {s.name: s for s in self.scenarios}

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def labels(self) -> dict[str, str]:
        """Each scenario's name as the reader reads it (its label in the language, else its name)."""
        return {s.name: s.label_in(self.lang) for s in self.scenarios}

    def label(self, name: str) -> str:
        return scenario_label(name, self.lang, self.by_name)

    @property
    def title(self) -> str:
        lang = self.lang
        if not self.pairs:
            return f"{text('report_title', lang)}: {', '.join(self.labels.values())}"
        bases = list(dict.fromkeys(self.label(b) for _, b in self.pairs))
        alts = list(dict.fromkeys(self.label(a) for a, _ in self.pairs))
        return f"{text('report_title', lang)}: {', '.join(alts)} {text('compared_with', lang)} {', '.join(bases)}"

    def figure(self, fig, name: str, alt: str, caption: str) -> str:
        """The figure embedded in the page, and written as figures/<name>.png."""
        png = pages.png(fig, lang=self.lang)
        (self.figures / f"{name}.png").write_bytes(png)
        return pages.figure_html(png, alt, caption)


def _heading(h2: str, lang: str) -> str:
    return f"<h2>{html.escape(text(h2, lang))}</h2>"


def _note(words: str) -> str:
    return f'<p class="note">{html.escape(words)}</p>'


def _fold_hint(words: str) -> str:
    """A note that says to click a fold open (not printed: print opens every fold)."""
    return f'<p class="note fold-hint">{html.escape(words)}</p>'


def _folded(summary: str, parts: Sequence[str]) -> list[str]:
    """Parts under a closed ``<details>`` whose summary line says what opening it shows (none if no parts)."""
    if not parts:
        return []
    return [f"<details><summary>{html.escape(summary)}</summary>", *parts, "</details>"]


# ---------------------------------------------------------------- the sections, in the page's order


def _title_section(r: _Report) -> list[str]:
    return [f"<h1>{html.escape(r.title)}</h1>"]


def _answer_lines(r: _Report) -> list[AnswerLine]:
    return answer_lines(r.results, r.summary, r.lang, r.economics, r.outcomes)


def _line_html(line: AnswerLine) -> str:
    """One policy's line: its label in bold, the parts, the warnings marked."""
    parts = [html.escape(p) for p in line.parts]
    parts += [f'<span class="warning">{WARNING_MARK} {html.escape(w)}</span>' for w in line.warnings]
    return f"<li><strong>{html.escape(line.label)}</strong>: {SEPARATOR.join(parts)}</li>"


def _answer_section(r: _Report) -> list[str]:
    """The answer first: with an investment case, one line per policy (each answer in full follows the tables,
    folded); else the answer in words. Then which year's prices the money is in."""
    lines = _answer_lines(r)
    if lines:
        top = ['<ul class="answer-lines">', *(_line_html(line) for line in lines), "</ul>"]
    else:
        lead = lead_sentences(r.results, r.summary, r.lang, r.comparison, r.economics, r.assumption_effects)
        top = ['<p class="lead">' + "".join(f"<span>{html.escape(a)}</span>" for a in lead) + "</p>"]
    return [*top, f'<p class="note prices">{html.escape(prices_note(r.scenarios[0], r.lang))}</p>']


def _with_each_answer_section(r: _Report) -> list[str]:
    """After the tables, each policy's answer in full (its chance of a saving, what it rests on, its notes and
    caveats), folded under its label; print opens every fold (REPORT_CSS)."""
    lines = _answer_lines(r)
    if not lines:
        return []
    lead = lead_sentences(r.results, r.summary, r.lang, r.comparison, r.economics, r.assumption_effects)
    parts = [_heading("sec_answers_in_full", r.lang), _fold_hint(text("answers_in_full_hint", r.lang))]
    for line, paragraph in zip(lines, lead):
        parts += [f'<details class="answer"><summary>{html.escape(line.label)}</summary>',
                  f'<p class="lead">{html.escape(paragraph)}</p>', "</details>"]
    return parts


def _outcomes_section(r: _Report) -> list[str]:
    """What happens to the children under each policy, before the money: the first table."""
    if r.outcomes is None or r.outcomes.empty:
        return []
    base = str(r.outcomes["baseline"].iloc[0])
    first, last = horizon_years(base, r.by_name, r.comparison)
    table = outcomes_html(r.outcomes, r.lang, first, last, r.by_name, r.names)
    return [_heading("sec_outcomes", r.lang), table] if table else []


def _investment_section(r: _Report) -> list[str]:
    """The investment case of every alternative, right under the answer (the first screen)."""
    if r.economics is None:
        return []
    return [_heading("sec_economics", r.lang),
            economics_html(r.economics, r.lang, price_year_of(r.economics, r.scenarios), r.by_name)]


def _long_term_section(r: _Report) -> list[str]:
    """Beyond the municipality's budget: the other public actors' long-term value, in a box of its own, apart
    from the municipal answer (absent when the baseline's ``long_term:`` is off)."""
    return long_term_box(r.economics, r.lang, r.by_name)


def _forecast_section(r: _Report) -> list[str]:
    if r.forecast is None or r.forecast.empty:
        return []
    return forecast_section(r.forecast, r.previous_forecasts, r.as_of, r.lang, r.figure)


def _model_notes_section(r: _Report) -> list[str]:
    """What the model is and leaves out (each scenario's own projection is in its details)."""
    return [_note(text("what_model", r.lang)), _note(text("not_captured", r.lang))]


def _fan_figure(r: _Report, metric: str) -> str:
    first, lang = r.scenarios[0], r.lang
    caption = (text("fan_caption_multiples", lang).format(base=first.label_in(lang)) if len(r.names) > 2
               else text("fan_caption", lang))
    return r.figure(fan_chart(r.table, metric, lang, first, order=r.names, labels=r.labels), f"fan_{metric}",
                    metric_label(metric, lang, first), caption)


def _projection_section(r: _Report) -> list[str]:
    """The first headline metric's fan chart and, in a comparison, the baseline's projection in words; the other
    metrics' charts folded, each under its own summary line."""
    lang = r.lang
    metrics = [m for m in FAN_METRICS if (r.table["metric"] == m).any()]
    if not metrics:
        return []
    parts = [_heading("sec_projection", lang), _fan_figure(r, metrics[0])]
    compared = {alt for alt, _ in r.pairs}
    if compared:  # the compared-with scenario's own projection; each alternative's is in its details
        parts += [_note(intro_sentence(r.summary, res, lang)) for res in r.results if res.scenario.name not in compared]
    for metric in metrics[1:]:
        label = metric_label(metric, lang, r.scenarios[0])
        parts += _folded(text("fold_show", lang).format(what=label), [_fan_figure(r, metric)])
    return parts


def _staircase_section(r: _Report) -> list[str]:
    if not r.summary["metric"].str.startswith("stock.").any():
        return []
    lang = r.lang
    return [_heading("sec_staircase", lang),
            *_folded(text("fold_show", lang).format(what=text("staircase_title", lang)),
                     [r.figure(staircase_chart(r.summary, r.scenarios, lang), "staircase",
                               text("staircase_title", lang), text("staircase_caption", lang))])]


def _caseworker_time_section(r: _Report) -> list[str]:
    if not has_caseworker_time(r.summary):
        return []
    lang = r.lang
    return [_heading("sec_time", lang),
            *_folded(text("fold_show", lang).format(what=text("time_title", lang)),
                     [r.figure(caseworker_time_chart(caseworker_time(r.summary), r.names, lang, r.labels),
                               "caseworker_time", text("time_title", lang), text("time_caption", lang))])]


def _waterfall_figure(r: _Report, alt: str, base: str) -> list[str]:
    """Where the cost difference of one pair comes from."""
    comparison, lang, by_name = r.comparison, r.lang, r.by_name
    if comparison is None or not ((comparison["scenario"] == alt) & (comparison["baseline"] == base)).any():
        return []
    items = waterfall_items(r.summary, comparison, alt, base, lang, by_name.get(alt), by_name.get(base))
    y0, y1 = horizon_years(alt, by_name, comparison)
    names = {"alt": r.label(alt), "base": r.label(base), "first": y0, "last": y1, "years": year_span(y0, y1)}
    fig_title = text("waterfall_title", lang).format(**names)
    caption = text("waterfall_caption", lang).format(**names)
    return [f"<h3>{html.escape(text('sec_waterfall', lang))}</h3>",
            r.figure(waterfall_chart(items, fig_title, lang), f"waterfall_{alt}", fig_title, caption)]


def _npv_figure(r: _Report, alt: str, base: str) -> list[str]:
    """One pair's net saving in present value over runs, at the headline discount rate."""
    lang, economics = r.lang, r.economics
    group = r.npv[(r.npv["scenario"] == alt) & (r.npv["baseline"].fillna("") == (base or ""))]
    if group.empty:
        return []
    rate = "-"
    if economics is not None:
        hit = economics[(economics["scenario"] == alt) & (economics["baseline"] == base)]
        if not hit.empty:
            rate = rate_text(hit["discount_rate"].iloc[0], lang)
    fig_title = text("npv_title", lang).format(alt=r.label(alt), base=r.label(base) if base else "-")
    return [f"<h3>{html.escape(text('sec_npv', lang))}</h3>",
            r.figure(npv_chart(group["npv_dkk"].to_numpy(dtype=float), fig_title, lang), f"npv_{alt}",
                     fig_title, text("npv_caption", lang).format(rate=rate))]


def _rests_on_parts(r: _Report, alt: str, base: str) -> list[str]:
    """What one pair's answer rests on (its heading and the scenario's name left out: the details say it)."""
    if r.economics is None:
        return []
    pair = r.economics[(r.economics["scenario"] == alt) & (r.economics["baseline"] == base)]
    parts = rests_on_section(r.assumption_effects, pair, r.lang)
    return [f"<h3>{html.escape(text('sec_rests_on', r.lang))}</h3>", *parts[2:]] if parts else []


def _difference_table(r: _Report, alt: str, base: str) -> list[str]:
    if r.comparison is None:
        return []
    diff_html = difference_table_html(r.comparison, alt, base, r.lang, r.by_name.get(alt), r.by_name)
    if not diff_html:
        return []
    return [f"<h3>{html.escape(text('sec_differences', r.lang).format(alt=r.label(alt), base=r.label(base)))}</h3>",
            diff_html]


def _key_table(r: _Report, s: Scenario) -> list[str]:
    lang = r.lang
    return [f"<h3>{html.escape(text('key_figures', lang))}: {html.escape(r.label(s.name))} "
            f"({text('median', lang).lower()})</h3>", key_table_html(r.summary, s, lang)]


def _details_section(r: _Report) -> list[str]:
    """Per pair compared, one closed ``<details>``: the alternative's projection in words, what its answer
    rests on, where its cost difference comes from, its net saving per run, its differences and key figures."""
    if not r.pairs:
        return []
    lang, results = r.lang, {res.scenario.name: res for res in r.results}
    parts = [_heading("sec_details", lang), _fold_hint(text("details_hint", lang))]
    for alt, base in r.pairs:
        inner = [_note(intro_sentence(r.summary, results[alt], lang))] if alt in results else []
        inner += _rests_on_parts(r, alt, base) + _waterfall_figure(r, alt, base) + _npv_figure(r, alt, base)
        inner += _difference_table(r, alt, base)
        if alt in r.by_name:
            inner += _key_table(r, r.by_name[alt])
        parts += _folded(text("details_pair", lang).format(alt=r.label(alt), base=r.label(base)), inner)
    return parts


def _rests_on_section(r: _Report) -> list[str]:
    """The assumptions held at the scenario's value (what each answer rests on is in its details)."""
    held = held_assumptions_note(r.results, r.lang)
    return [_note(held)] if held else []


def _tables_section(r: _Report) -> list[str]:
    """The key figures (medians) of every scenario not in the details (the baseline; a single run's scenario),
    and the economics table's column notes stay with the table above."""
    compared = {alt for alt, _ in r.pairs}
    parts = [part for s in r.scenarios if s.name not in compared for part in _key_table(r, s)]
    if not parts:
        return []
    lang = r.lang
    return [_heading("sec_tables", lang), *_folded(text("fold_show", lang).format(what=text("key_figures", lang)),
                                                   parts)]


def _appendix_section(r: _Report) -> list[str]:
    """Every scenario in full, as YAML."""
    lang = r.lang
    parts = [f"<h2>{html.escape(text('appendix', lang))}: {html.escape(text('assumptions', lang))}</h2>"]
    for s in r.scenarios:
        parts += _folded(r.label(s.name), [f"<pre>{html.escape(scenario_to_yaml(s))}</pre>"])
    return parts


SECTIONS: tuple[Callable[[_Report], list[str]], ...] = (
    _title_section,
    _answer_section,
    _outcomes_section,
    _investment_section,
    _with_each_answer_section,
    _long_term_section,
    _forecast_section,
    _projection_section,
    _model_notes_section,
    _details_section,
    _rests_on_section,
    _staircase_section,
    _caseworker_time_section,
    _tables_section,
    _appendix_section,
)


# ---------------------------------------------------------------- the page


def _pairs(comparison: pd.DataFrame | None, economics: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(alternative, baseline) of the economics, then of the comparison, each once."""
    pairs: list[tuple[str, str]] = []
    for frame in (economics, comparison):
        if frame is not None:
            for alt, base in frame[["scenario", "baseline"]].drop_duplicates().itertuples(index=False):
                if (alt, base) not in pairs:
                    pairs.append((alt, base))
    return pairs


def _run_order(names: Sequence[str]) -> Callable[[str], int]:
    """A sort key: alternatives in the order they were run (the economics table may be sorted by name)."""
    return lambda name: names.index(name) if name in names else len(names)


# folds that look like something to open; the answers after the investment table as a compact list
REPORT_CSS = """
details{margin:0.35em 0}details>summary{cursor:pointer;color:#0b4f8a;font-weight:600;padding:0.25em 0}
details[open]>summary{margin-bottom:0.6em}details details{margin-left:1em}
table{font-size:0.8em}thead th{font-size:0.92em;overflow-wrap:normal;word-break:normal;hyphens:manual}
td,th{padding:3px 5px}
ul.answers{font-size:0.95em;padding-left:1.2em}ul.answers li{margin:0.3em 0}
ul.answer-lines{font-size:1.05em;padding-left:1.2em;margin:0.6em 0}ul.answer-lines li{margin:0.35em 0}
ul.answer-lines .warning{color:#9a4a00;font-weight:600}
details.answer p.lead{font-size:1em}
@media print{details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none}details>summary::-webkit-details-marker{display:none}.fold-hint{display:none}}
"""


def _html_page(title: str, lang: str, parts: Sequence[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{pages.CSS}{REPORT_CSS}</style>\n</head>\n"
        f"<body>\n{chr(10).join(parts)}\n</body>\n</html>\n"
    )


def write_report(
    out: Path,
    results: list[RunResult],
    summary: pd.DataFrame,
    lang: str,
    comparison: pd.DataFrame | None = None,
    economics: pd.DataFrame | None = None,
    per_replication_npv: pd.DataFrame | Mapping[str, Sequence[float]] | None = None,
    forecast: pd.DataFrame | None = None,
    previous_forecasts: pd.DataFrame | None = None,
    as_of: str | None = None,
    table: pd.DataFrame | None = None,
    assumption_effects: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
) -> Path:
    """report.html with embedded figures; the same figures as PNG under figures/.

    ``table``: the long table (at least the fan charts' metrics); default: the results' own tables.

    ``forecast`` (forecast.csv of a run from a case register at ``as_of``) adds the year-end forecast
    first; ``previous_forecasts`` (earlier forecast.csv files with their ``as_of``) shows how it moved.

    ``comparison`` and ``economics`` are docs/contract.md's tables (see the module docstring);
    ``per_replication_npv`` is the net saving in present value per run: a DataFrame with ``scenario``,
    ``npv_dkk`` and optionally ``baseline``, ``discount_rate``, ``replication``, or {alternative: values}.
    ``outcomes`` (outcomes.csv, ``sim.analysis.outcomes.outcome_changes``) adds what happens to the children
    before the investment table."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    out = Path(out)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    comparison = comparison if comparison is not None and not comparison.empty else None
    economics = economics if economics is not None and not economics.empty else None
    if table is None:
        table = pd.concat([r.table for r in results], ignore_index=True)
    run_order = _run_order([r.scenario.name for r in results])
    pairs = _pairs(comparison, economics)
    if economics is not None:
        ranks = [run_order(n) for n in economics["scenario"]]
        economics = economics.iloc[sorted(range(len(economics)), key=ranks.__getitem__)]
    pairs.sort(key=lambda ab: run_order(ab[0]))
    report = _Report(results, summary, lang, comparison, economics, table, _npv_frame(per_replication_npv, economics),
                     forecast, previous_forecasts, as_of, assumption_effects, pairs, figures,
                     outcomes if outcomes is not None and not outcomes.empty else None)
    parts = [part for section in SECTIONS for part in section(report)]
    path = out / "report.html"
    path.write_text(_html_page(report.title, lang, parts), encoding="utf-8")
    return path
