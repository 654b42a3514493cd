"""The app's own texts in English and Danish; everything else (metrics, steps, numbers) comes from
``sim.outputs.labels``, so the app and the report say the same thing in the same words."""

from __future__ import annotations

from sim.outputs import labels

# key: (English, Danish)
APP_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("boernesim: children's services, simulated", "boernesim: det specialiserede børneområde, simuleret"),
    "language": ("Language", "Sprog"),
    "page": ("Page", "Side"),
    "page_municipality": ("Municipality", "Kommune"),
    "page_policies": ("Policies", "Politik"),
    "page_run": ("Run", "Kør"),
    "page_answer": ("Answer", "Svar"),
    "page_forecast": ("Forecast from today's cases", "Prognose fra dagens sager"),
    "page_saved": ("Saved scenarios", "Gemte scenarier"),
    # municipality
    "start_from": ("Start from", "Start fra"),
    "start_average": ("the average municipality", "gennemsnitskommunen"),
    "start_scaled": ("Denmark scaled to a population", "Danmark skaleret til et indbyggertal"),
    "start_file": ("a scenario or calibrated file", "en scenarie- eller kalibreringsfil"),
    "children_0_17": ("Children aged 0-17 in the municipality", "Børn i alderen 0-17 i kommunen"),
    "file_path": ("Scenario file (path on this computer)", "Scenariefil (sti på denne computer)"),
    "use_start": ("Use this starting point", "Brug dette udgangspunkt"),
    "settings": ("Settings the municipality knows", "Indstillinger kommunen kender"),
    "source": ("Source", "Kilde"),
    "no_source": ("no source given in the file", "ingen kilde angivet i filen"),
    "budget_year": ("Budget {year} (DKK in {price_year} prices; 0 = none)",
                    "Budget {year} (kr. i {price_year}-priser; 0 = intet)"),
    "apply": ("Apply", "Anvend"),
    "applied": ("The settings are valid and in use.", "Indstillingerne er gyldige og i brug."),
    "invalid": ("Not used: correct the fields marked below.", "Ikke brugt: ret felterne markeret nedenfor."),
    "scenario_name": ("Scenario name (letters, digits, - _ .)", "Scenariets navn (bogstaver, også æøå, tal, - _ .)"),
    # policies
    "policy_mode": ("How to choose the policy", "Sådan vælges politikken"),
    "policy_shipped": ("a shipped scenario", "et medfølgende scenarie"),
    "policy_compose": ("compose from levers", "sammensæt af greb"),
    "shipped": ("Shipped scenario", "Medfølgende scenarie"),
    "caveats": ("Caveats", "Forbehold"),
    "use_lever": ("Use this lever", "Brug dette greb"),
    "lever_change": ("Change the setting", "Ændr indstillingen"),
    "lever_effects_here": ("What the levers do to this municipality", "Hvad grebene gør ved denne kommune"),
    "change_value": ("to a value", "til en værdi"),
    "change_by": ("by an amount", "med et antal"),
    "change_times": ("by a factor", "med en faktor"),
    "new_value": ("New value", "Ny værdi"),
    "new_by": ("Change (+ more, − fewer)", "Ændring (+ flere, − færre)"),
    "new_times": ("Factor (1.5 = half as much again)", "Faktor (1,5 = halvanden gang)"),
    "start_date": ("Start date", "Startdato"),
    "ramp": ("Ramp (months)", "Indfasning (måneder)"),
    "one_off": ("One-off cost (DKK)", "Engangsudgift (kr.)"),
    "per_year": ("Cost per year (DKK)", "Udgift pr. år (kr.)"),
    "step": ("Step", "Trin"),
    "policy_ready": ("The policy is valid: {name}, {n} lever(s).", "Politikken er gyldig: {name}, {n} greb."),
    "no_policy": ("Choose a policy on the Policies page first.", "Vælg først en politik på siden Politik."),
    # run
    "replications": ("Replications", "Kørsler"),
    "years": ("Years", "År"),
    "seed": ("Seed", "Seed"),
    "run": ("Run", "Kør"),
    "cancel": ("Cancel", "Afbryd"),
    "running": ("Running {done} of {total} replications", "Kører {done} af {total} kørsler"),
    "cancelled": ("The run was cancelled; nothing was kept.", "Kørslen blev afbrudt; intet blev gemt."),
    "failed": ("The run failed; nothing was kept: {error}", "Kørslen fejlede; intet blev gemt: {error}"),
    "done": ("Done: see the Answer page.", "Færdig: se siden Svar."),
    "from_cache": ("Answered at once: the same question was run before (same scenario, seed and replications).",
                   "Besvaret med det samme: samme spørgsmål er kørt før (samme scenarie, seed og kørsler)."),
    "compared": ("Compares {alt} with {base}.", "Sammenligner {alt} med {base}."),
    "estimate": ("Estimated time on this machine as busy as it is now: {total} ({runs} for {n} runs on {cores} "
                 "cores, {writing} for the report and workbook in Danish and English).",
                 "Anslået tid på denne maskine, så travl som den er nu: {total} ({runs} til {n} kørsler på {cores} "
                 "kerner, {writing} til rapport og regneark på dansk og engelsk)."),
    "running_left": ("Running {done} of {total} runs · {left} left",
                     "Kører {done} af {total} kørsler · {left} tilbage"),
    "writing_report": ("All runs done; writing the report and workbook in Danish and English · {left} left",
                       "Alle kørsler færdige; skriver rapport og regneark på dansk og engelsk · {left} tilbage"),
    "took": ("It took {took} (estimated beforehand: {guess}).", "Det tog {took} (anslået på forhånd: {guess})."),
    "no_lever_effects": ("The policy changes none of this municipality's settings.",
                         "Politikken ændrer ingen af kommunens indstillinger."),
    # answer
    "no_answer": ("No answer yet: run a scenario on the Run page.", "Intet svar endnu: kør et scenarie på siden Kør."),
    "fan_metrics": ("Metrics to show", "Nøgletal der vises"),
    "investment_case": ("The investment case", "Investeringscasen"),
    "rests_on": ("What the answer rests on", "Hvad svaret hviler på"),
    "fixed_assumptions": ("Hold the assumptions fixed (noise only)",
                          "Hold forudsætningerne faste (kun tilfældig variation)"),
    "fixed_assumptions_help": (
        "Normally each run draws the uncertain assumptions (the caseworker effect, prices without a source, ...) "
        "from their ranges, so the answer's band and chance of a saving carry that uncertainty. Tick to hold them "
        "at their values: the band then shows chance variation only.",
        "Normalt trækker hver kørsel de usikre forudsætninger (rådgivertidens virkning, priser uden kilde, ...) fra "
        "deres intervaller, så svarets bånd og sandsynligheden for en besparelse rummer den usikkerhed. Sæt kryds "
        "for at holde dem på deres værdier: båndet viser da kun den tilfældige variation.",
    ),
    "staircase": ("The staircase over time", "Indsatstrappen over tid"),
    "waterfall": ("Where the cost difference comes from", "Hvor udgiftsforskellen kommer fra"),
    "download_report": ("Download report.html", "Hent report.html"),
    "download_xlsx": ("Download results.xlsx", "Hent results.xlsx"),
    "download_yaml": ("Download the scenario (YAML for boernesim run)", "Hent scenariet (YAML til boernesim run)"),
    "children": ("children", "børn"),
    "amount": ("Amount", "Beløb"),
    # the charts' hover texts
    "p05_short": ("5 % of runs below", "5 % af kørslerne under"),
    "p95_short": ("95 % of runs below", "95 % af kørslerne under"),
    "diff_mean_short": ("Mean difference", "Gennemsnitlig forskel"),
    "item": ("Item", "Post"),
    # forecast
    "register": ("Case register (CSV)", "Sagsregister (CSV)"),
    "as_of": ("The register's date", "Registerets dato"),
    "pseudonymise": ("The ids may be CPR numbers: hash them in memory and drop them",
                     "Id'erne kan være CPR-numre: hash dem i hukommelsen og kassér dem"),
    "spent_to_date": ("Spent so far this year (DKK)", "Forbrugt indtil nu i år (kr.)"),
    "forecast": ("Forecast the year end", "Prognose for året"),
    "register_ok": ("{n} children with an open case read; nothing was stored.",
                    "{n} børn med en åben sag indlæst; intet blev gemt."),
    "overrun": ("Probability of overrunning the budget", "Sandsynlighed for at overskride budgettet"),
    "expected": ("Expected spending {year}", "Forventet forbrug {year}"),
    "budget": ("Budget", "Budget"),
    "forecast_budget": ("Budget {year} (DKK; 0 = none)", "Budget {year} (kr.; 0 = intet)"),
    "no_budget": ("No budget for {year} is set: enter it above to see the probability of overrunning it.",
                  "Der er intet budget for {year}: skriv det ovenfor for at se sandsynligheden for at overskride det."),
    "forecast_done": ("Done: the forecast is below.", "Færdig: prognosen står nedenfor."),
    "register_missing": ("Choose the case register (a CSV file) first.", "Vælg først sagsregisteret (en CSV-fil)."),
    "register_format": ("What the case register must look like (columns and an example file)",
                        "Sådan skal sagsregisteret se ud (kolonner og en eksempelfil)"),
    "register_format_help": (
        "One row per child with an open case on the register's date, as a CSV file in UTF-8 with commas between "
        "the columns and a header line (in Excel: *Save as* → *CSV UTF-8 (comma delimited)*). Lines starting with "
        "# are comments. The example file has invented children and shows the format.",
        "Én række pr. barn med en åben sag på registerets dato, som en CSV-fil i UTF-8 med komma mellem kolonnerne "
        "og en overskriftslinje (i Excel: *Gem som* → *CSV UTF-8 (kommasepareret)*). Linjer der starter med # er "
        "kommentarer. Eksempelfilen har opdigtede børn og viser formatet."),
    "download_example": ("Download the example file", "Hent eksempelfilen"),
    "forecast_reads": (
        "Expected spending {year} is what was spent up to the register's date plus the rest of the year; {next} is "
        "the whole year. Low and high: 90 % of the runs lie between them. Each account function is named by the "
        "steps booked on it in the scenario.",
        "Forventet forbrug {year} er det forbrugte frem til registerets dato plus resten af året; {next} er hele "
        "året. Lav og høj: 90 % af kørslerne ligger imellem. Hver kontofunktion er navngivet efter de trin, der "
        "bogføres på den i scenariet."),
    "forecast_no_spent": (
        "Nothing spent so far in {year} was entered, so the expected spending for {year} is the rest of the year "
        "only and the probability of overrunning the budget is too low: enter the amount spent so far above.",
        "Der er ikke angivet noget forbrug indtil nu i {year}, så det forventede forbrug for {year} er kun resten af "
        "året, og sandsynligheden for at overskride budgettet er for lav: skriv forbruget indtil nu ovenfor."),
    # saved
    "folder": ("Folder", "Mappe"),
    "save_as": ("Save the current scenario as", "Gem det aktuelle scenarie som"),
    "save": ("Save", "Gem"),
    "saved_to": ("Saved to {path}", "Gemt i {path}"),
    "load": ("Load", "Indlæs"),
    "duplicate": ("Duplicate", "Dupliker"),
    "duplicate_as": ("Name of the copy", "Kopiens navn"),
    "compare_saved": ("Compare the chosen ones (the first is the baseline)",
                      "Sammenlign de valgte (den første er basis)"),
    "loaded": ("Loaded {name}: it is now the scenario on the Municipality and Policies pages.",
               "Indlæst {name}: det er nu scenariet på siderne Kommune og Politik."),
    "none_saved": ("No saved scenarios in this folder yet.", "Ingen gemte scenarier i denne mappe endnu."),
    "name_problem": ("a name may use letters, digits, - _ . only", "et navn må kun bruge bogstaver, tal, - _ ."),
    # typed numbers, errors where the eye is, state that lasts
    "typed_help": ("Type the number as you write it: 550000, 550.000, 550,000, 1.234.567,50 or 12,5 mio.",
                   "Skriv tallet, som du plejer: 550000, 550.000, 1.234.567,50 eller 12,5 mio."),
    "invalid_summary": ("Not used: correct these fields (each links to its field; the reason also stands beside it):",
                        "Ikke brugt: ret disse felter (hvert link fører til feltet; årsagen står også ved feltet):"),
    "invalid_below": ("Not used: {n} problem(s); [see the list above the form]({link}).",
                      "Ikke brugt: {n} fejl; [se listen over formularen]({link})."),
    "policy_refused": ("This policy was not used:", "Politikken blev ikke brugt:"),
    "policy_still": ("The policy in use is still {name}.", "Politikken i brug er stadig {name}."),
    "policy_lost": ("The policy {name} does not fit the new settings and is no longer chosen:",
                    "Politikken {name} passer ikke til de nye indstillinger og er ikke længere valgt:"),
    "stale": ("This answer is to an earlier question: {changed} changed since. Run again for an answer to the "
              "current one.",
              "Svaret er til et tidligere spørgsmål: {changed} er ændret siden. Kør igen for at få svar på det "
              "nuværende."),
    "changed_scenarios": ("the municipality or the policy", "kommunen eller politikken"),
    "changed_replications": ("the replications", "antal kørsler"),
    "changed_precision": ("precision or a fixed number of runs", "præcision eller fast antal kørsler"),
    "to_precision": ("Run until the answer is precise (±10 % on the saving, ±3 points on its chance)",
                     "Kør, til svaret er præcist (±10 % på besparelsen, ±3 point på sandsynligheden)"),
    "to_precision_help": (
        "Runs in batches of 10, each policy until its net saving is known to ±10 % (95 %, at least ±5 M DKK) and "
        "its chance of a saving to ±3 percentage points (one standard error), at most the number below. The "
        "answer says how many runs each policy had and how precise it is. Untick for a fixed number of runs.",
        "Kører i portioner af 10, hver politik indtil nettobesparelsen kendes inden for ±10 % (95 %, mindst ±5 "
        "mio. kr.) og sandsynligheden for en besparelse inden for ±3 procentpoint (én standardfejl), højst antallet "
        "nedenfor. Svaret siger, hvor mange kørsler hver politik fik, og hvor præcist det er. Fjern fluebenet for "
        "et fast antal kørsler."),
    "max_replications": ("At most (runs)", "Højst (kørsler)"),
    "estimate_precision": (
        "Estimated time on this machine as busy as it is now: at most {total} ({runs} for at most {n} runs on "
        "{cores} cores, {writing} for the report and workbook in Danish and English); less when the answer is "
        "precise sooner.",
        "Anslået tid på denne maskine, så travl som den er nu: højst {total} ({runs} til højst {n} kørsler på "
        "{cores} kerner, {writing} til rapport og regneark på dansk og engelsk); kortere, når svaret er præcist "
        "før."),
    "running_precision": ("{done} runs so far, at most {total}; each policy stops when its answer is precise · at "
                          "most {left} left",
                          "{done} kørsler indtil nu, højst {total}; hver politik stopper, når dens svar er præcist · "
                          "højst {left} tilbage"),
    "changed_years": ("the years", "antal år"),
    "changed_seed": ("the seed", "seed"),
    "changed_fixed_assumptions": ("the fixed assumptions", "de faste forudsætninger"),
    "cancelled_kept": ("The run was cancelled; the previous answer is kept.",
                       "Kørslen blev afbrudt; det forrige svar er bevaret."),
    "failed_kept": ("The run failed; the previous answer is kept: {error}",
                    "Kørslen fejlede; det forrige svar er bevaret: {error}"),
    "compare_uses": ("Uses the Run page's {reps} replications, {years} years and seed {seed}.",
                     "Bruger sidens Kør {reps} kørsler, {years} år og seed {seed}."),
    "folder_help": ("Saved scenarios go to your own folder, {folder} unless you give another; never into the "
                    "program's folder.",
                    "Gemte scenarier lægges i din egen mappe, {folder}, medmindre du angiver en anden; aldrig i "
                    "programmets mappe."),
}

