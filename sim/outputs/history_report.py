"""Outputs of ``calibrate`` and ``backtest``: tables, charts, the calibrated scenario and the HTML report.

Everything is written to a temporary directory that replaces the target only when complete
(:func:`sim.outputs.files.atomic_directory`), so an interrupted run never leaves half an output.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sim.analysis.backtest import Backtest  # noqa: E402
from sim.analysis.calibration import (  # noqa: E402
    ANCHORED,
    Calibration,
    at_last_fitted_year,
    drifting,
    ensemble_for_scenarios,
    parameter_summary,  # noqa: E402
)
from sim.model.keypaths import set_path  # noqa: E402
from sim.outputs import pages  # noqa: E402
from sim.outputs.files import atomic_directory, git_commit, write_frame_parquet  # noqa: E402
from sim.outputs.labels import format_number, format_percent, metric_label, year_span  # noqa: E402

_TEXT = {
    "cal_title": ("Calibration of {name}", "Kalibrering af {name}"),
    "cal_lead": ("{n} parameter sets fit the history {years} about equally well (the {conf} likelihood-ratio "
                 "region of {trials} trials). Runs with --parameter-sets posterior.parquet draw one per replication.",
                 "{n} parametersæt passer omtrent lige godt til historikken {years} ({conf} "
                 "likelihood-ratio-området af {trials} forsøg). Kørsler med --parameter-sets posterior.parquet "
                 "trækker ét pr. replikation."),
    "cal_lead_abc": ("The posterior: {n} weighted parameter sets, the last population of an ABC-SMC fit to the history "
                     "{years} ({trials} simulations). Runs with --parameter-sets posterior.parquet draw one per "
                     "replication, by weight.",
                     "Posterior-fordelingen: {n} vægtede parametersæt, den sidste population af en ABC-SMC-tilpasning "
                     "til historikken {years} ({trials} simuleringer). Kørsler med --parameter-sets "
                     "posterior.parquet trækker ét pr. replikation efter vægt."),
    "params": ("Fitted parameters", "Tilpassede parametre"),
    "fit": ("History against the model", "Historik mod modellen"),
    "fit_caption": ("Dots: history. Line and band: the model's mean and 5-95 % band with the fitted parameter sets.",
                    "Punkter: historik. Linje og bånd: modellens middelværdi og 5-95 %-bånd med de tilpassede "
                    "parametersæt."),
    "not_fitted": ("History rows not fitted", "Historikrækker der ikke er tilpasset"),
    "method": ("Method", "Metode"),
    "method_text": (
        "optuna's TPE sampler searched the prior ranges; every trial ran the scenario over the history's years "
        "with the same seed and was scored by a count likelihood (negative binomial or Poisson for counts, "
        "normal for shares and money). The last quarter of the trials was spread evenly over the region found, "
        "so that its edges are sampled too. The parameter sets within the likelihood-ratio region are kept with "
        "equal weights. Years are treated as independent, which is optimistic for stocks.",
        "optunas TPE-sampler søgte i de angivne intervaller; hvert forsøg kørte scenariet over historikkens år "
        "med samme seed og blev vurderet med en likelihood for tællinger (negativ binomial eller Poisson for "
        "antal, normal for andele og beløb). Den sidste fjerdedel af forsøgene blev spredt jævnt over det fundne "
        "område, så også dets kanter afprøves. Parametersættene inden for likelihood-ratio-området beholdes med "
        "lige vægt. Årene behandles som uafhængige, hvilket er optimistisk for bestande."),
    "method_text_abc": (
        "ABC-SMC (approximate Bayesian computation by sequential Monte Carlo): a population of parameter sets was "
        "drawn from the prior ranges and simulated once each; each later generation kept only sets whose "
        "simulated history came closer to the observed one than the previous generation's median distance "
        "(standardised residuals), drawn around the previous population and weighted by importance. The last "
        "population, with its weights, is the posterior: tolerances {tolerances}.",
        "ABC-SMC (approximativ bayesiansk beregning med sekventiel Monte Carlo): en population af parametersæt "
        "blev trukket fra de angivne intervaller og simuleret én gang hver; hver senere generation beholdt kun sæt "
        "hvis simulerede historik kom tættere på den observerede end den forrige generations median-afstand "
        "(standardiserede residualer), trukket omkring den forrige population og vægtet efter betydning. Den "
        "sidste population med sine vægte er posterior-fordelingen: tolerancer {tolerances}."),
    "col_param": ("Parameter", "Parameter"),
    "col_range": ("Prior range", "Interval"),
    "col_scenario": ("Scenario value", "Scenariets værdi"),
    "col_best": ("Best fit", "Bedste tilpasning"),
    "col_band": ("Kept sets: 5-95 %", "Beholdte sæt: 5-95 %"),
    "col_minmax": ("Kept sets: min-max", "Beholdte sæt: min-maks"),
    "col_metric": ("Metric", "Nøgletal"),
    "col_year": ("Year", "År"),
    "col_value": ("Value", "Værdi"),
    "col_reason": ("Why not", "Hvorfor ikke"),
    "bt_title": ("Back-test of {name}: fitted up to {fit_until}, tested on {years}",
                 "Back-test af {name}: tilpasset til og med {fit_until}, testet på {years}"),
    "bt_lead": ("Mean absolute percentage error over the tested years, the model against three simple forecasts. "
                "The model's 5-95 % band covered {covered} of {n} actual values.",
                "Gennemsnitlig absolut procentfejl over de testede år, modellen mod tre simple fremskrivninger. "
                "Modellens 5-95 %-bånd dækkede {covered} af {n} faktiske værdier."),
    "bt_table": ("Errors by metric and method (MAPE)", "Fejl pr. nøgletal og metode (MAPE)"),
    "bt_rolling_title": ("Back-test of {name} from the origins {origins}, {horizon} years ahead",
                         "Back-test af {name} fra årene {origins}, {horizon} år frem"),
    "bt_rolling": ("Errors and band coverage by metric and horizon, pooled over the origins",
                   "Fejl og båndenes dækning pr. nøgletal og horisont, samlet over udgangsårene"),
    "bt_rolling_note": (
        "MAPE: mean absolute percentage error. MASE: mean absolute error over the history's mean year-to-year "
        "change up to the origin (below 1: better than the past's own 'same as last year'). 50 % / 90 %: the "
        "share of actual values inside the model's central 50 % and 90 % bands (ideally about 0.5 and 0.9). "
        "Horizon 'all' pools the horizons; metric 'all' pools the metrics.",
        "MAPE: gennemsnitlig absolut procentfejl. MASE: gennemsnitlig absolut fejl divideret med historikkens "
        "gennemsnitlige ændring fra år til år frem til udgangsåret (under 1: bedre end fortidens 'som sidste år'). "
        "50 % / 90 %: andelen af faktiske værdier inden for modellens centrale 50 %- og 90 %-bånd (ideelt "
        "omkring 0,5 og 0,9). Horisont 'alle' samler horisonterne; nøgletal 'alle' samler nøgletallene."),
    "bt_fan_caption": ("Dots: history. Bands: the model's 50 % (dark) and 90 % (light) band from each origin, "
                       "started from the value observed up to it.",
                       "Punkter: historik. Bånd: modellens 50 %- (mørkt) og 90 %-bånd (lyst) fra hvert udgangsår, "
                       "startet fra den værdi der var observeret til og med det."),
    "col_method": ("Method", "Metode"),
    "col_horizon": ("Horizon", "Horisont"),
    "all": ("all", "alle"),
    "bt_charts": ("Projections against what happened", "Fremskrivninger mod det faktiske forløb"),
    "bt_caption": ("Dots: history. Band: the model fitted up to {fit_until}. Lines: simple forecasts.",
                   "Punkter: historik. Bånd: modellen tilpasset til og med {fit_until}. Linjer: simple "
                   "fremskrivninger."),
    "history": ("history", "historik"),
    "model": ("model", "model"),
    "last_value": ("last value", "seneste værdi"),
    "linear_trend": ("linear trend", "lineær trend"),
    "stock_flow": ("stock and flow", "bestand og flow"),
    "combination": ("combination", "kombination"),
    "coverage": ("band covered", "båndet dækkede"),
}
METHOD_ORDER = ("model", "last_value", "linear_trend", "stock_flow", "combination")


def _t(key: str, lang: str) -> str:
    return _TEXT[key][0 if lang == "en" else 1]


def _num(x: float, lang: str) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    if abs(x) >= 100:
        return format_number(round(x), lang)
    text = f"{x:.3g}"
    return text.replace(".", ",") if lang == "da" else text


def metric_chart(metric: str, history: pd.DataFrame, band: pd.DataFrame, lang: str,
                 simple: pd.DataFrame | None = None, fit_until: int | None = None, scenario=None) -> bytes:
    """History dots, the model's mean and 5-95 % band, and (back-test) the simple forecasts' lines."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    b = band.sort_values("year")
    if not b.empty:
        ax.fill_between(b["year"], b["sim_p05"], b["sim_p95"], color="#0072B2", alpha=0.2, lw=0)
        ax.plot(b["year"], b["sim_mean"], color="#0072B2", lw=1.8, label=_t("model", lang))
    if simple is not None:
        # markers too: a one-year back-test has one point per method, which a line alone would not show
        styles = {"last_value": ("#D55E00", ":", "s"), "linear_trend": ("#009E73", "--", "^"),
                  "stock_flow": ("#CC79A7", "-.", "D"), "combination": ("#E69F00", "-", "o")}
        for method, rows in simple.groupby("method"):
            colour, dash, marker = styles.get(method, ("#555555", "-", "x"))
            rows = rows.sort_values("year")
            ax.plot(rows["year"], rows["forecast"], color=colour, ls=dash, lw=1.5, marker=marker, ms=5,
                    label=_t(method, lang))
    h = history[history["metric"] == metric].sort_values("year")
    if fit_until is not None:
        ax.axvline(fit_until + 0.5, color="#888888", lw=1, ls="--")
    return _finish_metric_chart(fig, ax, h, metric, lang, scenario)


