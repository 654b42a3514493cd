"""The report page: ``write_report`` composes report.html from one builder per section, in the order a
finance officer reads it (the answer, the projection, where a difference comes from, what it rests on, the
tables, the assumptions), each figure embedded and also written under figures/."""

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
from sim.outputs.labels import LANGS, metric_label, scenario_label, text
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


# ---------------------------------------------------------------- the sections, in the page's order


def _title_section(r: _Report) -> list[str]:
    return [f"<h1>{html.escape(r.title)}</h1>"]


def _answer_section(r: _Report) -> list[str]:
    """The answer in words, and which year's prices the money is in."""
    lead = lead_sentences(r.results, r.summary, r.lang, r.comparison, r.economics, r.assumption_effects)
    return ['<p class="lead">' + "".join(f"<span>{html.escape(s)}</span>" for s in lead) + "</p>",
            f'<p class="note prices">{html.escape(prices_note(r.scenarios[0], r.lang))}</p>']


def _forecast_section(r: _Report) -> list[str]:
    if r.forecast is None or r.forecast.empty:
        return []
    return forecast_section(r.forecast, r.previous_forecasts, r.as_of, r.lang, r.figure)


def _model_notes_section(r: _Report) -> list[str]:
    """In a comparison, each scenario's own projection after the answer; then what the model is and leaves out."""
    intros = [_note(intro_sentence(r.summary, res, r.lang)) for res in r.results] if r.pairs else []
    return intros + [_note(text("what_model", r.lang)), _note(text("not_captured", r.lang))]


def _projection_section(r: _Report) -> list[str]:
    """A fan chart per headline metric the run has."""
    first, lang = r.scenarios[0], r.lang
    parts = [_heading("sec_projection", lang)]
    for metric in FAN_METRICS:
        if not (r.table["metric"] == metric).any():
            continue
        parts.append(r.figure(fan_chart(r.table, metric, lang, first, order=r.names, labels=r.labels), f"fan_{metric}",
                              metric_label(metric, lang, first), text("fan_caption", lang)))
    return parts


def _staircase_section(r: _Report) -> list[str]:
    if not r.summary["metric"].str.startswith("stock.").any():
        return []
    lang = r.lang
    return [_heading("sec_staircase", lang),
            r.figure(staircase_chart(r.summary, r.scenarios, lang), "staircase", text("staircase_title", lang),
                     text("staircase_caption", lang))]


def _caseworker_time_section(r: _Report) -> list[str]:
    if not has_caseworker_time(r.summary):
        return []
    lang = r.lang
    return [_heading("sec_time", lang),
            r.figure(caseworker_time_chart(caseworker_time(r.summary), r.names, lang, r.labels), "caseworker_time",
                     text("time_title", lang), text("time_caption", lang))]


def _waterfall_section(r: _Report) -> list[str]:
    """Per pair compared, where the cost difference comes from."""
    comparison, lang, by_name = r.comparison, r.lang, r.by_name
    if comparison is None:
        return []
    figures = []
    for alt, base in r.pairs:
        if not ((comparison["scenario"] == alt) & (comparison["baseline"] == base)).any():
            continue
        items = waterfall_items(r.summary, comparison, alt, base, lang, by_name.get(alt), by_name.get(base))
        y0, y1 = horizon_years(alt, by_name, comparison)
        names = {"alt": r.label(alt), "base": r.label(base), "first": y0, "last": y1}
        fig_title = text("waterfall_title", lang).format(**names)
        caption = text("waterfall_caption", lang).format(**names)
        figures.append(r.figure(waterfall_chart(items, fig_title, lang), f"waterfall_{alt}", fig_title, caption))
    return [_heading("sec_waterfall", lang), *figures] if figures else []


