"""The outputs of `sensitivity`: sensitivity.csv, samples.csv, tornado charts, report.html, manifest.json."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim import __version__  # noqa: E402
from sim.analysis.sensitivity import (  # noqa: E402
    Output,
    SensitivityRun,
    noise_se,
    noise_share,
    not_a_number_rows,
    ranking,
    sensitivity_table,
)
from sim.model import catalogue  # noqa: E402
from sim.model.keypaths import get_path  # noqa: E402
from sim.model.scenario import Scenario  # noqa: E402
from sim.outputs import pages  # noqa: E402
from sim.outputs.files import atomic_directory, git_commit  # noqa: E402
from sim.outputs.labels import format_number, metric_label, setting_label, year_span  # noqa: E402

_TEXT = {
    "title": ("Sensitivity analysis: {name}", "Følsomhedsanalyse: {name}"),
    "lead_morris": (
        "For {output}, the assumptions that matter most are {top} (Morris screening).",
        "For {output} betyder disse forudsætninger mest: {top} (Morris-screening).",
    ),
    "lead_sobol": (
        "For {output}, the assumptions that matter most are {top} (Sobol total indices).",
        "For {output} betyder disse forudsætninger mest: {top} (Sobols totale indeks).",
    ),
    "lead_none": (
        "For {output}, no assumption in the spec moves the result beyond the simulation noise.",
        "For {output} flytter ingen af forudsætningerne resultatet ud over den simulerede støj.",
    ),
    "lead_nan": (
        "For {output}, there are no indices: the output is not a number in {k} of {n} sample points "
        "(e.g. a share with nothing to count).",
        "For {output} er der ingen indeks: resultatet er ikke et tal i {k} af {n} stikprøvepunkter "
        "(f.eks. en andel uden noget at tælle).",
    ),
    "and": ("and", "og"),
    "setup": (
        "{rows} sample points, each run with {reps} replications of {years} projected years ({span}) "
        "after {burn} burn-in years; seed {seed}; {params} parameters; {method}. Wall time {wall}.",
        "{rows} stikprøvepunkter, hver kørt med {reps} kørsler af {years} fremskrevne år ({span}) efter "
        "{burn} indsvingningsår; seed {seed}; {params} parametre; {method}. Køretid {wall}.",
    ),
    "crn": (
        "Simulation noise is kept apart from sensitivity: every sample point runs the same replications "
        "(0 to {last_rep}) with the same seed, so the same random numbers drive the same decisions and two "
        "points differ only through their assumptions; each point is the mean over its replications. The "
        "noise level is the standard error of that mean (the 'noise SE' below, also in sensitivity.csv as "
        "index noise_se).",
        "Simuleret støj holdes adskilt fra følsomhed: hvert stikprøvepunkt kører de samme kørsler (0 til "
        "{last_rep}) med samme seed, så de samme tilfældige tal styrer de samme beslutninger, og to punkter "
        "kun adskiller sig ved deres forudsætninger; hvert punkt er gennemsnittet over dets kørsler. "
        "Støjniveauet er standardfejlen på dette gennemsnit ('støj-SE' nedenfor, i sensitivity.csv som "
        "index noise_se).",
    ),
    "how_morris": (
        "mu* (mu_star) is the mean absolute change in the output when an assumption moves across its whole "
        "range, other assumptions held at points spread over their ranges; sigma is the spread of those "
        "changes (large sigma: the effect depends on the other assumptions or is not linear). Bars: mu* with "
        "its 95 % bootstrap interval; diamonds: sigma; red ticks: twice the simulation noise of the changes "
        "(their standard error over the paired replications). An assumption whose mu* is not above its red "
        "tick is marked 'within noise': its effect cannot be told apart from chance.",
        "mu* (mu_star) er den gennemsnitlige absolutte ændring i resultatet, når en forudsætning flyttes "
        "over hele sit interval, med de andre forudsætninger i punkter spredt over deres intervaller; sigma "
        "er spredningen af disse ændringer (stor sigma: effekten afhænger af de andre forudsætninger eller "
        "er ikke lineær). Søjler: mu* med 95 %-bootstrapinterval; ruder: sigma; røde streger: to gange den "
        "simulerede støj på ændringerne (standardfejlen over de parrede kørsler). En forudsætning, hvis mu* "
        "ikke ligger over sin røde streg, er markeret 'inden for støjen': dens effekt kan ikke skelnes fra "
        "tilfældighed.",
    ),
    "how_sobol": (
        "S1 is the share of the output's variance over the sampled assumptions explained by one assumption "
        "alone; ST also counts its interactions with the others. Error bars: 95 % bootstrap intervals. "
        "Noise share: the share of the variance that the simulation noise alone could explain (at most); an "
        "assumption whose ST is not above it (or below 0.01) is marked 'within noise'.",
        "S1 er den andel af resultatets varians over de udtrukne forudsætninger, som én forudsætning "
        "forklarer alene; ST medregner også samspillet med de andre. Fejllinjer: 95 %-bootstrapintervaller. "
        "Støjandel: den andel af variansen, som den simulerede støj alene højst kunne forklare; en "
        "forudsætning, hvis ST ikke ligger over den (eller under 0,01), er markeret 'inden for støjen'.",
    ),
    "noise_line": ("Noise SE of the mean at the scenario's own values: {se}.",
                   "Støj-SE på gennemsnittet ved scenariets egne værdier: {se}."),
    "noise_line_npv": ("Noise SE of the paired NPV (mean over the sample points): {se}.",
                       "Støj-SE på den parrede nutidsværdi (gennemsnit over stikprøvepunkterne): {se}."),
    "noise_share": (" Noise share of the variance: {share}.", " Støjandel af variansen: {share}."),
    "at_nominal": ("At the scenario's own values: {value}.", "Ved scenariets egne værdier: {value}."),
    "params": ("Parameters and ranges", "Parametre og intervaller"),
    "col_param": ("Parameter", "Parameter"),
    "col_path": ("Key", "Nøgle"),
    "col_low": ("Low", "Lav"),
    "col_high": ("High", "Høj"),
    "col_nominal": ("Scenario value", "Scenariets værdi"),
    "col_index": ("Index", "Indeks"),
    "col_value": ("Value", "Værdi"),
    "col_conf": ("± 95 %", "± 95 %"),
    "col_noise": ("noise SE of the changes", "støj-SE på ændringerne"),
    "within_noise": ("within noise", "inden for støjen"),
    "sec_method": ("Method", "Metode"),
    "npv_label": ("Net saving against the scenario's own values, present value (DKK)",
                  "Nettobesparelse i forhold til scenariets egne værdier, nutidsværdi (kr.)"),
    "sum_of": ("{label}, sum {years}", "{label}, sum {years}"),
    "in_year": ("{label}, {year}", "{label}, {year}"),
    "morris_name": ("Morris screening, {n} trajectories on {levels} levels",
                    "Morris-screening, {n} baner på {levels} niveauer"),
    "sobol_name": ("Sobol indices (Saltelli sampling), N = {n}", "Sobol-indeks (Saltelli-stikprøve), N = {n}"),
    "spec": ("The spec", "Specifikationen"),
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][1 if lang == "da" else 0]


def parameter_label(param, lang: str, scenario: Scenario | None = None) -> str:
    """A parameter's name in the reader's language: the spec's label in that language, else the setting's
    label (labels.setting_label), else the spec's one text, else the path."""
    return param.label_in(lang) or setting_label(param.path, lang, scenario) or param.name