def _finish_metric_chart(fig, ax, h: pd.DataFrame, metric: str, lang: str, scenario) -> bytes:
    """The history's points over what is drawn, the metric's title and the common axes; the chart as PNG."""
    ax.plot(h["year"], h["value"], "o", color="black", ms=4, label=_t("history", lang))
    ax.set_title(metric_label(metric, lang, scenario), loc="left", fontsize=11)
    ax.set_ylim(bottom=0)
    pages.year_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="best")
    fig.tight_layout()
    return pages.png(fig, lang=lang)


# ---------------------------------------------------------------- calibrate


def calibrated_mapping(cal: Calibration, full_raw: dict, extends: str, name: str) -> dict:
    """A scenario that extends the input and sets each fitted parameter to its best-fit value. A parameter
    inside a list (a step, a need level) brings the whole list, because ``extends`` replaces lists whole."""
    updated = copy.deepcopy(full_raw)
    handed_on = at_last_fitted_year(cal.problem, cal.best)
    for path, value in handed_on.items():
        set_path(updated, path, float(f"{value:.6g}"))  # more digits than this are noise
    if "demand.need_shares.0" in handed_on:  # no need is the rest, so that the rounded shares still sum to 1
        shares = updated["demand"]["need_shares"]
        none = next(level for level in shares if int(level) == 0)  # keys are numbers in YAML, text in JSON
        shares[none] = 1.0 - sum(v for level, v in shares.items() if level != none)
    out: dict = {"extends": extends, "name": name,
                 "description": f"{full_raw.get('name', '')} with parameters fitted to a history "
                                f"({cal.problem.years[0]}-{cal.problem.years[1]}) by boernesim calibrate"}
    for path in handed_on:  # the fitted parameters and the need mix they imply
        parts, node, target = path.split("."), updated, out
        for depth, part in enumerate(parts):
            part = part if part in node else int(part)  # a mapping keyed by numbers (need levels' shares)
            value = node[part]
            if isinstance(value, list) or depth == len(parts) - 1:
                target[part] = copy.deepcopy(value)
                break
            target = target.setdefault(part, {})
            node = value
    return out


