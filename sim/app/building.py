"""Building a scenario from what a municipality knows and the policies it considers: plain functions on the
resolved scenario mapping (no Streamlit), so each page's logic is tested without a browser.

A scenario in the app is a resolved mapping (``extends:`` applied, as ``sim.model.scenario.resolve_raw``
gives it); it is validated by the same function the CLI's loader uses, so a bad value gets the same message
(file, key path, reason).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sim.errors import ScenarioError
from sim.model.keypaths import set_path
from sim.model.scenario import (
    Scenario,
    load_scenario,
    merge_mapping,
    problem_line,
    read_yaml,
    resolve_raw,
    scenario_from_mapping,
    scenario_to_yaml,
)
from sim.model.scenario.numbers import check_range, read_number
from sim.model.scenario.schema import NAME_PATTERN
from sim.outputs.labels import source_caption

# the app runs from the project's folder layout (an editable install): the shipped scenarios and facts
PROJECT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = PROJECT / "scenarios"
FACTS = PROJECT / "calibration" / "facts.csv"
AVERAGE = SCENARIOS / "baseline.yaml"
DENMARK = SCENARIOS / "denmark.yaml"
NOT_POLICIES = {"baseline", "denmark", "sensitivity"}  # shipped files that are municipalities or set-ups
# where the app saves scenarios: the user's own folder, never inside the code's checkout
USER_FOLDER = Path.home() / "boernesim" / "scenarios"

# the settings a municipality knows (besides prices per step and budgets)
MUNICIPALITY_FIELDS = (
    "population.aged_0_17",
    "population.aged_0_22",
    "population.growth_per_year",
    "caseworkers.fte",
    "caseworkers.cost_per_fte_dkk",
    "notifications.per_1000_aged_0_17",
    "notifications.trend_per_year",
)



@dataclass(frozen=True)
class Typed:
    """How a field reads what is typed in it: the kind of number (``sim.model.scenario.numbers``) and its
    floor; a ``plausible`` floor catches a number typed a thousand times too small (0 stays: it means none)."""

    kind: str
    low: float | None = None
    plausible: bool = False


# the floors are plausibility checks, far below any real value; the ranges are the scenario format's (the same
# check and message as the command line's)
TYPED_FIELDS: dict[str, Typed] = {
    "population.aged_0_17": Typed("count"),
    "population.aged_0_22": Typed("count"),
    "population.growth_per_year": Typed("number"),
    "caseworkers.fte": Typed("quantity"),
    # a caseworker's salary with pension alone is about 460,000 DKK (facts: cost_caseworker_fte_with_overhead)
    "caseworkers.cost_per_fte_dkk": Typed("money", 100_000, plausible=True),
    "notifications.per_1000_aged_0_17": Typed("number"),
    "notifications.trend_per_year": Typed("number"),
}
# the cheapest shipped step costs 40,000 DKK a year (baseline.yaml, early); a price below 1,000 is a typo
STEP_PRICE = Typed("money", 1_000, plausible=True)
# the smallest municipality spends millions a year on the area; 0 means no budget for the year
BUDGET = Typed("money", 1_000_000, plausible=True)
COST = Typed("money", 1_000, plausible=True)  # a lever's one-off or yearly cost: 0 (none) or at least 1,000 DKK


def typed_of(path: str) -> Typed:
    """How the Municipality page's field at ``path`` reads a typed number."""
    if path.startswith("staircase."):
        return STEP_PRICE
    if path.startswith("budget_dkk."):
        return BUDGET
    return TYPED_FIELDS[path]


def read_typed(text: str, typed: Typed) -> float:
    """The number typed in a field, or NumberTextError (its ``message(lang)`` says why in either language)."""
    value = read_number(text, typed.kind)
    return check_range(value, typed.low, plausible=typed.plausible, shown=" ".join(str(text).split()))


# ---------------------------------------------------------------- sources beside the numbers

_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z0-9_\"'.-]+):(?P<rest>.*)$")


def _split_comment(rest: str) -> tuple[str, str]:
    """(value, comment) of what follows ``key:``; a # inside quotes is part of the value."""
    quote = None
    for i, ch in enumerate(rest):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote == ch else ch
        elif ch == "#" and quote is None and (i == 0 or rest[i - 1].isspace()):
            return rest[:i].strip(), rest[i + 1 :].strip()
    return rest.strip(), ""


