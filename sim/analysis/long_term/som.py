"""A user's own export of SØM's knowledge base (Den Socialøkonomiske Investeringsmodel, Social- og
Boligstyrelsen) read into a ``long_term:`` section.

SØM's knowledge base holds, per register-defined target group and success measure, *consequence estimates*:
the yearly difference in a public service's use between those who reach the success measure and those who do
not, followed for up to 10 years (VIVE's documentation of the children's extension, 2018), and *prices* per
unit of each service to kommune, region and stat, after refunds (SØM's price documentation). The knowledge
base lives inside SØM's Excel workbook; SØM publishes no machine-readable file format, so what this reads is
an assumption, stated in docs/long-term.md and tested on constructed files:

- consequences: one row per target group, success measure and consequence, columns ``Målgruppe``,
  ``Succesmål``, ``Konsekvens``, ``Enhed`` and ``År 1`` ... ``År N`` (the difference per person and year,
  success minus no success; a blank year is no estimate, read as 0);
- prices: one row per consequence, columns ``Konsekvens``, ``Enhed``, then ``Kommune``, ``Region`` and
  ``Stat`` (DKK per unit; a blank is no price for that actor), and optionally ``Prisår``.

Either as a CSV file (``;`` or ``,`` separated, decimal comma or point, as Danish Excel saves it) or as a
sheet of an .xlsx workbook (sheets ``Konsekvenser`` and ``Priser``). English column names (target_group,
success, consequence, unit, year_1 ..., municipality/kommune, region, state/stat, price_year) are read too.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.model.scenario import ACTORS

CONSEQUENCE_COLUMNS = {"målgruppe": "target_group", "target_group": "target_group", "succesmål": "success",
                       "success": "success", "konsekvens": "consequence", "consequence": "consequence",
                       "enhed": "unit", "unit": "unit"}
PRICE_COLUMNS = {"konsekvens": "consequence", "consequence": "consequence", "enhed": "unit", "unit": "unit",
                 "kommune": "kommune", "municipality": "kommune", "region": "region", "stat": "stat",
                 "state": "stat", "prisår": "price_year", "price_year": "price_year"}
YEAR = re.compile(r"^(?:år|year)[ _]?(\d{1,2})$", re.IGNORECASE)
THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
SHEETS = {"consequences": "Konsekvenser", "prices": "Priser"}


def _read(path: Path, kind: str) -> pd.DataFrame:
    """The file as text cells (a CSV with its separator sniffed, or the kind's sheet of a workbook)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=SHEETS[kind], dtype=str)
        return pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except ValueError as e:  # a missing sheet, an unreadable CSV
        raise InputError(f"{path}: not a SØM {kind} export ({e})") from None


def _renamed(frame: pd.DataFrame, names: dict[str, str], path: Path, kind: str,
             needed: tuple[str, ...]) -> pd.DataFrame:
    out = frame.rename(columns=lambda c: names.get(str(c).strip().lower(), str(c).strip()))
    missing = [c for c in needed if c not in out.columns]
    if missing:
        raise InputError(f"{path}: a SØM {kind} export needs the column(s) {', '.join(missing)} "
                         f"(found: {', '.join(map(str, frame.columns))}; docs/long-term.md describes the format)")
    return out


def danish_number(cell, path: Path, where: str) -> float:
    """A cell as a number: '1.234,5', '1.200' (Danish thousands), '1234.5', '-12', blank = 0; InputError naming
    the cell otherwise."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or str(cell).strip() in ("", "-"):
        return 0.0
    text = str(cell).strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if "," in text or THOUSANDS.match(text):  # Danish: 1.234,5 and 1.200 (a point then three digits: thousands)
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{path}: {where}: '{cell}' is not a number") from None


def read_som_consequences(path: str | Path) -> pd.DataFrame:
    """Consequence estimates as rows ``target_group, success, consequence, unit, year_after, difference``."""
    path = Path(path)
    frame = _renamed(_read(path, "consequences"), CONSEQUENCE_COLUMNS, path, "consequences",
                     ("target_group", "success", "consequence"))
    years = {c: int(m.group(1)) for c in frame.columns if (m := YEAR.match(str(c)))}
    if not years:
        raise InputError(f"{path}: a SØM consequences export needs yearly columns 'År 1', 'År 2', ... "
                         f"(found: {', '.join(map(str, frame.columns))})")
    if "unit" not in frame.columns:
        frame["unit"] = ""
    rows = []
    for i, row in frame.iterrows():
        for col, year in sorted(years.items(), key=lambda kv: kv[1]):
            where = f"row {i + 2}, column '{col}'"
            rows.append((str(row["target_group"]).strip(), str(row["success"]).strip(),
                         str(row["consequence"]).strip(), str(row["unit"] or "").strip(), year,
                         danish_number(row[col], path, where)))
    return pd.DataFrame(rows, columns=["target_group", "success", "consequence", "unit", "year_after", "difference"])


def read_som_prices(path: str | Path) -> pd.DataFrame:
    """Prices as rows ``consequence, unit, actor, price_dkk, price_year`` (a blank price: no row)."""
    path = Path(path)
    frame = _renamed(_read(path, "prices"), PRICE_COLUMNS, path, "prices", ("consequence",))
    actors = [a for a in ACTORS if a in frame.columns]
    if not actors:
        raise InputError(f"{path}: a SØM prices export needs at least one of the columns Kommune, Region, Stat")
    rows = []
    for i, row in frame.iterrows():
        year = row.get("price_year")
        year = int(danish_number(year, path, f"row {i + 2}, column 'Prisår'")) or None if year is not None else None
        for actor in actors:
            cell = row[actor]
            if cell is None or pd.isna(cell) or str(cell).strip() in ("", "-"):
                continue
            price = danish_number(cell, path, f"row {i + 2}, column '{actor}'")
            if price < 0:
                raise InputError(f"{path}: row {i + 2}: the price to {actor} is negative ({price:g}); a price is "
                                 "what one unit costs the actor")
            rows.append((str(row["consequence"]).strip(), str(row.get("unit") or "").strip(), actor, price, year))
    return pd.DataFrame(rows, columns=["consequence", "unit", "actor", "price_dkk", "price_year"])


def slug(text: str) -> str:
    """An id from a consequence's name: lower-case ASCII letters, digits and _ (æ -> ae, ø -> oe, å -> aa)."""
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", text)).strip("_") or "x"


def long_term_from_som(consequences: pd.DataFrame, prices: pd.DataFrame, target_group: str, success: str,
                       metric: str, units_per_success: float = -1.0, steps: tuple[str, ...] = (),
                       step_kind: str | None = None, grade: str = "register", source: str = "") -> dict:
    """A ``long_term:`` mapping (profiles, prices, price_year) from one target group and success measure.

    SØM's difference is per person who reaches the success measure; ``units_per_success`` says how many
    successes one unit of the run's quantity ``metric`` is: -1 when one more unit (a child-year in care, a
    breakdown) is one success fewer. Each consequence becomes a profile priced by the consequence's price row;
    a consequence without a price is refused (SØM prices every consequence it estimates)."""
    mine = consequences[(consequences["target_group"] == target_group) & (consequences["success"] == success)]
    if mine.empty:
        groups = sorted(set(zip(consequences["target_group"], consequences["success"])))
        raise InputError(f"no consequences for target group '{target_group}' and success '{success}' "
                         f"(the export has: {'; '.join(f'{g} / {s}' for g, s in groups[:10])})")
    source = source or f"SØM's knowledge base (user's export): {target_group} / {success}"
    profiles, used = [], []
    for name, rows in mine.groupby("consequence", sort=False):
        rows = rows.sort_values("year_after")
        units = [0.0] * int(rows["year_after"].max())
        for year, diff in zip(rows["year_after"], rows["difference"]):
            units[int(year) - 1] = float(diff) * units_per_success
        profile = {"id": f"som_{slug(name)}", "metric": metric, "service": name, "units_per_year": units,
                   "grade": grade, "source": source, "label_en": name, "label_da": name}
        if steps:
            profile["steps"] = list(steps)
        if step_kind:
            profile["step_kind"] = step_kind
        profiles.append(profile)
        used.append(name)
    priced, years = [], set()
    for name in used:
        rows = prices[prices["consequence"] == name]
        if rows.empty:
            raise InputError(f"the consequence '{name}' has no price in the prices export")
        years.update(y for y in rows["price_year"] if y is not None and not pd.isna(y))
        priced.append({"service": name, "unit": str(rows["unit"].iloc[0]),
                       "dkk": {a: float(p) for a, p in zip(rows["actor"], rows["price_dkk"])},
                       "grade": grade, "source": f"SØM's knowledge base (user's export): prices, {name}"})
    out: dict = {"profiles": profiles, "prices": priced}
    if len(years) == 1:
        out["price_year"] = int(next(iter(years)))
    return out