def calibrated_yaml(cal: Calibration, full_raw: dict, scenario_path: Path, out_dir: Path) -> str:
    extends = os.path.relpath(Path(scenario_path).resolve(), Path(out_dir).resolve())
    name = f"{full_raw.get('name', 'scenario')}-calibrated"
    mapping = calibrated_mapping(cal, full_raw, extends, name)
    summary = parameter_summary(cal)
    lines = ["# Written by boernesim calibrate: the input scenario with its fitted parameters at their best fit.",
             f"# History {cal.problem.years[0]}-{cal.problem.years[1]}; {len(cal.trials)} trials; "
             f"{len(cal.ensemble)} parameter sets kept (posterior.parquet next to this file).",
             "# For bands that carry parameter uncertainty run with --parameter-sets posterior.parquet.",
             "# 'extends' is relative to this file: move the two together."]
    drifted = [p for p in cal.best if p in drifting(cal.problem)]
    if drifted:
        lines.append(f"# {', '.join(drifted)}: fitted for {cal.problem.years[0]}, given here at the "
                     f"{cal.problem.years[1]} level (moved by the drift's trend, the random walk left at its mean); "
                     "the scenario's own drift starts from there.")
    anchored = [p for p in cal.best if p in ANCHORED]
    if anchored:
        first, last = cal.problem.years
        lines.append(f"# {', '.join(anchored)}: fitted for {first}, given here at the {last} level (moved by the "
                     "yearly rate), so the scenario starts from the last fitted year, not extrapolated further.")
    lines.append("#")
    for _, r in summary.iterrows():
        lines.append(f"# {r['parameter']}: best {r['best']:.4g}; kept sets {r['min']:.4g}-{r['max']:.4g} "
                     f"(prior {r['low']:g}-{r['high']:g}; input scenario {r['scenario_value']:g})")
    return "\n".join(lines) + "\n" + yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)