def comments_of(text: str) -> dict[str, str]:
    """The comment beside each number of a YAML text, by dotted key path (list items by their id or level,
    as ``sim.model.keypaths`` addresses them): where the scenario files give each number's source."""
    return {path: comment for _, path, value, comment in _keyed_lines(text) if comment and value}


def with_comments(text: str, sources: dict[str, str]) -> str:
    """The YAML text with each number's source comment beside it (a line that has a value and no comment)."""
    lines = text.splitlines()
    for i, path, value, comment in _keyed_lines(text):
        source = " ".join(sources.get(path, "").split())
        if source and value and not comment and not value.startswith(("|", ">")):
            lines[i] = f"{lines[i]}  # {source}"
    return "\n".join(lines) + "\n"


def _keyed_lines(text: str):
    """(line number, dotted key path, value, comment) of each ``key: value`` line of a YAML text."""
    stack: list[tuple[int, str, bool]] = []  # (indent, key, a list item?) of the mappings the line is in
    for number, line in enumerate(text.splitlines()):
        m = _KEY.match(line)
        if not m or line.lstrip().startswith("#"):
            continue
        indent = len(m["indent"])
        key = m["key"].strip("\"'")
        value, comment = _split_comment(m["rest"])
        if m["dash"]:
            # a list item: named by its id (or level) so that the path reads like a key path; its dash may
            # stand under its list's key (as PyYAML writes it) or indented
            while stack and (stack[-1][0] > indent or (stack[-1][0] == indent and stack[-1][2])):
                stack.pop()
            stack.append((indent, value.strip("\"'") if key in ("id", "level") else key, True))
            indent += len(m["dash"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k, _ in stack] + [key])
        yield number, path, value, comment
        stack.append((indent, key, False))


def file_chain(path: Path) -> list[Path]:
    """The file and those it extends, the most basic first."""
    chain = [path.resolve()]
    while True:
        parent = read_yaml(chain[0]).get("extends")
        if not isinstance(parent, str):
            return chain
        chain.insert(0, (chain[0].parent / parent).resolve())


def sources_of(path: Path) -> dict[str, str]:
    """Each key path's source comment, the file that sets the number last winning (as ``extends:`` does)."""
    out: dict[str, str] = {}
    for f in file_chain(path):
        out.update(comments_of(f.read_text(encoding="utf-8")))
    return out


def source_shown(start: Start, path: str, facts: dict[str, list[dict]], lang: str) -> str | None:
    """The source beside a field, whole and in the language for the shipped starting points; a user's own file
    shows its comment with the public sources of the facts it cites; None without any."""
    if path in start.captions:
        return start.captions[path][1 if lang == "da" else 0]
    if start.file in (AVERAGE, DENMARK) and source_caption(path, lang):
        return source_caption(path, lang)
    comment = start.sources.get(path)
    return explain_source(comment, facts) if comment else None


