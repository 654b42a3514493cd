"""The report a finance officer opens: a self-contained HTML page, its figures as PNG, and a workbook.

``write_report`` writes ``report.html`` (every figure embedded as a base64 PNG, no external resources) and
the same figures under ``figures/``. For a comparison it opens with one line per alternative (the net saving
in present value with its band, the chance of a saving, the change for the children that matters most, a
warning marker), then what happens to the children and the investment table; each alternative's answer in full
(how many runs in ten pay back, the break-even year, what it rests on, its caveats) follows, folded. A single
run opens with its projected cost and its band. Then fan charts, the staircase over time,
a waterfall of where the cost difference comes from, the key tables, and the assumptions in an appendix.

``write_workbook`` writes ``results.xlsx``: for the reader, sheets in the chosen language (names, headers,
labels, rounded values, the caveats and kinship warnings, an explanation of each column); for scripts, hidden
sheets ``summary``, ``comparison``, ``economics`` (and ``assumption_effects``, ``forecast``, ``caveats``,
``columns``) with the same names and ids in both languages and unrounded values.

The comparison tables are docs/contract.md's: ``comparison`` has columns
``scenario,baseline,year,metric,diff_mean,diff_p05,diff_p50,diff_p95`` (alternative minus baseline, paired
over replications) and ``economics`` has ``scenario,baseline,discount_rate,npv_dkk,npv_p05_dkk,
npv_p95_dkk,break_even_year,cost_per_placement_avoided_dkk,prob_net_saving,...`` (npv of the net saving,
baseline cost minus alternative cost: positive means the alternative saves money).

By job: ``answer_line`` (the first screen's one line per policy, which the app shows too), ``charts``
(the figures), ``words`` (the answer in plain words, which the app shows too), ``tables``,
``forecast`` (the year-end forecast's section), ``workbook`` (results.xlsx), ``page`` (report.html, one builder
per section), ``formats`` (numbers as the report writes them), ``long_term`` (the box beyond the municipality's
budget). Everything is importable from here.
"""

from sim.outputs.report.answer_line import AnswerLine, answer_lines
from sim.outputs.report.charts import (
    DPI,
    SCENARIO_COLOURS,
    caseworker_time_chart,
    fan_chart,
    forecast_moves_chart,
    npv_chart,
    staircase_chart,
    waterfall_chart,
    waterfall_items,
)
from sim.outputs.report.forecast import forecast_section
from sim.outputs.report.formats import format_difference, format_metric
from sim.outputs.report.long_term import long_term_box, long_term_display, long_term_grades, long_term_notes
from sim.outputs.report.outcomes import outcomes_display, outcomes_html
from sim.outputs.report.page import FAN_METRICS, SECTIONS, write_report
from sim.outputs.report.tables import (
    KEY_METRICS,
    RESTS_ON_ROWS,
    economics_display,
    key_table,
    price_year_of,
    rests_on_display,
    rests_on_section,
)
from sim.outputs.report.words import (
    assumption_label,
    economics_sentence,
    held_assumptions_note,
    lead_sentences,
    precision_sentence,
    prices_note,
    rests_on_sentence,
    runs_of_ten,
)
from sim.outputs.report.workbook import SHEETS, write_workbook

__all__ = [
    "DPI", "FAN_METRICS", "KEY_METRICS", "RESTS_ON_ROWS", "SCENARIO_COLOURS", "SECTIONS", "SHEETS",
    "assumption_label", "caseworker_time_chart", "economics_display", "economics_sentence", "fan_chart",
    "forecast_moves_chart", "forecast_section", "format_difference", "format_metric", "held_assumptions_note",
    "key_table", "lead_sentences", "long_term_box", "long_term_display", "long_term_grades", "long_term_notes",
    "npv_chart", "precision_sentence", "price_year_of", "prices_note",
    "rests_on_display", "rests_on_section", "rests_on_sentence", "runs_of_ten", "staircase_chart",
    "waterfall_chart", "waterfall_items", "write_report", "write_workbook", "outcomes_display", "outcomes_html",
    "AnswerLine", "answer_lines",
]