def _method_text(cal: Calibration, lang: str) -> str:
    if cal.problem.spec.method == "abc_smc":
        shown = ", ".join(_num(t, lang) for t in (cal.tolerances or []))
        return _t("method_text_abc", lang).format(tolerances=shown)
    return _t("method_text", lang)


def calibration_report(cal: Calibration, lang: str, figures: dict[str, bytes]) -> str:
    p = cal.problem
    name = p.scenario.name
    lead = "cal_lead_abc" if p.spec.method == "abc_smc" else "cal_lead"
    lead_text = _t(lead, lang).format(n=len(cal.ensemble), years=year_span(p.years[0], p.years[1]),
                                      conf=format_percent(p.spec.search.confidence, lang), trials=len(cal.trials))
    parts = [f'<p class="lead">{html.escape(lead_text)}</p>']
    parts.append(f"<h2>{html.escape(_t('params', lang))}</h2>")
    rows = []
    for _, r in parameter_summary(cal).iterrows():
        rows.append([f"{r['label']} ({r['parameter']})", f"{_num(r['low'], lang)}-{_num(r['high'], lang)}",
                     _num(r["scenario_value"], lang), _num(r["best"], lang),
                     f"{_num(r['p05'], lang)}-{_num(r['p95'], lang)}",
                     f"{_num(r['min'], lang)}-{_num(r['max'], lang)}"])
    columns = ("col_param", "col_range", "col_scenario", "col_best", "col_band", "col_minmax")
    parts.append(pages.text_table([_t(k, lang) for k in columns], rows))
    parts.append(f"<h2>{html.escape(_t('fit', lang))}</h2>")
    for metric, png in figures.items():
        parts.append(pages.figure_html(png, metric_label(metric, lang, p.scenario), _t("fit_caption", lang)))
    parts += _not_fitted_html(p, lang)
    parts.append(f"<h2>{html.escape(_t('method', lang))}</h2><p class=note>{html.escape(_method_text(cal, lang))}</p>")
    spec = json.dumps(p.spec.model_dump(mode="json", exclude_defaults=True), indent=1, ensure_ascii=False)
    parts.append(f"<pre>{html.escape(spec)}</pre>")
    return pages.page(_t("cal_title", lang).format(name=name), parts, lang)