# one sentence per lever the Policies page offers: what it does in the model
LEVER_TEXT: dict[str, tuple[str, str]] = {
    "caseworkers": ("Caseworkers (FTEs)", "Rådgivere (årsværk)"),
    "caseworkers_help": (
        "More caseworkers finish investigations and reviews sooner, and reviews are when children step down.",
        "Flere rådgivere gør undersøgelser og opfølgninger hurtigere færdige, og det er ved opfølgning, "
        "børn går ned ad trappen.",
    ),
    "reviews": ("Review interval (months)", "Opfølgningsinterval (måneder)"),
    "reviews_help": (
        "Reviewing more often gives more chances to step a child down or close the case.",
        "Hyppigere opfølgning giver flere chancer for at trappe ned eller lukke sagen.",
    ),
    "kinship": ("Kinship first (share of family placements)", "Netværk først (andel af familieanbringelser)"),
    "kinship_help": (
        "Trying relatives first moves family placements to kinship care, which costs far less than a foster family.",
        "At prøve netværket først flytter familieanbringelser til netværkspleje, der koster langt mindre end "
        "en plejefamilie.",
    ),
    "diversion": ("Intensive home support instead of placement (share)",
                  "Intensiv støtte i hjemmet i stedet for anbringelse (andel)"),
    "diversion_help": (
        "A share of children about to be placed in a family get intensive support at home instead; "
        "some fail and are placed.",
        "En andel af børn, der skulle anbringes i familie, får intensiv støtte i hjemmet i stedet; "
        "nogle bliver anbragt alligevel.",
    ),
    "intake": ("Intake team (share closed after advice)", "Modtagelsesteam (andel lukket efter rådgivning)"),
    "intake_help": (
        "An intake team closes more notifications after short advice, so fewer go on to a full investigation.",
        "Et modtagelsesteam lukker flere underretninger efter kort rådgivning, "
        "så færre går videre til en undersøgelse.",
    ),
    "limited": ("Time-limited institutional stays (share ending with a step down)",
                "Tidsbegrænsede institutionsophold (andel der slutter med nedtrapning)"),
    "limited_help": (
        "Institutional stays are planned to end after a set time, and this share of them end with a step down.",
        "Institutionsophold planlægges til at slutte efter en fast tid, og denne andel slutter med en nedtrapning.",
    ),
    "price": ("Price of a step (DKK per year)", "Pris på et trin (kr. pr. år)"),
    "price_help": (
        "A new price for one step from the start date, e.g. a renegotiated contract.",
        "En ny pris for et trin fra startdatoen, fx en genforhandlet kontrakt.",
    ),
    "capacity": ("Places on a step (capacity)", "Pladser på et trin (kapacitet)"),
    "capacity_help": (
        "A limit on the places of one step (e.g. foster families); children beyond it go to a costlier step.",
        "En grænse for pladserne på et trin (fx plejefamilier); børn ud over den går til et dyrere trin.",
    ),
}

