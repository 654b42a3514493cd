"""Why a scenario is refused, in the user's language: every reason ``validate`` gives (pydantic's by its error
type, the format's own checks by their wording) as a Danish sentence. The key path stays as it is; the reason is
translated here, in one place, so that the command line, the app and the reports say the same thing.

``reason_in(reason, "da")`` takes the English reason a ``ScenarioError`` carries and gives the Danish sentence;
a reason with no Danish form yet is returned in English rather than lost."""

from __future__ import annotations

import re

# pydantic's English message of each error type the scenario format can raise (its templates; {name} catches a
# value) and the Danish sentence for it
PYDANTIC = {
    "greater_than_equal": ("Input should be greater than or equal to {ge}", "skal være mindst {ge}"),
    "greater_than": ("Input should be greater than {gt}", "skal være større end {gt}"),
    "less_than_equal": ("Input should be less than or equal to {le}", "må højst være {le}"),
    "less_than": ("Input should be less than {lt}", "skal være mindre end {lt}"),
    "finite_number": ("Input should be a finite number", "skal være et endeligt tal"),
    "float_parsing": ("Input should be a valid number, unable to parse string as a number", "skal være et tal"),
    "float_type": ("Input should be a valid number", "skal være et tal"),
    "int_parsing": ("Input should be a valid integer, unable to parse string as an integer",
                    "skal være et helt tal"),
    "int_from_float": ("Input should be a valid integer, got a number with a fractional part",
                       "skal være et helt tal (uden decimaler)"),
    "int_type": ("Input should be a valid integer", "skal være et helt tal"),
    "bool_parsing": ("Input should be a valid boolean, unable to interpret input",
                     "skal være ja eller nej (true/false)"),
    "bool_type": ("Input should be a valid boolean", "skal være ja eller nej (true/false)"),
    "string_type": ("Input should be a valid string", "skal være en tekst"),
    "string_too_short": ("String should have at least {min_length} characters", "skal have mindst {min_length} tegn"),
    "string_too_long": ("String should have at most {max_length} characters", "må højst have {max_length} tegn"),
    "string_pattern_mismatch": ("String should match pattern '{pattern}'", "har ikke den krævede form ({pattern})"),
    "too_short": ("{kind} should have at least {min_length} items after validation, not {actual}",
                  "skal have mindst {min_length} elementer, ikke {actual}"),
    "too_long": ("{kind} should have at most {max_length} items after validation, not {actual}",
                 "må højst have {max_length} elementer, ikke {actual}"),
    "too_short_one": ("{kind} should have at least 1 item after validation, not {actual}",
                      "skal have mindst 1 element, ikke {actual}"),
    "list_type": ("Input should be a valid list", "skal være en liste"),
    "tuple_type": ("Input should be a valid tuple", "skal være en liste"),
    "dict_type": ("Input should be a valid dictionary", "skal være en tabel af nøgler og værdier"),
    "model_type": ("Input should be a valid dictionary or instance of {cls}",
                   "skal være en tabel af nøgler og værdier"),
    "model_attributes_type": ("Input should be a valid dictionary or object to extract fields from",
                              "skal være en tabel af nøgler og værdier"),
    "literal_error": ("Input should be {expected}", "skal være {expected}"),
    "date_from_datetime_parsing": ("Input should be a valid date or datetime, {error}",
                                   "skal være en dato som 2027-01-01"),
    "date_parsing": ("Input should be a valid date in the format YYYY-MM-DD, {error}",
                     "skal være en dato som 2027-01-01"),
    "date_type": ("Input should be a valid date", "skal være en dato som 2027-01-01"),
}