def _not_fitted_html(p, lang: str) -> list[str]:
    if p.not_fitted.empty:
        return []
    return [f"<h2>{html.escape(_t('not_fitted', lang))}</h2>",
            pages.text_table([_t(k, lang) for k in ("col_metric", "col_year", "col_value", "col_reason")],
                   [[r["metric"], str(r["year"]), _num(r["value"], lang), r["reason"]]
                    for _, r in p.not_fitted.iterrows()])]


def _manifest(kind: str, cal: Calibration, command, **extra) -> dict:
    from sim import __version__

    p = cal.problem
    return {
        "tool": "boernesim", "version": __version__, "git_commit": git_commit(),
        "command": command if command is not None else sys.argv,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "analysis": kind, "seed": p.spec.seed, "years_fitted": list(p.years), "method": p.spec.method,
        "abc_tolerances": cal.tolerances, "abc_distance_sd": cal.distance_sd,
        "abc_reporting_stage": cal.reporting_stage,
        "trials": len(cal.trials), "trials_resumed": cal.resumed_trials, "parameter_sets_kept": len(cal.ensemble),
        "simulations": cal.simulations, "events_simulated": cal.events, "wall_seconds": round(cal.wall_seconds, 3),
        "spec_file": p.source, "spec": p.spec.model_dump(mode="json"),
        "scenarios": {p.scenario.name: p.scenario.model_dump(mode="json")}, **extra,
    }


def write_calibration_outputs(out: Path, cal: Calibration, full_raw: dict, scenario_path: Path, lang: str = "en",
                              command: list[str] | None = None, history_file: str | None = None) -> Path:
    """posterior.parquet, fit.csv, calibrated.yaml, trials.csv, not_fitted.csv, figures/, report.html and
    manifest.json, all or nothing."""
    p = cal.problem
    fitted = [t.metric for t in p.spec.targets]
    figures = {m: metric_chart(m, p.history, cal.fit[cal.fit["metric"] == m], lang, scenario=p.scenario)
               for m in fitted if (cal.fit["metric"] == m).any()}
    out = Path(out)
    with atomic_directory(out) as tmp:
        write_frame_parquet(ensemble_for_scenarios(cal), tmp / "posterior.parquet")
        cal.fit.to_csv(tmp / "fit.csv", index=False, float_format="%.6g")
        cal.trials.to_csv(tmp / "trials.csv", index=False, float_format="%.8g")
        p.not_fitted.to_csv(tmp / "not_fitted.csv", index=False, float_format="%.6g")
        parameter_summary(cal).to_csv(tmp / "parameters.csv", index=False, float_format="%.6g")
        (tmp / "calibrated.yaml").write_text(calibrated_yaml(cal, full_raw, scenario_path, out), encoding="utf-8")
        (tmp / "figures").mkdir()
        for m, png in figures.items():
            (tmp / "figures" / f"fit_{m}.png").write_bytes(png)
        (tmp / "report.html").write_text(calibration_report(cal, lang, figures), encoding="utf-8")
        manifest = _manifest("calibrate", cal, command, history_file=history_file)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return out


# ---------------------------------------------------------------- backtest