def _npv_section(r: _Report) -> list[str]:
    """Per pair, the net saving in present value over runs, at the headline discount rate."""
    if r.npv.empty:
        return []
    lang, economics = r.lang, r.economics
    parts = [_heading("sec_npv", lang)]
    for (alt, base), group in r.npv.groupby(["scenario", "baseline"], sort=False):
        rate = "-"
        if economics is not None:
            hit = economics[(economics["scenario"] == alt) & (economics["baseline"] == base)]
            if not hit.empty:
                rate = rate_text(hit["discount_rate"].iloc[0], lang)
        fig_title = text("npv_title", lang).format(alt=r.label(alt), base=r.label(base) if base else "-")
        parts.append(r.figure(npv_chart(group["npv_dkk"].to_numpy(dtype=float), fig_title, lang), f"npv_{alt}",
                              fig_title, text("npv_caption", lang).format(rate=rate)))
    return parts


def _rests_on_section(r: _Report) -> list[str]:
    """What the answer rests on, and the assumptions held at the scenario's value."""
    held = held_assumptions_note(r.results, r.lang)
    return rests_on_section(r.assumption_effects, r.economics, r.lang, r.by_name) + ([_note(held)] if held else [])


def _tables_section(r: _Report) -> list[str]:
    """The economics, each scenario's key figures (medians), and each pair's paired differences."""
    lang, comparison = r.lang, r.comparison
    parts = [_heading("sec_tables", lang)]
    if r.economics is not None:
        parts.append(f"<h3>{html.escape(text('sec_economics', lang))}</h3>")
        parts.append(economics_html(r.economics, lang, price_year_of(r.economics, r.scenarios), r.by_name))
    for s in r.scenarios:
        heading = f"{text('key_figures', lang)}: {s.label_in(lang)} ({text('median', lang).lower()})"
        parts.append(f"<h3>{html.escape(heading)}</h3>")
        parts.append(key_table_html(r.summary, s, lang))
    if comparison is not None:
        for alt, base in r.pairs:
            diff_html = difference_table_html(comparison, alt, base, lang, r.by_name.get(alt), r.by_name)
            if diff_html:
                heading = text("sec_differences", lang).format(alt=r.label(alt), base=r.label(base))
                parts.append(f"<h3>{html.escape(heading)}</h3>")
                parts.append(diff_html)
    return parts


def _appendix_section(r: _Report) -> list[str]:
    """Every scenario in full, as YAML."""
    lang = r.lang
    parts = [f"<h2>{html.escape(text('appendix', lang))}: {html.escape(text('assumptions', lang))}</h2>"]
    return parts + [f"<h3>{html.escape(s.label_in(lang))}</h3><pre>{html.escape(scenario_to_yaml(s))}</pre>"
                    for s in r.scenarios]


SECTIONS: tuple[Callable[[_Report], list[str]], ...] = (
    _title_section,
    _answer_section,
    _forecast_section,
    _model_notes_section,
    _projection_section,
    _staircase_section,
    _caseworker_time_section,
    _waterfall_section,
    _npv_section,
    _rests_on_section,
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


def _html_page(title: str, lang: str, parts: Sequence[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{pages.CSS}</style>\n</head>\n"
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
) -> Path:
    """report.html with embedded figures; the same figures as PNG under figures/.

    ``table``: the long table (at least the fan charts' metrics); default: the results' own tables.

    ``forecast`` (forecast.csv of a run from a case register at ``as_of``) adds the year-end forecast
    first; ``previous_forecasts`` (earlier forecast.csv files with their ``as_of``) shows how it moved.

    ``comparison`` and ``economics`` are docs/contract.md's tables (see the module docstring);
    ``per_replication_npv`` is the net saving in present value per run: a DataFrame with ``scenario``,
    ``npv_dkk`` and optionally ``baseline``, ``discount_rate``, ``replication``, or {alternative: values}."""
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
                     forecast, previous_forecasts, as_of, assumption_effects, pairs, figures)
    parts = [part for section in SECTIONS for part in section(report)]
    path = out / "report.html"
    path.write_text(_html_page(report.title, lang, parts), encoding="utf-8")
    return path