def read_facts(path: Path = FACTS) -> dict[str, list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_key: dict[str, list[dict]] = {}
    for r in rows:
        by_key.setdefault(r["key"], []).append(r)
    return by_key


def explain_source(comment: str, facts: dict[str, list[dict]]) -> str:
    """The comment, with the public source of each ``facts: key`` it cites from calibration/facts.csv."""
    cited = []
    for key in re.findall(r"facts:\s*([a-z0-9_]+)", comment):
        for row in facts.get(key, [])[:1]:
            cited.append(f"{key} = {row['value']} {row['unit']} ({row['year']}): {row['source']}")
    return comment + ("\n" + "\n".join(cited) if cited else "")


# ---------------------------------------------------------------- starting points


@dataclass
class Start:
    """A scenario mapping to start from, the file it came from, and each number's source."""

    raw: dict
    file: Path
    sources: dict[str, str]
    captions: dict[str, tuple[str, str]] = field(default_factory=dict)  # (en, da) the start sets itself


def start_average() -> Start:
    return Start(resolve_raw(AVERAGE), AVERAGE, sources_of(AVERAGE))


# the app's own names for what the user makes, by language (a scenario name: letters, digits, - _ .)
DEFAULT_NAMES = {"municipality": ("municipality", "kommune"), "policy": ("policy", "politik")}
DEFAULT_LABELS = {"municipality": ("Your municipality", "Jeres kommune")}


def default_name(kind: str, lang: str = "en") -> str:
    """The name the app gives what the user makes ('municipality' / 'kommune'), in the chosen language."""
    return DEFAULT_NAMES[kind][1 if lang == "da" else 0]


def start_scaled(children_0_17: int, lang: str = "en") -> Start:
    """Denmark scaled to a municipality: rates per 1,000 children, prices and caseload stay the same."""
    raw = resolve_raw(DENMARK)
    factor = children_0_17 / raw["population"]["aged_0_17"]
    raw["name"] = default_name("municipality", lang)
    en, da = DEFAULT_LABELS["municipality"]
    raw["label"] = {"en": en, "da": da}
    raw["description"] = {"en": f"All of Denmark scaled to {children_0_17:,} children aged 0-17",
                          "da": f"Hele Danmark skaleret til {children_0_17:,} børn i alderen 0-17 år".replace(",", ".")}
    raw["population"]["aged_0_17"] = int(children_0_17)
    raw["population"]["aged_0_22"] = int(round(raw["population"]["aged_0_22"] * factor))
    raw["caseworkers"]["fte"] = round(raw["caseworkers"]["fte"] * factor, 1)
    sources = sources_of(DENMARK)
    why = f"denmark.yaml x {factor:.4g} (the same caseload and rates per child)"
    for key in ("population.aged_0_22", "caseworkers.fte"):
        sources[key] = f"{why}; {sources.get(key, '')}".rstrip("; ")
    sources["population.aged_0_17"] = "entered by the user"
    scaled = (f"All of Denmark's number times {factor:.4g}, the share of Denmark's children you entered (the same "
              "caseload and rates per child).",
              f"Hele Danmarks tal ganget med {factor:.4g}".replace(".", ",") + ", jeres andel af Danmarks børn (samme "
              "sagstal og satser pr. barn).")
    captions = {"population.aged_0_17": ("Entered by you.", "Indtastet af jer."),
                "population.aged_0_22": scaled, "caseworkers.fte": scaled}
    return Start(raw, DENMARK, sources, captions)


def start_file(path: str | Path) -> Start:
    """A scenario or calibrated file (``calibrated.yaml`` extends its input, so its numbers keep their sources).
    Raises ScenarioError as ``boernesim validate`` does."""
    path = Path(path)
    raw = resolve_raw(path)
    scenario_from_mapping(copy.deepcopy(raw), str(path))  # refuse a broken file before anyone edits it
    return Start(raw, path, sources_of(path))


# ---------------------------------------------------------------- settings and validation


def step_ids(raw: dict) -> list[str]:
    return [s["id"] for s in raw.get("staircase", [])]


def settings_of(raw: dict) -> dict[str, float]:
    """The numbers the Municipality page shows: its fields, the price of each step and the budget per year."""
    out = {}
    for path in MUNICIPALITY_FIELDS:
        section, key = path.split(".")
        out[path] = raw[section][key]
    for s in raw["staircase"]:
        out[f"staircase.{s['id']}.price_per_year_dkk"] = s["price_per_year_dkk"]
    for year in projected_years(raw):
        out[f"budget_dkk.{year}"] = float((raw.get("budget_dkk") or {}).get(year, 0.0))
    return out


def projected_years(raw: dict) -> list[int]:
    cal = raw["calendar"]
    return list(range(cal["start_year"], cal["start_year"] + cal["horizon_years"]))


def with_settings(raw: dict, values: dict[str, float], name: str | None = None) -> dict:
    """A copy of the mapping with the page's values in it (a budget of 0 means none for that year)."""
    out = copy.deepcopy(raw)
    budget = dict(out.get("budget_dkk") or {})
    for path, value in values.items():
        if path.startswith("budget_dkk."):
            year = int(path.split(".")[1])
            if value:
                budget[year] = value
            else:
                budget.pop(year, None)
        else:
            set_path(out, path, value)
    out["budget_dkk"] = budget
    if name is not None:
        renamed(out, name)
    return out


def renamed(raw: dict, name: str) -> dict:
    """The mapping under a new name; a label and description said what the old name was, so they go with it
    (as ``extends:`` does not pass them on)."""
    if raw.get("name") != name:
        raw.pop("label", None)
        raw.pop("description", None)
    raw["name"] = name
    return raw


@dataclass
class Checked:
    """A mapping checked as the CLI checks a file: the scenario, or the problems (key path, reason) and the
    message the CLI would print."""

    scenario: Scenario | None
    problems: list[tuple[str, str]]
    message: str = ""


def file_name(raw: dict) -> str:
    """What the scenario is called in messages: the YAML file it is downloaded and saved as."""
    return f"{raw.get('name') or 'scenario'}.yaml"


def check(raw: dict) -> Checked:
    try:
        return Checked(scenario_from_mapping(copy.deepcopy(raw), file_name(raw)), [])
    except ScenarioError as e:
        return Checked(None, list(e.problems), str(e))


def display_path(raw: dict, path: str) -> str:
    """A dotted key path as the CLI's messages write it (``staircase[4] (foster_family).price_per_year_dkk``)."""
    parts = path.split(".")
    if parts[0] == "staircase" and len(parts) == 3:
        i = step_ids(raw).index(parts[1])
        return f"staircase[{i}] ({parts[1]}).{parts[2]}"
    return path


def problems_at(raw: dict, path: str, problems: list[tuple[str, str]], file: str, lang: str = "en") -> list[str]:
    """The lines (key: reason, the reason in the chosen language) about one field, to show next to it; the file
    name is left out: the app's user made no file."""
    shown = display_path(raw, path)
    return [problem_line(where, reason, lang) for where, reason in problems
            if where == shown or where.startswith(shown + ".") or where.startswith(shown + "[")]


def problem_lines(problems: list[tuple[str, str]], lang: str) -> list[str]:
    """Every problem as a line (key: reason in the chosen language), without the file name."""
    return [problem_line(where, reason, lang) for where, reason in problems]


def scenario_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML that ``boernesim run`` accepts unchanged."""
    return scenario_to_yaml(scenario)


# ---------------------------------------------------------------- policies


@dataclass(frozen=True)
class LeverOption:
    """A lever the Policies page offers: the setting it changes (``{step}`` for a chosen step), the text
    key of its label and sentence, and the range of its input."""

    key: str
    setting: str
    low: float
    high: float
    step: float
    on_step: bool = False
    typed: Typed = Typed("number")  # how its new value is read when typed


LEVER_OPTIONS: tuple[LeverOption, ...] = (
    LeverOption("caseworkers", "caseworkers.fte", 0.0, 100000.0, 1.0, typed=Typed("quantity")),
    LeverOption("reviews", "reviews.interval_months", 1.0, 24.0, 1.0),
    LeverOption("kinship", "staircase.kinship_care.uptake_share", 0.0, 1.0, 0.05),
    LeverOption("diversion", "diversion.share", 0.0, 1.0, 0.05),
    LeverOption("intake", "screening.share_closed_after_advice", 0.0, 1.0, 0.05),
    LeverOption("limited", "time_limited_stays.success_share", 0.0, 1.0, 0.05),
    LeverOption("price", "staircase.{step}.price_per_year_dkk", 0.0, 1e8, 10000.0, on_step=True, typed=STEP_PRICE),
    LeverOption("capacity", "staircase.{step}.capacity", 0.0, 1e6, 1.0, on_step=True, typed=Typed("count")),
)
LEVERS = {o.key: o for o in LEVER_OPTIONS}


def lever_typed(option: LeverOption, change: str) -> Typed:
    """How a lever's input reads a typed number: a new value as its setting, an amount without a floor, a
    factor as a plain number."""
    if change == "value":
        return option.typed
    if change == "by":
        return Typed(option.typed.kind)
    return Typed("number")


@dataclass(frozen=True)
class LeverChoice:
    """One lever as the user set it: ``value`` is the new value (``change`` "value"), the amount (``by``) or
    the factor (``times``)."""

    key: str
    value: float
    start: dt.date
    ramp_months: float = 0.0
    one_off_dkk: float = 0.0
    per_year_dkk: float = 0.0
    step: str | None = None
    change: str = "value"  # value | by | times, as a lever in a scenario file

    def as_lever(self) -> dict:
        """The entry under ``levers:`` of a scenario file."""
        setting = LEVERS[self.key].setting.format(step=self.step)
        return {"setting": setting, self.change: float(self.value), "start": self.start.isoformat(),
                "ramp_months": float(self.ramp_months), "label": self.key,
                "one_off_dkk": float(self.one_off_dkk), "per_year_dkk": float(self.per_year_dkk)}


def current_value(raw: dict, option: LeverOption, step: str | None = None) -> float:
    """The setting's value in the scenario now (the lever's starting point); 0 for an unset capacity."""
    node = raw
    for part in option.setting.format(step=step).split("."):
        if isinstance(node, list):
            node = next(x for x in node if x.get("id") == part)
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return float(node) if isinstance(node, (int, float)) else 0.0


def composed(raw: dict, choices: list[LeverChoice], name: str) -> dict:
    """The municipality's scenario with the chosen levers added: the same mapping a YAML file with
    ``levers:`` gives."""
    out = renamed(copy.deepcopy(raw), name)
    out["levers"] = [*out.get("levers", []), *(c.as_lever() for c in choices)]
    return out


def shipped_policies() -> dict[str, Path]:
    """The shipped policy scenarios by name."""
    return {p.stem: p for p in sorted(SCENARIOS.glob("*.yaml")) if p.stem not in NOT_POLICIES}


def policy_overrides(path: Path) -> dict:
    """What a shipped policy sets over the baseline it extends (its own keys, not the baseline's)."""
    own = read_yaml(path)
    own.pop("extends", None)
    return own


def with_policy(raw: dict, path: Path) -> dict:
    """A shipped policy laid over the user's municipality, as if its file extended the municipality's."""
    return merge_mapping(copy.deepcopy(raw), policy_overrides(path))


def policy_description(path: Path, lang: str = "en") -> str:
    """A shipped policy's description in the chosen language (one text is shown in either)."""
    description = read_yaml(path).get("description", "")
    if isinstance(description, dict):
        return str(description.get(lang) or description.get("en", ""))
    return str(description)


def policy_label(path: Path, lang: str = "en") -> str:
    """A shipped policy's label in the chosen language (its ``label:``), else its file's name."""
    return raw_label(read_yaml(path) | {"name": path.stem}, lang)


def raw_label(raw: dict, lang: str = "en") -> str:
    """A scenario mapping's label in the chosen language (``label: {en, da}`` or one text), else its name."""
    label = raw.get("label")
    if isinstance(label, dict):
        return str(label.get(lang) or label.get("en") or raw.get("name", ""))
    return str(label) if label else str(raw.get("name", ""))


def policy_caveats(path: Path, lang: str) -> list[str]:
    """A shipped policy's caveats in the chosen language (as the answer will print them beside its number)."""
    return [c.text(lang) for c in load_scenario(path).caveats]


# ---------------------------------------------------------------- saved scenarios

NAME = re.compile(NAME_PATTERN)


def good_name(name: str) -> bool:
    """A name a scenario and its file may have (æ, ø, å too); not a hidden file."""
    return bool(NAME.match(name)) and not name.startswith(".")


def save_scenario(scenario: Scenario, folder: Path, name: str, sources: dict[str, str] | None = None) -> Path:
    """Write the scenario as ``folder/name.yaml`` (the resolved scenario, named ``name``), each number's
    source comment beside it where ``sources`` gives one."""
    if not good_name(name):
        raise ValueError(name)
    folder.mkdir(parents=True, exist_ok=True)
    raw = renamed(yaml.safe_load(scenario_to_yaml(scenario)), name)
    target = folder / f"{name}.yaml"
    tmp = folder / f".{name}.yaml.tmp"
    text = with_comments(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=1000), sources or {})
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)  # a half-written file never replaces a good one
    return target


def saved_scenarios(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def duplicate_scenario(path: Path, name: str) -> Path:
    return save_scenario(load_scenario(path), path.parent, name, sources_of(path))