def backtest_report(bt: Backtest, lang: str, figures: dict[str, bytes]) -> str:
    p = bt.calibration.problem
    model = bt.scored[bt.scored["method"] == "model"]
    covered = int(model["covered"].fillna(False).sum())
    n = int(model["covered"].notna().sum())
    parts = [f'<p class="lead">{html.escape(_t("bt_lead", lang).format(covered=covered, n=n))}</p>',
             f"<h2>{html.escape(_t('bt_table', lang))}</h2>"]
    rows = []
    for metric, group in bt.summary.groupby("metric", sort=True):
        by = group.set_index("method")
        cells = [metric_label(metric, lang, p.scenario)]
        for m in METHOD_ORDER:
            cells.append(format_percent(by.loc[m, "mape"], lang, 1) if m in by.index and np.isfinite(
                by.loc[m, "mape"]) else "-")
        cov = by.loc["model", "coverage"] if "model" in by.index else np.nan
        cells.append(format_percent(cov, lang) if np.isfinite(cov) else "-")
        rows.append(cells)
    header = [_t("col_metric", lang), *[_t(m, lang) for m in METHOD_ORDER], _t("coverage", lang)]
    parts.append(pages.text_table(header, rows))
    parts += _rolling_html(bt, lang)
    parts.append(f"<h2>{html.escape(_t('bt_charts', lang))}</h2>")
    caption = (_t("bt_fan_caption", lang) if len(bt.origins) > 1 else
               _t("bt_caption", lang).format(fit_until=bt.fit_until))
    for metric, png in figures.items():
        parts.append(pages.figure_html(png, metric_label(metric, lang, p.scenario), caption))
    parts.append(f"<h2>{html.escape(_t('params', lang))}</h2>")
    prow = [[f"{r['label']} ({r['parameter']})", _num(r["best"], lang),
             f"{_num(r['min'], lang)}-{_num(r['max'], lang)}"]
            for _, r in parameter_summary(bt.calibration).iterrows()]
    parts.append(pages.text_table([_t("col_param", lang), _t("col_best", lang), _t("col_minmax", lang)], prow))
    parts += _not_fitted_html(p, lang)
    method = html.escape(_method_text(bt.calibration, lang))
    parts.append(f"<h2>{html.escape(_t('method', lang))}</h2><p class=note>{method}</p>")
    name = p.scenario.label_in(lang)
    if len(bt.origins) > 1:
        title = _t("bt_rolling_title", lang).format(name=name, origins=", ".join(map(str, bt.origins)),
                                                    horizon=bt.horizon)
    else:
        title = _t("bt_title", lang).format(name=name, fit_until=bt.fit_until,
                                            years=year_span(bt.fit_until + 1, bt.fit_until + bt.horizon))
    return pages.page(title, parts, lang)


def _rolling_html(bt: Backtest, lang: str) -> list[str]:
    """The table per metric and horizon: MAPE, MASE and (the model) its bands' coverage, method by method."""
    p = bt.calibration.problem
    rows = []
    for _, r in bt.rolling.iterrows():
        metric = _t("all", lang) if r["metric"] == "all" else metric_label(r["metric"], lang, p.scenario)
        horizon = _t("all", lang) if r["horizon"] == 0 else str(int(r["horizon"]))
        rows.append([metric, horizon, _t(r["method"], lang), format_percent(r["mape"], lang, 1)
                     if np.isfinite(r["mape"]) else "-", _num(r["mase"], lang),
                     format_percent(r["coverage_50"], lang) if np.isfinite(r["coverage_50"]) else "-",
                     format_percent(r["coverage_90"], lang) if np.isfinite(r["coverage_90"]) else "-", str(r["n"])])
    head = [_t("col_metric", lang), _t("col_horizon", lang), _t("col_method", lang), "MAPE", "MASE", "50 %", "90 %",
            "n"]
    return [f"<h2>{html.escape(_t('bt_rolling', lang))}</h2>", pages.text_table(head, rows),
            f"<p class=note>{html.escape(_t('bt_rolling_note', lang))}</p>"]


