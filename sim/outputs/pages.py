"""The toolkit of every HTML page the tool writes: one style, figures embedded as PNG, tables, the page.

Every page is self-contained (no external resources), so a report can be mailed or archived as one file.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1040px;
margin:2em auto;padding:0 1.2em;color:#1d1d1d;line-height:1.45}
h1{font-size:1.6em;margin-bottom:0.4em}h2{margin-top:1.8em;border-bottom:2px solid #dde3ea;padding-bottom:0.2em}
table{border-collapse:collapse;font-size:0.86em;margin:0.8em 0 1.6em 0}
caption{caption-side:bottom;text-align:left;font-size:0.9em;color:#555;padding-top:0.4em}
td,th{border:1px solid #cfd6de;padding:4px 7px;text-align:right;vertical-align:top}
th[scope=row]{text-align:left;font-weight:normal}thead th{background:#f0f3f7}
td small{color:#666;font-size:0.85em}
table.wide{width:100%}
figure{margin:1.2em 0 2em 0}figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:0.9em;color:#555;margin-top:0.3em}
pre{background:#f5f5f5;padding:1em;font-size:0.78em;overflow-x:auto}
.lead{font-size:1.15em;background:#eef4fb;padding:0.9em 1em;border-left:5px solid #0072B2}
.lead span{display:block;margin:0.2em 0}
.note{color:#444;font-size:0.95em}
"""


MINUS = "\u2212"  # the typographic minus sign (as sim.outputs.labels writes it)


class NumberTicks(mticker.Formatter):
    """Tick labels in the page's language: thousands separators, decimal comma in Danish (1.234,5), as many
    decimals as the tick spacing needs (2.5-steps get one), values divided by ``scale`` (1e6 for money in
    millions, named in the axis label), or percent."""

    def __init__(self, lang: str, scale: float = 1.0, percent: bool = False):
        self.lang, self.scale, self.percent = lang, scale, percent
        self._ticks: list[float] = []

    def set_locs(self, locs):
        self._ticks = [float(v) for v in locs]

    def __call__(self, x, pos=None):
        factor = 100.0 if self.percent else 1.0 / self.scale
        locs = [v * factor for v in self._ticks] or [x * factor]
        decimals = 0
        while decimals < 3 and any(abs(v - round(v, decimals)) > 1e-6 * max(1.0, abs(v)) for v in locs):
            decimals += 1
        s = f"{x * factor:,.{decimals}f}"
        if s.lstrip("-").strip("0.,") == "":
            s = s.lstrip("-")
        elif s.startswith("-"):
            s = MINUS + s[1:]
        if self.lang == "da":
            s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return s + (" %" if self.percent else "")


def localise_axes(fig, lang: str) -> None:
    """Every value axis still on matplotlib's default formatter (which writes 0.8 and 100,000,000 or an offset
    such as 1e8) gets the language's number format; year axes and axes formatted on purpose keep theirs."""
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is mticker.ScalarFormatter:
                axis.set_major_formatter(NumberTicks(lang))


def png(fig, dpi: float | None = None, lang: str | None = None) -> bytes:
    """A matplotlib figure as PNG bytes (white background, tight box); the figure is closed. With ``lang``,
    axes left on matplotlib's default number format get the language's (``localise_axes``)."""
    if lang is not None:
        localise_axes(fig, lang)
    buf = io.BytesIO()
    options = {"dpi": dpi} if dpi is not None else {}
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.15, facecolor="white", **options)
    plt.close(fig)
    return buf.getvalue()


def year_axis(ax, nbins: int = 10) -> None:
    """Whole years on the x axis, without thousands separators."""
    ax.xaxis.set_major_locator(mticker.MaxNLocator(nbins=nbins, integer=True))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{int(round(v))}"))


def figure_html(png_bytes: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png_bytes).decode()
    return (
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of plain texts (escaped here); the first cell of a row is its header."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(
        f"<th scope=row>{html.escape(c)}</th>" if i == 0 else f"<td>{html.escape(c)}</td>" for i, c in enumerate(r))
        + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def lead_paragraph(sentences: Sequence[str]) -> str:
    """The answer in plain words, one sentence a line, at the top of a page."""
    return "<p class='lead'>" + "".join(f"<span>{html.escape(s)}</span>" for s in sentences) + "</p>"


def page(title: str, parts: Sequence[str], lang: str) -> str:
    """A whole page: the title as heading, then the parts (HTML already)."""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n" + "\n".join(parts) + "\n</body></html>\n")