FIELD_TEXT: dict[str, tuple[str, str]] = {
    "population.aged_0_17": ("Children aged 0-17", "Børn i alderen 0-17"),
    "population.aged_0_22": ("Young people aged 0-22", "Unge i alderen 0-22"),
    "population.growth_per_year": ("Growth in the number of children per year", "Årlig vækst i antal børn"),
    "caseworkers.fte": ("Caseworkers (FTEs)", "Rådgivere (årsværk)"),
    "caseworkers.cost_per_fte_dkk": ("Cost of a caseworker per year (DKK, base-year prices)",
                                     "Udgift pr. rådgiver pr. år (kr., basisårets priser)"),
    "notifications.per_1000_aged_0_17": ("Notifications per 1,000 aged 0-17", "Underretninger pr. 1.000 0-17-årige"),
    "notifications.trend_per_year": ("Notification trend per year", "Årlig udvikling i underretninger"),
    "step_price_field": ("Price per year: {step} (DKK, {base_year} prices)",
                         "Pris pr. år: {step} (kr., {base_year}-priser)"),
}


def t(key: str, lang: str) -> str:
    """The app's text, else the report's (one label table for both)."""
    pair = APP_TEXT.get(key) or LEVER_TEXT.get(key) or FIELD_TEXT.get(key)
    if pair is None:
        return labels.text(key, lang)
    return pair[labels.LANGS.index(lang)]