def fan_chart(metric: str, history: pd.DataFrame, scored: pd.DataFrame, lang: str, scenario=None) -> bytes:
    """History dots and, from every origin, the model's 50 % and 90 % band (from the value it started at)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    model = scored[(scored["method"] == "model") & (scored["metric"] == metric)]
    h = history[history["metric"] == metric].sort_values("year")
    for i, (origin, rows) in enumerate(model.groupby("origin", sort=True)):
        colour = colours[i % len(colours)]
        rows = rows.sort_values("year")
        start = h[h["year"] <= origin].tail(1)
        if not start.empty:  # the fan starts at the value it was conditioned on
            y0, v0 = int(start["year"].iloc[0]), float(start["value"].iloc[0])
            lead = pd.DataFrame([{"year": y0, "forecast": v0, "p05": v0, "p25": v0, "p75": v0, "p95": v0}])
            rows = pd.concat([lead, rows], ignore_index=True)
        ax.fill_between(rows["year"], rows["p05"], rows["p95"], color=colour, alpha=0.15, lw=0)
        ax.fill_between(rows["year"], rows["p25"], rows["p75"], color=colour, alpha=0.3, lw=0)
        ax.plot(rows["year"], rows["forecast"], color=colour, lw=1.5, label=f"{_t('model', lang)} {origin}")
    return _finish_metric_chart(fig, ax, h, metric, lang, scenario)


def _backtest_band(bt: Backtest, metric: str) -> pd.DataFrame:
    fit = bt.calibration.fit
    fitted = fit[fit["metric"] == metric][["year", "sim_mean", "sim_p05", "sim_p95"]]
    model = bt.scored[(bt.scored["method"] == "model") & (bt.scored["metric"] == metric)]
    future = model.rename(columns={"forecast": "sim_mean", "p05": "sim_p05", "p95": "sim_p95"})[
        ["year", "sim_mean", "sim_p05", "sim_p95"]]
    return pd.concat([fitted, future], ignore_index=True)


def write_backtest_outputs(out: Path, bt: Backtest, lang: str = "en", command: list[str] | None = None,
                           history_file: str | None = None) -> Path:
    """backtest.csv, backtest_summary.csv, fit.csv, not_fitted.csv, posterior.parquet, figures/, report.html and
    manifest.json, all or nothing."""
    p = bt.calibration.problem
    figures = {}
    history = bt.history if bt.history is not None else p.history
    for metric in sorted(set(bt.scored["metric"])):
        if len(bt.origins) > 1:
            figures[metric] = fan_chart(metric, history, bt.scored, lang, scenario=p.scenario)
            continue
        simple = bt.scored[(bt.scored["metric"] == metric) & (bt.scored["method"] != "model")]
        figures[metric] = metric_chart(metric, history, _backtest_band(bt, metric), lang, simple=simple,
                                       fit_until=bt.fit_until, scenario=p.scenario)
    out = Path(out)
    with atomic_directory(out) as tmp:
        scored = bt.scored.copy()
        scored["covered"] = scored["covered"].astype("object").where(scored["covered"].notna(), None)
        scored.to_csv(tmp / "backtest.csv", index=False, float_format="%.6g")
        bt.summary.to_csv(tmp / "backtest_summary.csv", index=False, float_format="%.6g")
        bt.rolling.to_csv(tmp / "backtest_rolling.csv", index=False, float_format="%.6g")
        bt.winners.to_csv(tmp / "backtest_winners.csv", index=False, float_format="%.6g")
        for c in ("covered_50",):
            scored[c] = scored[c].astype("object").where(scored[c].notna(), None)
        bt.calibration.fit.to_csv(tmp / "fit.csv", index=False, float_format="%.6g")
        p.not_fitted.to_csv(tmp / "not_fitted.csv", index=False, float_format="%.6g")
        cal = bt.calibration
        write_frame_parquet(ensemble_for_scenarios(cal), tmp / "posterior.parquet")
        (tmp / "figures").mkdir()
        for m, png in figures.items():
            (tmp / "figures" / f"backtest_{m}.png").write_bytes(png)
        (tmp / "report.html").write_text(backtest_report(bt, lang, figures), encoding="utf-8")
        manifest = _manifest("backtest", cal, command, history_file=history_file, fit_until=bt.fit_until,
                             horizon=bt.horizon, origins=bt.origins,
                             simulations_all_origins=sum(c.simulations for c in bt.calibrations.values()))
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