def parameter_labels(run: SensitivityRun, lang: str) -> dict[str, str]:
    return {p.path: parameter_label(p, lang, run.scenario) for p in run.params}


def _is_money(output: Output) -> bool:
    return output.npv_against is not None or catalogue.is_money(output.metric or "")


def output_label(output: Output, scenario: Scenario, lang: str) -> str:
    if output.npv_against is not None:
        return _t("npv_label", lang)
    label = metric_label(output.metric, lang, scenario)
    if output.year == "sum":
        return _t("sum_of", lang).format(label=label, years=year_span(scenario.calendar.start_year, scenario.end_year))
    year = {"last": scenario.end_year, "first": scenario.calendar.start_year}.get(output.year, output.year)
    return _t("in_year", lang).format(label=label, year=year)


def _fmt(x: float, output: Output, lang: str) -> str:
    return format_number(x, lang, money=_is_money(output))


def tornado_chart(run: SensitivityRun, output: Output, lang: str) -> bytes:
    """Horizontal bars, most influential on top: Morris mu* (with sigma dots and the noise line) or Sobol
    ST and S1 bars with their intervals."""
    a = run.analysis
    ranked = ranking(run, output.id)
    labels = parameter_labels(run, lang)
    names = [labels.get(p, p) for p in ranked["parameter"]]
    y = np.arange(len(ranked))[::-1]
    fig, ax = plt.subplots(figsize=(8.0, 0.45 * len(ranked) + 1.6))
    title = output_label(output, run.scenario, lang)
    if a.method == "morris":
        scale = 1e6 if _is_money(output) and ranked["value"].abs().max() >= 1e6 else 1.0
        conf = ranked["conf"].to_numpy() / scale
        ax.barh(y, ranked["value"] / scale, xerr=np.nan_to_num(conf), color="#0072B2", height=0.6,
                error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1}, label="mu*")
        ax.plot(ranked["second"] / scale, y, "D", color="#E69F00", ms=6, label="sigma")
        floor = 2.0 * ranked["noise"].to_numpy() / scale
        if np.any(np.isfinite(floor)):
            ax.plot(floor, y, "|", color="#D55E00", ms=18, mew=2.5,
                    label="2 × noise SE" if lang != "da" else "2 × støj-SE")
        if scale == 1e6:
            unit = "mio. kr." if lang == "da" else "m DKK"
        else:
            unit = ("kr." if lang == "da" else "DKK") if _is_money(output) else ""
        ax.set_xlabel(f"mu*, sigma {f'({unit})' if unit else ''}".strip())
        ax.set_xlim(left=0)
    else:
        h = 0.38
        ax.barh(y + h / 2, ranked["value"], height=h, xerr=np.nan_to_num(ranked["conf"].to_numpy()),
                color="#0072B2", label="ST", error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1})
        s1 = a.indices[(a.indices["output"] == output.id) & (a.indices["index"] == "S1")].set_index("parameter")
        s1 = s1.loc[ranked["parameter"]]
        ax.barh(y - h / 2, s1["value"], height=h, xerr=np.nan_to_num(s1["conf"].to_numpy()), color="#56B4E9",
                label="S1", error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1})
        top_value = np.nanmax(np.append((ranked["value"] + ranked["conf"].fillna(0)).to_numpy(), 0.0))
        ax.set_xlim(0, max(1.0, float(top_value) * 1.05))
        ax.set_xlabel("Sobol index" if lang != "da" else "Sobol-indeks")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return pages.png(fig, dpi=110, lang=lang)