# the scenario format's own reasons (sim.model.scenario.loading, schema validators, checks, sim.model.levers)
OWN = (
    ("unknown key (check the spelling; {hint})", "ukendt nøgle (tjek stavningen)"),
    ("unknown key (did you mean `{key}`?)", "ukendt nøgle (mente du `{key}`?)"),
    ("required key is missing", "påkrævet nøgle mangler"),
    ("a yes/no value where a number is expected; write the number",
     "et ja/nej, hvor der skal stå et tal; skriv tallet"),
    ("shares must sum to 1 (they sum to {sum})", "andelene skal summe til 1 (de summer til {sum})"),
    ("age band '{band}' must look like '6-12' with ages 0 to 17",
     "aldersgruppen '{band}' skal skrives som '6-12' med aldre fra 0 til 17"),
    ("give exactly one of value (to), by (an amount) or times (a factor) ({got})",
     "angiv præcis én af value (til), by (et beløb) eller times (en faktor) ({got})"),
    ("{date} is outside the horizon {first}..{last}", "{date} ligger uden for perioden {first}..{last}"),
    ("end is before start", "slutdatoen ligger før startdatoen"),
    ("min_age is above max_age", "min_age er større end max_age"),
    ("share_acute + share_closed_after_advice + share_early_measure exceeds 1",
     "share_acute + share_closed_after_advice + share_early_measure er over 1"),
    ("with the other screening shares this exceeds 1", "sammen med de andre andele ved vurderingen er dette over 1"),
    ("year {year} is after the horizon's last year {last}", "året {year} ligger efter periodens sidste år {last}"),
    ("low ({low}) is above high ({high})", "laveste værdi ({low}) er større end højeste værdi ({high})"),
    ("a share must be between 0 and 1 (got {value})", "en andel skal ligge mellem 0 og 1 (fik {value})"),
    ("must be above 0 (got {value})", "skal være over 0 (fik {value})"),
    # a lever's value outside its setting's range (checks.py, _outside_field_range)
    ("{setting} must be at least {limit} (got {value})", "{setting} skal være mindst {limit} (fik {value})"),
    ("{setting} must be above {limit} (got {value})", "{setting} skal være over {limit} (fik {value})"),
    ("{setting} must be at most {limit} (got {value})", "{setting} må højst være {limit} (fik {value})"),
    ("{setting} must be below {limit} (got {value})", "{setting} skal være under {limit} (fik {value})"),
    ("must not be negative (got {value})", "må ikke være negativ (fik {value})"),
    ("a yearly trend must be between -0.5 and 0.5 (got {value})",
     "en årlig tendens skal ligge mellem -0,5 og 0,5 (fik {value})"),
    ("value is not a number", "værdien er ikke et tal"),
    ("step id '{id}' is used more than once", "trin-id'et '{id}' bruges mere end én gang"),
    ("two steps have the same order", "to trin har samme rækkefølge (order)"),
    ("refers to undefined staircase step '{step}'", "henviser til trinnet '{step}', som ikke findes i indsatstrappen"),
    ("a diversion share needs a step to divert to{where}",
     "en andel, der omlægges, kræver et trin at omlægge til{where}"),
    ("need level {level} is not defined in needs.levels", "behovsniveau {level} er ikke defineret i needs.levels"),
    ("need level {level} is not defined", "behovsniveau {level} er ikke defineret"),
    ("file not found", "filen findes ikke"),
    # long_term: (schema.py's LongTerm, ServicePrice, _LongTermNumber; loading.with_long_term_file)
    ("low ({low}) and high ({high}) are factors on the number: low <= 1 <= high",
     "low ({low}) og high ({high}) er faktorer på tallet: low <= 1 <= high"),
    ("unknown actor '{actor}'; the actors are {actors}", "ukendt aktør '{actor}'; aktørerne er {actors}"),
    ("the price to {actor} is negative ({price}): a price is what one unit costs, never negative; a revenue "
     "(taxes) is a consequence with a negative sign",
     "prisen for {actor} er negativ ({price}): en pris er, hvad én enhed koster, aldrig negativ; en indtægt "
     "(skat) er en konsekvens med negativt fortegn"),
    ("give a price for at least one actor ({actors})", "angiv en pris for mindst én aktør ({actors})"),
    ("profile ids must be unique: {ids}", "profilernes id'er skal være forskellige: {ids}"),
    ("one price per service: {services} priced twice", "én pris pr. ydelse: {services} har to priser"),
    ("no price for the service(s) {services}: add them under long_term.prices",
     "ingen pris for ydelsen/ydelserne {services}: tilføj dem under long_term.prices"),
    ("enabled without profiles: add long_term.profiles (or a long_term.file)",
     "slået til uden profiler: tilføj long_term.profiles (eller en long_term.file)"),
    ("file '{name}' not found next to {where}", "filen '{name}' findes ikke ved siden af {where}"),
)


def _pattern(template: str) -> re.Pattern:
    """An English template as a regular expression: each {name} catches any text."""
    parts = re.split(r"\{(\w+)\}", template)
    out = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
    return re.compile(f"^{out}$", re.DOTALL)


_TRANSLATIONS = [(_pattern(en), da) for en, da in (*PYDANTIC.values(), *OWN)]


def danish_number(text: str) -> str:
    """A number in a reason as Danish writes it (0.5 -> 0,5; 1,000 -> 1.000); other text as it is."""
    if not re.fullmatch(r"[-+]?[\d,]*\.?\d+(e[-+]?\d+)?", text.strip()):
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def reason_in(reason: str, lang: str) -> str:
    """The reason a scenario was refused, in the language ('en' gives it back as it is)."""
    if lang != "da":
        return reason
    for pattern, danish in _TRANSLATIONS:
        m = pattern.match(reason)
        if m:
            return danish.format(**{k: danish_number(v) for k, v in m.groupdict().items()})
    return reason


def problem_line(where: str, reason: str, lang: str) -> str:
    """One problem as a user reads it: the key path, then the reason in the language (no file name)."""
    top = "(øverste niveau)" if lang == "da" else "(top level)"
    return f"{where or top}: {reason_in(reason, lang)}"


# the verdict and the summary of a long list of problems (``boernesim validate``)
VERDICT = {
    "valid": ("valid: {file}", "gyldig: {file}"),
    "invalid": ("not valid: {n} problem(s) in {file}", "ugyldig: {n} problem(er) i {file}"),
    "same_reason": ("{paths} and {more} more", "{paths} og {more} mere"),
    "more_problems": ("... and {n} more problem(s) not shown", "... og {n} problem(er) mere, der ikke vises"),
}


def verdict(key: str, lang: str, **values) -> str:
    return VERDICT[key][1 if lang == "da" else 0].format(**values)


def problem_summary(problems: list[tuple[str, str]], lang: str, limit: int = 20, per_reason: int = 4) -> list[str]:
    """The problems as short lines in the language: one reason shared by many key paths is one line naming the
    first few and how many more; at most ``limit`` lines, then how many problems were left out."""
    by_reason: dict[str, list[str]] = {}
    top = "(øverste niveau)" if lang == "da" else "(top level)"
    for where, reason in problems:
        by_reason.setdefault(reason_in(reason, lang), []).append(where or top)
    lines: list[tuple[str, int]] = []  # (line, problems it stands for)
    for reason, paths in by_reason.items():
        if len(paths) <= per_reason:
            lines += [(f"{path}: {reason}", 1) for path in paths]
        else:
            shown = verdict("same_reason", lang, paths=", ".join(paths[:per_reason - 1]),
                            more=len(paths) - per_reason + 1)
            lines.append((f"{shown}: {reason}", len(paths)))
    out = [line for line, _ in lines[:limit]]
    left = sum(n for _, n in lines[limit:])
    if left:
        out.append(verdict("more_problems", lang, n=left))
    return out