def lead_sentences(run: SensitivityRun, lang: str, top: int = 3) -> list[str]:
    """One plain sentence per output naming its most influential parameters (those above the noise)."""
    labels = parameter_labels(run, lang)
    out = []
    missing = not_a_number_rows(run.analysis)
    for o in run.spec.outputs:
        ranked = ranking(run, o.id)
        names = [labels[p] for p in ranked.loc[ranked["above_noise"], "parameter"].head(top)]
        label = output_label(o, run.scenario, lang)
        label = label[0].lower() + label[1:]
        if o.id in missing:
            out.append(_t("lead_nan", lang).format(output=label, k=missing[o.id], n=len(run.analysis.X)))
        elif not names:
            out.append(_t("lead_none", lang).format(output=label))
            continue
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {_t('and', lang)} " + names[-1]
        key = "lead_morris" if run.analysis.method == "morris" else "lead_sobol"
        out.append(_t(key, lang).format(output=label, top=listed))
    return out


def _plain(x: float, lang: str = "en") -> str:
    """A range's end or a scenario's value as written: 1,160,000 / 1.160.000; 0.45 / 0,45."""
    if x is None or not math.isfinite(x):
        return "-"
    s = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "da" else s


def _index_fmt(x: float, output: Output, method: str, lang: str) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if method == "sobol":
        s = f"{x:.3f}"
        return s.replace(".", ",") if lang == "da" else s
    return _fmt(x, output, lang)


def report_html(run: SensitivityRun, figures: dict[str, bytes], lang: str = "en") -> str:
    a = run.analysis
    sc = run.scenario
    cal = sc.calendar
    method_name = (_t("morris_name", lang).format(n=a.n, levels=a.levels) if a.method == "morris"
                   else _t("sobol_name", lang).format(n=a.n))
    parts = [pages.lead_paragraph(lead_sentences(run, lang))]
    wall = f"{run.wall_seconds:.0f} s"
    parts.append("<p class='note'>" + html.escape(_t("setup", lang).format(
        rows=len(a.X), reps=run.replications, years=cal.horizon_years,
        span=year_span(cal.start_year, sc.end_year),
        burn=cal.burn_in_years, seed=run.seed, params=len(a.parameters), method=method_name, wall=wall)) + "</p>")
    parts.append("<p class='note'>" + html.escape(_t("crn", lang).format(last_rep=run.replications - 1)) + "</p>")
    parts.append("<p class='note'>" + html.escape(_t("how_morris" if a.method == "morris" else "how_sobol", lang))
                 + "</p>")
    labels = parameter_labels(run, lang)
    for o in run.spec.outputs:
        title = output_label(o, sc, lang)
        parts.append(f"<h2>{html.escape(title)}</h2>")
        se = noise_se(run, o.id)
        line = _t("noise_line_npv" if o.npv_against else "noise_line", lang).format(se=_fmt(se, o, lang))
        if a.method == "sobol":
            from sim.outputs.labels import format_percent

            share = noise_share(run, o.id)
            line += _t("noise_share", lang).format(share=format_percent(share, lang, 1)
                                                   if math.isfinite(share) else "-")
        if o.npv_against is None:
            line = _t("at_nominal", lang).format(value=_fmt(run.nominal_values[o.id], o, lang)) + " " + line
        parts.append(f"<p class='note'>{html.escape(line)}</p>")
        png = figures[o.id]
        parts.append(pages.figure_html(png, title, ""))
        ranked = ranking(run, o.id)
        idx = ("mu*", "sigma") if a.method == "morris" else ("ST", "S1")
        rows = []
        for _, r in ranked.iterrows():
            mark = "" if r["above_noise"] else f" ({_t('within_noise', lang)})"
            row = [labels.get(r["parameter"], r["parameter"]) + mark,
                   _index_fmt(r["value"], o, a.method, lang), _index_fmt(r["conf"], o, a.method, lang),
                   _index_fmt(r["second"], o, a.method, lang)]
            if a.method == "morris":
                row.append(_index_fmt(r["noise"], o, a.method, lang))
            rows.append(row)
        header = [_t("col_param", lang), idx[0], _t("col_conf", lang), idx[1]]
        if a.method == "morris":
            header.append(_t("col_noise", lang))
        parts.append(pages.text_table(header, rows))
    parts.append(f"<h2>{html.escape(_t('params', lang))}</h2>")
    raw = sc.model_dump(mode="json")
    prow = []
    for p in run.params:
        try:
            nominal = _plain(float(get_path(raw, p.path)), lang)
        except KeyError:
            nominal = "-"
        prow.append([parameter_label(p, lang, sc), p.path, _plain(p.low, lang), _plain(p.high, lang),
                     nominal])
    columns = ("col_param", "col_path", "col_low", "col_high", "col_nominal")
    parts.append(pages.text_table([_t(k, lang) for k in columns], prow))
    spec_yaml = json.dumps(run.spec.model_dump(mode="json", exclude_defaults=True), indent=1, ensure_ascii=False)
    parts.append(f"<h2>{html.escape(_t('spec', lang))}</h2><pre>{html.escape(spec_yaml)}</pre>")
    return pages.page(_t("title", lang).format(name=sc.label_in(lang)), parts, lang)


def write_sensitivity_outputs(
    out: Path, run: SensitivityRun, lang: str = "en", command: list[str] | None = None
) -> Path:
    """sensitivity.csv, samples.csv, figures/tornado_<output>.png, report.html and manifest.json, all or
    nothing (written in a temporary directory renamed into place)."""
    a = run.analysis
    table = sensitivity_table(run)
    figures = {o.id: tornado_chart(run, o, lang) for o in run.spec.outputs}
    page = report_html(run, figures, lang)
    samples = pd.DataFrame(a.X, columns=a.parameters)
    for p in run.params:
        if p.integer:
            samples[p.path] = samples[p.path].round()
    for j, o in enumerate(a.outputs):
        samples[o] = a.Y[:, j]
    samples.insert(0, "row", np.arange(len(samples)))
    cal = run.scenario.calendar
    manifest = {
        "tool": "boernesim",
        "version": __version__,
        "git_commit": git_commit(),
        "command": command if command is not None else sys.argv,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "analysis": "sensitivity",
        "method": a.method,
        "n": a.n,
        "morris_levels": a.levels if a.method == "morris" else None,
        "sample_rows": len(a.X),
        "seed": run.seed,
        "replications": run.replications,
        "common_random_numbers": f"every sample row runs replications 0..{run.replications - 1} with seed {run.seed}",
        "years": cal.horizon_years,
        "start_year": cal.start_year,
        "burn_in_years": cal.burn_in_years,
        "wall_seconds": round(run.wall_seconds, 3),
        "events_simulated": run.events,
        "spec_file": run.spec_file,
        "spec": run.spec.model_dump(mode="json"),
        "nominal_output_means": run.nominal_values,
        "scenarios": {run.scenario.name: run.scenario.model_dump(mode="json")},
    }
    with atomic_directory(Path(out)) as tmp:
        table.to_csv(tmp / "sensitivity.csv", index=False, float_format="%.6g")
        samples.to_csv(tmp / "samples.csv", index=False, float_format="%.6g")
        (tmp / "figures").mkdir()
        for oid, png in figures.items():
            (tmp / "figures" / f"tornado_{oid}.png").write_bytes(png)
        (tmp / "report.html").write_text(page, encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return Path(out)
