"""Labels in English and Danish for what a municipality reads: metrics, units, number formats."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sim.model import catalogue
from sim.model.scenario import Scenario

LANGS = ("en", "da")

TEXT = {
    "report_title": ("boernesim report", "boernesim-rapport"),
    "compared_with": ("compared with", "sammenlignet med"),
    "scenario": ("Scenario", "Scenarie"),
    "year": ("Year", "År"),
    "metric": ("Metric", "Nøgletal"),
    "mean": ("Mean", "Gennemsnit"),
    "median": ("Median", "Median"),
    "band_90": ("5-95 % of runs", "5-95 % af kørslerne"),
    "band_50": ("25-75 % of runs", "25-75 % af kørslerne"),
    "key_figures": ("Key figures", "Nøgletal"),
    "assumptions": ("Assumptions (the resolved scenario)", "Forudsætninger (det samlede scenarie)"),
    "appendix": ("Appendix", "Bilag"),
    "runs": ("replications", "kørsler"),
    "intro": (
        "Projection of {name} for {years}, {reps} simulated replications (seed {seed}). "
        "In {last}, total cost is {cost} (median; 90 % of runs between {lo} and {hi}), "
        "with {placed} children placed at year end.",
        "Fremskrivning af {name} for {years}, {reps} simulerede kørsler (seed {seed}). "
        "I {last} er de samlede udgifter {cost} (median; 90 % af kørslerne mellem {lo} og {hi}), "
        "med {placed} anbragte børn ved årets udgang.",
    ),
    "figures": ("Figures", "Figurer"),
    "what_model": (
        "Bands show the spread over simulated replications: the chance variation of a municipality of this "
        "size, and, where the scenario lists uncertain assumptions, their ranges, drawn anew in each run "
        "(\"What the answer rests on\" shows which matter most). Assumptions without a range are held at their "
        "value; what the model does not capture at all is not in any band.",
        "Båndene viser spredningen over de simulerede kørsler: den tilfældige variation for en kommune af "
        "denne størrelse og, hvor scenariet angiver usikre forudsætninger, deres intervaller, trukket på ny i "
        "hver kørsel (\"Hvad svaret hviler på\" viser, hvilke der betyder mest). Forudsætninger uden interval "
        "holdes på deres værdi; det, modellen slet ikke rummer, er ikke i noget bånd.",
    ),
    "not_captured": (
        "What the model does not capture: the caseworker effect rests on one Danish pilot without a control group "
        "(Herning 2013-15); a child waiting for an investigation is neither helped nor gets worse, so in a "
        "department far above the average caseload hiring first finds need the backlog hid; prices of kinship "
        "care, intensive home support and an own room have no public average; the children's later lives and the "
        "costs to the region and the state are not valued; siblings, court decisions and consent are not modelled. "
        "The user guide (docs/user-guide.md) lists the assumptions in full.",
        "Det modellen ikke rummer: rådgivertidens virkning hviler på ét dansk forsøg uden kontrolgruppe "
        "(Herning 2013-15); et barn, der venter på en undersøgelse, får hverken hjælp eller får det værre, så i en "
        "afdeling med langt flere sager end gennemsnittet finder flere rådgivere først de behov, som puklen skjulte; "
        "priserne på netværkspleje, massiv hjemmebaseret indsats og eget værelse har ingen offentlig "
        "gennemsnitspris; børnenes senere liv og udgifterne i region og stat er ikke værdisat; søskende, "
        "afgørelser og samtykke er ikke modelleret. Brugervejledningen (docs/user-guide.md) beskriver "
        "forudsætningerne fuldt ud.",
    ),
    # --- the answer of a comparison, one sentence per alternative
    "lead_saves": (
        "{over}, {alt} saves {npv} in present value{prices} compared with {base} "
        "(90 % of runs between {lo} and {hi}; discount rate {rate})",
        "{over} sparer {alt} {npv} i nutidsværdi{prices} i forhold til {base} "
        "(90 % af kørslerne mellem {lo} og {hi}; diskonteringsrente {rate})",
    ),
    "lead_costs": (
        "{over}, {alt} costs {npv} more than {base} in present value{prices} "
        "(90 % of runs between {lo} and {hi} extra; discount rate {rate})",
        "{over} koster {alt} {npv} mere end {base} i nutidsværdi{prices} "
        "(90 % af kørslerne mellem {lo} og {hi} ekstra; diskonteringsrente {rate})",
    ),
    "lead_runs": ("; in {runs} it pays back by {last}", "; i {runs} har den tjent sig hjem i {last}"),
    "lead_runs_none": (
        "; in none of the runs does it pay back by {last}",
        "; i ingen kørsler har den tjent sig hjem i {last}",
    ),
    "lead_break_even": (" (break-even year {year}).", " (break-even-år {year})."),
    "lead_no_break_even": (
        ", but on average it does not pay back within the horizon.",
        ", men i gennemsnit tjener den sig ikke hjem inden for perioden.",
    ),
    "lead_no_break_even_none": (
        "; it does not pay back within the horizon.",
        "; den tjener sig ikke hjem inden for perioden.",
    ),
    "lead_diff_only": (
        "{over}, {alt} changes total cost by {diff} compared with {base} "
        "(sum of the yearly mean differences, not discounted).",
        "{over} ændrer {alt} de samlede udgifter med {diff} i forhold til {base} "
        "(summen af de årlige gennemsnitlige forskelle, ikke diskonteret).",
    ),
    "lead_precision": (
        " The chance of a net saving rests on {n} runs: it lies between {lo} and {hi} (95 %); about {need} runs "
        "would pin it to within 5 percentage points.",
        " Sandsynligheden for en nettobesparelse bygger på {n} kørsler: den ligger mellem {lo} og {hi} (95 %); "
        "omkring {need} kørsler ville fastlægge den inden for 5 procentpoint.",
    ),
    "lead_rests_on": (
        " The answer rests most on {label} ({grade}; {share} of the spread): {npv_low} at {low}, {npv_high} at {high}.",
        " Svaret afhænger mest af {label} ({grade}; {share} af spredningen): {npv_low} ved {low}, "
        "{npv_high} ved {high}.",
    ),
    "lead_rests_on_none": (
        " With these runs no single assumption stands out from the noise.",
        " Med disse kørsler skiller ingen enkelt forudsætning sig ud fra den tilfældige variation.",
    ),
    "within_noise": ("within noise", "inden for tilfældig variation"),
    "lead_fixed_assumptions": (
        " The assumptions were held fixed (--fixed-assumptions): the band and the chance hold simulation noise "
        "only, not the uncertainty of the assumptions.",
        " Forudsætningerne blev holdt faste (--fixed-assumptions): båndet og sandsynligheden rummer kun den "
        "tilfældige variation, ikke usikkerheden om forudsætningerne.",
    ),
    "lead_precision_reached": (
        " Run to the stated precision: {n} runs pin the net saving to within {npv} (95 %) and the chance of it to "
        "within {prob} percentage points (one standard error).",
        " Kørt til den ønskede præcision: {n} kørsler fastlægger nettobesparelsen inden for {npv} (95 %) og "
        "sandsynligheden for den inden for {prob} procentpoint (én standardfejl).",
    ),
    "lead_no_clear_saving": (
        " No clear saving: after {n} runs, the most allowed, the net saving is known only to within {npv} (95 %) "
        "and the chance of it to within {prob} percentage points (one standard error), short of the stated "
        "precision.",
        " Ingen klar besparelse: efter {n} kørsler, det højst tilladte, kendes nettobesparelsen kun inden for "
        "{npv} (95 %) og sandsynligheden for den inden for {prob} procentpoint (én standardfejl), under den "
        "ønskede præcision.",
    ),
    "lead_clear_saving_at_cap": (
        " The saving is clear: after {n} runs, the most allowed, its 95 % interval lies above zero; the net saving "
        "is known to within {npv} (95 %){npv_short}, and the chance of it is {chance} ± {prob} percentage points "
        "(one standard error){prob_short}.",
        " Besparelsen er klar: efter {n} kørsler, det højst tilladte, ligger dens 95 %-interval over nul; "
        "nettobesparelsen kendes inden for {npv} (95 %){npv_short}, og sandsynligheden for den er {chance} ± "
        "{prob} procentpoint (én standardfejl){prob_short}.",
    ),
    "lead_clear_cost_at_cap": (
        " The cost is clear: after {n} runs, the most allowed, the 95 % interval of the net saving lies below "
        "zero; the net cost is known to within {npv} (95 %){npv_short}, and the chance of a saving is {chance} ± "
        "{prob} percentage points (one standard error){prob_short}.",
        " Merudgiften er klar: efter {n} kørsler, det højst tilladte, ligger nettobesparelsens 95 %-interval "
        "under nul; nettoudgiften kendes inden for {npv} (95 %){npv_short}, og sandsynligheden for en besparelse "
        "er {chance} ± {prob} procentpoint (én standardfejl){prob_short}.",
    ),
    "not_within_runs": (", not to {target} within {n} runs", ", ikke til {target} inden for {n} kørsler"),
    "sec_rests_on": ("What the answer rests on", "Hvad svaret hviler på"),
    "held_assumptions": (
        "Held at the scenario's own value, not drawn (the scenario sets it outside the listed range, e.g. from its "
        "own accounts, or lacks the part it is about): {held}.",
        "Holdt på scenariets egen værdi, ikke trukket (scenariet sætter den uden for intervallet, fx fra egne "
        "regnskaber, eller har ikke den del, den handler om): {held}.",
    ),
    "rests_on_intro": (
        "Each run drew the scenario's uncertain assumptions from their ranges (assumptions: in the scenario; the same "
        "draws for every scenario in a run). For each policy, the assumptions whose draws go most with its net "
        "present value: the share of the NPV's spread that goes with each (squared correlation over {n} runs), and "
        "the NPV at the two ends of its range (its linear trend). With few runs these are estimates. Noise-only band "
        "(the spread left with the assumptions' effects taken out): {noise}.",
        "Hver kørsel trak scenariets usikre forudsætninger fra deres intervaller (assumptions: i scenariet; de samme "
        "træk for alle scenarier i en kørsel). For hver politik de forudsætninger, hvis træk hænger mest sammen med "
        "nutidsværdien: den andel af spredningen, der følger hver (kvadreret korrelation over {n} kørsler), og "
        "nutidsværdien i hver ende af intervallet (den lineære tendens). Med få kørsler er det skøn. Bånd med kun "
        "tilfældig variation (spredningen, når forudsætningernes virkning er trukket ud): {noise}.",
    ),
    "col_assumption": ("Assumption", "Forudsætning"),
    "col_grade": ("Evidence", "Evidens"),
    "col_source": ("Source", "Kilde"),
    "col_range": ("Range", "Interval"),
    "col_share_of_spread": ("Share of the NPV's spread", "Andel af spredningen i nutidsværdien"),
    "col_npv_at_low": ("NPV at the low end", "Nutidsværdi ved laveste værdi"),
    "col_npv_at_high": ("NPV at the high end", "Nutidsværdi ved højeste værdi"),
    "grade_register": ("national register data", "nationale registerdata"),
    "grade_controlled": ("a controlled evaluation", "en kontrolleret evaluering"),
    "grade_pilot": ("a pilot without a control group", "et pilotprojekt uden kontrolgruppe"),
    "grade_assumption": ("an assumption, no measurement", "en antagelse uden måling"),
    "not_estimable": ("too few runs to estimate", "for få kørsler til et skøn"),
    # --- what travels with a scenario's number (sim.outputs.notes)
    "caveats_lead": ("Caveats", "Forbehold"),
    "closed_with_need_more": (
        "It also closes about {n} more inquiries a year about children with a real need than {base} "
        "(they come back later, more severe).",
        "Den lukker også omkring {n} flere henvendelser om året om børn med et reelt behov end {base} "
        "(de kommer igen senere, med et større behov).",
    ),
    "kinship_warning": (
        "Warning: in {year} kinship care is {share} of family care here, outside Danish experience "
        "(at most about {max} in a sizable municipality; 9.5 % nationally in 2007 and 11.1 % in 2010).",
        "Advarsel: I {year} er netværkspleje {share} af familieplejen her, uden for det, der er set i Danmark "
        "(højst omkring {max} i en større kommune; 9,5 % på landsplan i 2007 og 11,1 % i 2010).",
    ),
    "runs_of_10": ("{n} of 10 runs", "{n} af 10 kørsler"),
    "runs_all": ("all runs", "alle kørsler"),
    "runs_almost_all": ("more than 9 of 10 runs", "mere end 9 af 10 kørsler"),
    "runs_few": ("fewer than 1 of 10 runs", "færre end 1 af 10 kørsler"),
    "and": ("and", "og"),
    "to": ("to", "til"),
    "not_within_horizon": ("does not pay back within the horizon", "tjener sig ikke hjem inden for perioden"),
    # --- sections and figures
    "sec_projection": ("Projections", "Fremskrivninger"),
    "sec_staircase": ("The staircase over time", "Indsatstrappen over tid"),
    "sec_waterfall": ("Where the cost difference comes from", "Hvor forskellen i udgifter kommer fra"),
    "sec_forecast": ("Year-end forecast", "Forventet regnskab"),
    "forecast_lead": (
        "Expected result for {year} as of {as_of}: {expected} (90 % of runs between {lo} and {hi}), "
        "of which {spent} is spent to date.",
        "Forventet regnskab for {year} pr. {as_of}: {expected} (90 % af kørslerne mellem {lo} og {hi}), "
        "heraf forbrugt til dato {spent}.",
    ),
    "forecast_budget": (
        " Budget {budget}: the probability of exceeding it is {prob}.",
        " Budget {budget}: sandsynligheden for at overskride det er {prob}.",
    ),
    "forecast_next": (
        "Budget need {year} (full year): {expected} (90 % between {lo} and {hi}).",
        "Budgetbehov {year} (helt år): {expected} (90 % mellem {lo} og {hi}).",
    ),
    "forecast_cols": (
        ("Year", "Account function", "Spent to date", "Expected", "5 %", "95 %", "Budget", "P(overrun)"),
        ("År", "Funktion", "Forbrugt til dato", "Forventet", "5 %", "95 %", "Budget", "P(overskridelse)"),
    ),
    "forecast_moves_title": ("How the forecast moved", "Sådan har prognosen flyttet sig"),
    "forecast_moves_caption": (
        "Expected year-end result at each forecast date, with the 5-95 % band; the dashed line is the budget.",
        "Forventet regnskab ved hver prognosedato med 5-95 %-båndet; den stiplede linje er budgettet.",
    ),
    "forecast_as_of": ("Forecast date", "Prognosedato"),
    "caseworkers_fn": ("caseworkers (salaries)", "rådgivere (løn)"),
    "policy_fn": ("policy measures", "politiske tiltag"),
    "total_fn": ("total", "i alt"),
    "sec_npv": ("Net saving per simulated run", "Nettobesparelse pr. simuleret kørsel"),
    "sec_tables": ("Key tables", "Nøgletabeller"),
    "sec_economics": ("Economics of the alternatives", "Økonomien i alternativerne"),
    "sec_differences": ("Difference from {base}: {alt}", "Forskel fra {base}: {alt}"),
    "sec_details": ("Details per scenario", "Detaljer pr. scenarie"),
    "details_hint": (
        "Click a scenario to open it: its projection in words, what its answer rests on, where its cost "
        "difference comes from, its net saving per run and its tables.",
        "Klik på et scenarie for at åbne det: dets fremskrivning i ord, hvad svaret hviler på, hvor forskellen i "
        "udgifter kommer fra, nettobesparelsen pr. kørsel og tabellerne.",
    ),
    "details_pair": ("{alt} compared with {base}", "{alt} sammenlignet med {base}"),
    "diff_title": ("{metric}: difference from {base}", "{metric}: forskel fra {base}"),
    "with_each_answer": (
        "With each answer: its chance of a saving and what it rests on",
        "Til hvert svar: chancen for en besparelse og hvad den hviler på",
    ),
    "fold_show": ("Show: {what}", "Vis: {what}"),
    "fan_caption_multiples": (
        "One panel per scenario, each over {base} in grey (its median dashed, 90 % of its runs shaded). The "
        "coloured line is the scenario's median of the simulated runs; the dark band holds the middle half of the "
        "runs (25-75 %), the light band 90 % of them (5-95 %).",
        "Ét felt pr. scenarie, hvert over {base} i gråt (medianen stiplet, 90 % af kørslerne skraveret). Den "
        "farvede linje er scenariets median af de simulerede kørsler; det mørke bånd rummer den midterste halvdel "
        "af kørslerne (25-75 %), det lyse bånd 90 % af dem (5-95 %).",
    ),
    "fan_caption": (
        "The line is the median of the simulated runs; the dark band holds the middle half of the runs "
        "(25-75 %), the light band 90 % of them (5-95 %).",
        "Linjen er medianen af de simulerede kørsler; det mørke bånd rummer den midterste halvdel af "
        "kørslerne (25-75 %), det lyse bånd 90 % af dem (5-95 %).",
    ),
    "sweep_heading": ("{scenario}: a sweep over {setting}", "{scenario}: {setting} varieret"),
    "sweep_title": (
        "Total cost {years} (mean, 5-95 % band)", "Samlet udgift {years} (gennemsnit, 5-95 %)"
    ),
    "sweep_cost_axis": ("total cost, m DKK", "samlet udgift, mio. kr."),
    "sweep_band": ("5-95 % of the runs", "5-95 % af kørslerne"),
    "sweep_mean": ("mean", "gennemsnit"),
    "sweep_minimum": ("lowest mean: {value}", "laveste gennemsnit: {value}"),
    "sweep_lead": (
        "The total cost in {years} is lowest at {setting} = {value}: {cost}.",
        "Den samlede udgift {years} er lavest ved {setting} = {value}: {cost}.",
    ),
    "sweep_edge_low": (
        "That is the lowest value swept: the minimum may lie below the range; sweep lower values to find it.",
        "Det er den laveste værdi, der er kørt: minimum kan ligge under intervallet; kør lavere værdier for at "
        "finde det.",
    ),
    "sweep_edge_high": (
        "That is the highest value swept: the minimum may lie above the range; sweep higher values to find it.",
        "Det er den højeste værdi, der er kørt: minimum kan ligge over intervallet; kør højere værdier for at "
        "finde det.",
    ),
    "sweep_crn": (
        "Every value meets the same children with the same luck (common random numbers), so the differences "
        "between values are the setting's effect, not noise.",
        "Alle værdier møder de samme børn med samme held (fælles tilfældige tal), så forskellene mellem "
        "værdierne skyldes indstillingen, ikke tilfældigheder.",
    ),
    "sweep_cost_caption": (
        "The total of the yearly cost over the projected years, per run; the line is the mean over the runs, "
        "the band holds 90 % of them, the star marks the lowest mean.",
        "Summen af årets udgifter over de fremskrevne år pr. kørsel; linjen er gennemsnittet over kørslerne, "
        "båndet rummer 90 % af dem, stjernen markerer det laveste gennemsnit.",
    ),
    "sweep_side_title": ("Deadlines, caseload and children placed", "Frister, sagstal og anbragte børn"),
    "sweep_side_caption": (
        "Mean over the projected years and the runs, against the swept setting.",
        "Gennemsnit over de fremskrevne år og kørslerne, mod den varierede indstilling.",
    ),
    "sec_time": ("Where the caseworkers' time went", "Hvor rådgivernes tid gik hen"),
    "time_title": ("Caseworker hours by task (mean)", "Rådgivertimer efter opgave (gennemsnit)"),
    "time_caption": (
        "Hours of caseworker work per year by kind of task, stacked (mean over the runs); the line (right "
        "axis) is the ongoing work with the families per open case and month: it falls when caseload is so "
        "high that the mandatory tasks take the time.",
        "Rådgivertimer pr. år efter opgavetype, stablet (gennemsnit over kørslerne); linjen (højre akse) er "
        "det løbende arbejde med familierne pr. åben sag pr. måned: den falder, når sagstallet er så højt, "
        "at de lovpligtige opgaver tager tiden.",
    ),
    "hours": ("hours", "timer"),
    "hours_per_case": ("hours per case per month", "timer pr. sag pr. måned"),
    "time_ongoing": ("ongoing work with families", "løbende sagsarbejde"),
    "time_acute": ("acute", "akut"),
    "time_screening": ("screening", "vurdering af underretninger"),
    "time_investigation": ("investigations", "undersøgelser"),
    "time_review": ("reviews", "opfølgninger"),
    "staircase_title": ("Children on each step at 31 December (median)", "Børn på hvert trin 31. december (median)"),
    "staircase_caption": (
        "Children on each step of the staircase at year end, stacked from the least intrusive step (bottom) "
        "to the most intrusive (top); blue steps are preventive measures, red steps placements. "
        "Each layer is the median over the runs.",
        "Børn på hvert trin af indsatstrappen ved årets udgang, stablet fra det mindst indgribende trin "
        "(nederst) til det mest indgribende (øverst); blå trin er forebyggende indsatser, røde trin "
        "anbringelser. Hvert lag er medianen over kørslerne.",
    ),
    "children": ("Children", "Børn"),
    "waterfall_title": (
        "{alt} against {base}: total cost {years}",
        "{alt} mod {base}: samlede udgifter {years}",
    ),
    "waterfall_caption": (
        "From the total cost of {base} in {years} (top bar) through the change in each cost item "
        "(green: lower cost, red: higher cost) to the total cost of {alt} (bottom bar). Means over the runs, "
        "not discounted. The axis does not start at zero, so that the changes can be seen.",
        "Fra de samlede udgifter i {base} i {years} (øverste søjle) gennem ændringen i hver "
        "udgiftspost (grøn: lavere udgift, rød: højere udgift) til de samlede udgifter i {alt} (nederste "
        "søjle). Gennemsnit over kørslerne, ikke diskonteret. Aksen starter ikke ved nul, så ændringerne "
        "kan ses.",
    ),
    "axis_cut": ("{unit} (the axis does not start at 0)", "{unit} (aksen starter ikke ved 0)"),
    "total_of": ("Total cost, {name}", "Samlede udgifter, {name}"),
    "caseworkers": ("Caseworkers", "Rådgivere"),
    "policy_costs": ("Policy measures (programmes, extra costs)", "Politiske tiltag (programmer, ekstra udgifter)"),
    "other_costs": ("Other costs", "Øvrige udgifter"),
    "npv_title": ("{alt} against {base}: net saving per run", "{alt} mod {base}: nettobesparelse pr. kørsel"),
    "npv_xlabel": ("Net saving in present value", "Nettobesparelse i nutidsværdi"),
    "npv_ylabel": ("Runs", "Kørsler"),
    "npv_count": ("{k} of {n} runs save money", "{k} af {n} kørsler sparer penge"),
    "npv_caption": (
        "Each bar counts simulated runs by their net saving in present value (baseline cost minus "
        "alternative cost, discounted at {rate}); green runs save money, red runs cost more.",
        "Hver søjle tæller simulerede kørsler efter deres nettobesparelse i nutidsværdi (udgift i "
        "basisscenariet minus udgift i alternativet, diskonteret med {rate}); grønne kørsler sparer penge, "
        "røde koster mere.",
    ),
    "diff_caption": (
        "{alt} minus {base}, per year: the mean difference over paired runs; below it, in brackets, the "
        "range that holds 90 % of the runs (5 % and 95 %).",
        "{alt} minus {base}, pr. år: den gennemsnitlige forskel over parrede kørsler; nedenunder, i "
        "klammer, det interval, der rummer 90 % af kørslerne (5 % og 95 %).",
    ),
    # --- the economics table
    "col_scenario": ("Scenario", "Scenarie"),
    "col_baseline": ("Compared with", "Sammenlignet med"),
    "col_discount_rate": ("Discount rate", "Diskonteringsrente"),
    "col_npv": ("Net saving, present value", "Nettobesparelse, nutidsværdi"),
    "col_npv_band": ("90 % of runs", "90 % af kørslerne"),
    "col_break_even": ("Break-even year", "Break-even-år"),
    "col_cost_per_placement": ("Cost per placement avoided", "Udgift pr. undgået anbringelse"),
    "col_prob": ("Chance of a net saving", "Sandsynlighed for nettobesparelse"),
    "col_investment": ("Investment (the policy's own costs)", "Investering (tiltagets egne udgifter)"),
    "col_placements_avoided": ("Placements avoided", "Undgåede anbringelser"),
    "col_net_per_placement": ("Net saving per placement avoided", "Nettobesparelse pr. undgået anbringelse"),
    "no placements avoided": ("no placements avoided", "ingen undgåede anbringelser"),
    "placements not reported": ("placements not reported", "anbringelser ikke opgjort"),
    "prices_note": (
        "Money is in {year} prices: the model's {base} prices times the general price and wage index "
        "(Økonomistyrelsen), {factor}.",
        "Beløb er i {year}-priser: modellens {base}-priser ganget med det generelle pris- og lønindeks "
        "(Økonomistyrelsen), {factor}.",
    ),
    "in_prices": (" ({year} prices)", " ({year}-priser)"),
    "prices_note_base": ("Money is in {year} prices.", "Beløb er i {year}-priser."),
    "economics_caption": (
        "Net saving = cost of {base} minus cost of the alternative, discounted to the start year; "
        "positive means the alternative saves money. Break-even year: the first year from which the "
        "accumulated net saving (mean over the runs, not discounted) stays positive to the end of the horizon. "
        "Investment: what the policy itself adds over the horizon (extra caseworker salaries, the policy's "
        "one-off and yearly costs, the support children get instead of a placement), not net of any saving. "
        "Placements avoided: fewer placements started over "
        "the horizon than in {base}. Cost per placement avoided = investment / placements avoided; the net "
        "saving per placement avoided (not discounted) is beside it. Money in {year} prices.",
        "Nettobesparelse = udgifter i {base} minus udgifter i alternativet, tilbagediskonteret til "
        "startåret; positiv betyder, at alternativet sparer penge. Break-even-år: det første år, hvorfra den "
        "akkumulerede nettobesparelse (gennemsnit over kørslerne, ikke diskonteret) forbliver positiv "
        "perioden ud. Investering: hvad tiltaget selv lægger til over perioden (ekstra rådgiverlønninger, "
        "tiltagets engangs- og årlige udgifter, støtten til børn i stedet for en anbringelse), ikke modregnet "
        "besparelser. Undgåede anbringelser: færre "
        "påbegyndte anbringelser over perioden end i {base}. Udgift pr. undgået anbringelse = investering / "
        "undgåede anbringelser; nettobesparelsen pr. undgået anbringelse (ikke diskonteret) står ved siden af. "
        "Beløb i {year}-priser.",
    ),
    # --- the workbook
    "label": ("label", "betegnelse"),
    "sheet_columns_intro": ("What each column means", "Hvad hver kolonne betyder"),
    "sheet": ("Sheet", "Ark"),
    "column": ("Column", "Kolonne"),
    "meaning": ("Meaning", "Betydning"),
    "lever_from": ("from", "fra"),
    "lever_over": ("over {months} months", "over {months} måneder"),
    "lever_unlimited": ("unlimited", "ubegrænset"),
    "lever_effects": ("What the levers do to this scenario", "Hvad grebene gør ved dette scenarie"),
    "lt_title": ("Beyond the municipality's budget (illustrative)", "Ud over kommunens budget (illustrativt)"),
    "lt_warning": (
        "Like Social- og Boligstyrelsen's own investment model (SØM), this calculation can never stand alone: a "
        "decision about children's services must also weigh the progress and quality of life the children get.",
        "Som Social- og Boligstyrelsens egen investeringsmodel (SØM) kan denne beregning aldrig stå alene: en "
        "beslutning om indsatser for børn må også vægte den progression og livskvalitet, børnene får.",
    ),
    "lt_apart": (
        "Not part of the municipal answer above and never added to it: what the policy's different paths for the "
        "children may mean for the public actors' later spending, valued with consequence estimates and prices "
        "per actor over {years} years from {start}, discounted at {rate}; deadweight {deadweight}, attribution "
        "{attribution}, drop-off {drop_off} a year, and a correction for optimism by each number's confidence grade "
        "(a saving taken down, a cost up).",
        "Ikke en del af kommunens svar ovenfor og aldrig lagt til det: hvad politikkens anderledes forløb for "
        "børnene kan betyde for de offentlige aktørers senere udgifter, værdisat med konsekvensestimater og priser "
        "pr. aktør over {years} år fra {start}, diskonteret med {rate}; dødvægt {deadweight}, tilskrivning "
        "{attribution}, aftagende {drop_off} om året og en korrektion for optimisme efter hvert tals evidensgrad "
        "(en besparelse trækkes ned, en udgift op).",
    ),
    "lt_illustrative": (
        "The numbers behind it are illustrative, not measured: read the size as an example of the method only.",
        "Tallene bag er illustrative, ikke målte: læs størrelsen kun som et eksempel på metoden.",
    ),
    "lt_left_out": ("Left out, as the run does not report their quantity: {ids}.",
                    "Udeladt, da kørslen ikke rapporterer deres mængde: {ids}."),
    "lt_actor": ("Public actor", "Offentlig aktør"),
    "lt_actor_kommune": ("Municipality, later and other budgets", "Kommunen, senere og andre budgetter"),
    "lt_actor_region": ("Region", "Region"),
    "lt_actor_stat": ("State", "Stat"),
    "lt_npv": ("Net saving, present value (mean)", "Nettobesparelse, nutidsværdi (gennemsnit)"),
    "lt_band": ("90 % of runs", "90 % af kørslerne"),
    "lt_prob": ("Chance of a net saving", "Sandsynlighed for nettobesparelse"),
    "lt_grades": ("What the numbers rest on", "Hvad tallene hviler på"),
    "lt_number": ("Number", "Tal"),
    "lt_grade": ("Confidence grade", "Evidensgrad"),
    "lt_source": ("Source", "Kilde"),
    "lt_price_of": ("Price of {service}", "Pris på {service}"),
}

# what happens to the children: the answer's outcome table (sim.outputs.report.outcomes) and its first sentence
TEXT.update({
    "sec_outcomes": ("What happens to the children", "Hvad der sker for børnene"),
    "outcomes_caption": (
        "{base} and the change under each policy, {years}: the mean of the paired runs with 90 % of them in "
        "brackets. Counts are totals over the years; shares and days are yearly values averaged over them. The "
        "wellbeing row describes where children spend their time (weighted by what children in such settings "
        "report in the national survey): a proxy, not an effect of the policy.",
        "{base} og ændringen med hver politik, {years}: gennemsnittet af de parrede kørsler med 90 % af dem i "
        "klammer. Antal er summer over årene; andele og dage er årlige værdier i gennemsnit over årene. Rækken om "
        "trivsel beskriver, hvor børnene tilbringer deres tid (vægtet med, hvad børn i sådanne anbringelser svarer "
        "i den nationale undersøgelse): en indikator, ikke en virkning af politikken.",
    ),
    "col_outcome": ("Outcome", "Udfald"),
    "col_level": ("{base} (level)", "{base} (niveau)"),
    "verdict_better": ("better", "bedre"),
    "verdict_worse": ("worse", "værre"),
    "verdict_no_clear_change": ("no clear change", "ingen klar ændring"),
    "verdict_more": ("more", "mere"),
    "verdict_less": ("less", "mindre"),
    "percentage_points": ("percentage points", "procentpoint"),
    "col_cost_per_family_like_year": ("Cost per child-year moved to family-like care",
                                      "Udgift pr. barneår flyttet til familielignende anbringelse"),
    "col_cost_per_breakdown_avoided": ("Cost per breakdown avoided", "Udgift pr. undgået sammenbrud"),
    "col_cost_per_need_closure_avoided": ("Cost per child no longer closed with a real need",
                                          "Udgift pr. barn der ikke længere lukkes med et reelt behov"),
    "lead_saves_need": (
        "{over}, {alt} saves {npv} in present value{prices} compared with {base}, but closes about "
        "{n} more inquiries a year while the child has a real need (90 % of runs between {lo} and {hi}; "
        "discount rate {rate})",
        "{over} sparer {alt} {npv} i nutidsværdi{prices} i forhold til {base}, men lukker omkring {n} "
        "flere henvendelser om året, mens barnet har et reelt behov (90 % af kørslerne mellem {lo} og {hi}; "
        "diskonteringsrente {rate})",
    ),
})

# Where the shipped municipality's numbers come from, whole and in both languages, as the app shows them beside
# the fields a user sets (the scenario files' comments say the same with their facts.csv keys)
SOURCE_CAPTIONS = {
    "population.aged_0_17": (
        "About 1,160,000 children aged 0-17 in Denmark in 2018 (derived from 11,715 children placed at 10.1 "
        "per 1,000), divided by the 98 municipalities.",
        "Omkring 1.160.000 børn i alderen 0-17 år i Danmark i 2018 (udledt af 11.715 anbragte børn ved 10,1 "
        "pr. 1.000), delt med de 98 kommuner."),
    "population.aged_0_22": (
        "About 1,536,000 young people aged 0-22 in Denmark in 2018, divided by the 98 municipalities.",
        "Omkring 1.536.000 unge i alderen 0-22 år i Danmark i 2018, delt med de 98 kommuner."),
    "population.growth_per_year": (
        "An assumption: the number of children has been roughly flat nationally. Enter your own municipality's "
        "population projection here.",
        "En antagelse: antallet af børn har været nogenlunde uændret på landsplan. Skriv jeres egen "
        "befolkningsprognose her."),
    "caseworkers.fte": (
        "Set so that the caseload is about 31 cases per caseworker, as Dansk Socialrådgiverforening's survey "
        "found in 2023: "
        "20 posts, of which about 18.6 are filled at any time because of turnover.",
        "Sat, så sagstallet er omkring 31 sager pr. rådgiver, som Dansk Socialrådgiverforenings undersøgelse "
        "fandt i 2023: 20 stillinger, "
        "hvoraf omkring 18,6 er besat ad gangen på grund af udskiftning."),
    "caseworkers.cost_per_fte_dkk": (
        "A caseworker's salary with pension, 460,000 DKK in 2019 (Lønkommissionen and Dansk Socialrådgiverforening), "
        "plus 20 % for leadership, IT and premises (KL's rate, an assumption): 550,000 DKK in 2019 prices. The "
        "range of uncertainty is 500,000 to 590,000 DKK.",
        "En rådgivers løn med pension, 460.000 kr. i 2019 (Lønkommissionen og Dansk Socialrådgiverforening), plus "
        "20 % til ledelse, it og lokaler (KL's sats, en antagelse): 550.000 kr. i 2019-priser. Usikkerheden går "
        "fra 500.000 til 590.000 kr."),
    "notifications.per_1000_aged_0_17": (
        "Statistics Denmark: 137,986 notifications in 2019 per 1,160,000 children aged 0-17 is 119 per 1,000; the "
        "model's fit to the national figures of 2015-2019 gives the same (90 % between 111.6 and 125.8).",
        "Danmarks Statistik: 137.986 underretninger i 2019 pr. 1.160.000 børn i alderen 0-17 år er 119 pr. 1.000; "
        "modellens tilpasning til landstallene 2015-2019 giver det samme (90 % mellem 111,6 og 125,8)."),
    "notifications.trend_per_year": (
        "An assumption: flat from the start year. In 2015-2019 notifications grew about 9 % a year (the shipped "
        "policy Rising notifications shows a rising path).",
        "En antagelse: uændret fra startåret. I 2015-2019 voksede underretningerne omkring 9 % om året (den "
        "medfølgende politik Stigende underretninger viser en stigende udvikling)."),
    "staircase.early.price_per_year_dkk": (
        "An assumption: courses costing tens of thousands of DKK (a PMTO course costs 45,094 DKK, VIVE 2020) that last "
        "under a year.",
        "En antagelse: forløb til nogle titusinder kroner (et PMTO-forløb koster 45.094 kr., VIVE 2020), der "
        "varer under et år."),
    "staircase.preventive.price_per_year_dkk": (
        "VIVE's cost evaluations (2020): a course of family therapy (FFT) costs 51,379 DKK and a support and "
        "contact person 57,183 DKK; ongoing support costs more.",
        "VIVE's udgiftsevalueringer (2020): et forløb med familieterapi (FFT) koster 51.379 kr. og en støtte- og "
        "kontaktperson 57.183 kr.; løbende støtte koster mere."),
    "staircase.intensive_home.price_per_year_dkk": (
        "An assumption, no public average price found: about 9 face-to-face hours a week for 46 weeks at 605 DKK "
        "an hour (a family consultant's price at one municipal provider, 688 DKK in 2024, in 2019 prices); range "
        "110,000 DKK (4 hours a week) to 420,000 DKK (15 hours a week).",
        "En antagelse, ingen offentlig gennemsnitspris fundet: omkring 9 timers direkte kontakt om ugen i 46 uger "
        "til 605 kr. i timen (en familiekonsulents pris hos én kommunal leverandør, 688 kr. i 2024, i 2019-priser); "
        "fra 110.000 kr. (4 timer om ugen) til 420.000 kr. (15 timer om ugen)."),
    "staircase.kinship_care.price_per_year_dkk": (
        "Derived, no public average price found: expenses of about 70,000 DKK a year at the statutory rate for "
        "board and lodging, plus clothes, pocket money, supervision and courses, and now and then a fee "
        "(4,152 DKK a month in 2017).",
        "Udledt, ingen offentlig gennemsnitspris fundet: udgifter på omkring 70.000 kr. om året efter den "
        "lovbestemte sats for kost og logi, plus tøj, lommepenge, supervision og kurser og af og til et "
        "vederlag (4.152 kr. om måneden i 2017)."),
    "staircase.foster_family.price_per_year_dkk": (
        "Benchmarkingenheden (2020): the average cost of a child in a foster family in 2019, 470,000 DKK a year.",
        "Benchmarkingenheden (2020): den gennemsnitlige udgift til et barn i en plejefamilie i 2019, 470.000 kr. "
        "om året."),
    "staircase.own_room.price_per_year_dkk": (
        "An assumption, no public average price found: a flat with about 8 contact hours a week (single providers "
        "charge 16,750-36,391 DKK a month for 5-15 hours a week); range 200,000 DKK to 680,000 DKK (a staffed "
        "kollegium).",
        "En antagelse, ingen offentlig gennemsnitspris fundet: en lejlighed med omkring 8 kontakttimer om ugen "
        "(enkelte leverandører tager 16.750-36.391 kr. om måneden for 5-15 timer om ugen); fra 200.000 kr. til "
        "680.000 kr. (et kollegium med personale)."),
    "staircase.residential_home.price_per_year_dkk": (
        "Benchmarkingenheden (2020): the average cost of a child in an institution or residential home in 2019, "
        "1,160,000 DKK a year.",
        "Benchmarkingenheden (2020): den gennemsnitlige udgift til et barn på en institution eller et "
        "opholdssted i 2019, 1.160.000 kr. om året."),
    "staircase.institution.price_per_year_dkk": (
        "Benchmarkingenheden (2020): the average cost of a child in an institution or residential home in 2019, "
        "1,160,000 DKK a year.",
        "Benchmarkingenheden (2020): den gennemsnitlige udgift til et barn på en institution eller et "
        "opholdssted i 2019, 1.160.000 kr. om året."),
}


def source_caption(path: str, lang: str) -> str | None:
    """Where a shipped number comes from, whole and in the language (None for a number without a caption)."""
    caption = SOURCE_CAPTIONS.get(path)
    return caption[LANGS.index(lang)] if caption else None


# Meaning of each column of the workbook's sheets (sheet "columns"); column names themselves stay English.
COLUMN_HELP = {
    "caveats": ("what the scenario's answer rests on or leaves out (its caveats: in the scenario file)",
                "hvad scenariets svar hviler på eller udelader (dets forbehold: i scenariefilen)"),
    "warning": ("a result outside what Denmark has seen (kinship share of family care)",
                "et resultat uden for det, der er set i Danmark (netværksplejens andel af familieplejen)"),
    "kind": ("caveat or warning", "forbehold eller advarsel"),
    "text": ("the caveat or warning in words", "forbeholdet eller advarslen i ord"),
    "scenario": ("scenario name", "scenariets navn"),
    "baseline": ("the scenario compared against", "scenariet, der sammenlignes med"),
    "replication": ("simulated run", "simuleret kørsel"),
    "year": ("calendar year", "kalenderår"),
    "metric": ("metric id (see the label column)", "nøgletallets id (se kolonnen label)"),
    "label": ("the metric in words", "nøgletallet i ord"),
    "mean": ("mean over the runs", "gennemsnit over kørslerne"),
    "p05": ("5 % of runs are below this", "5 % af kørslerne ligger under"),
    "p50": ("median over the runs", "median over kørslerne"),
    "p95": ("95 % of runs are below this", "95 % af kørslerne ligger under"),
    "diff_mean": (
        "mean of alternative minus baseline over paired runs",
        "gennemsnit af alternativ minus basis over parrede kørsler",
    ),
    "diff_p05": ("5 % quantile of the paired difference", "5 %-fraktil af den parrede forskel"),
    "diff_p50": ("median of the paired difference", "median af den parrede forskel"),
    "diff_p95": ("95 % quantile of the paired difference", "95 %-fraktil af den parrede forskel"),
    "discount_rate": ("yearly discount rate", "årlig diskonteringsrente"),
    "npv_dkk": (
        "present value of the net saving (baseline cost minus alternative cost), DKK; positive = saves money",
        "nutidsværdi af nettobesparelsen (udgift i basis minus udgift i alternativ), kr.; positiv = sparer penge",
    ),
    "npv_p05_dkk": ("5 % of runs have a lower net saving, DKK", "5 % af kørslerne har en lavere nettobesparelse, kr."),
    "npv_p95_dkk": (
        "95 % of runs have a lower net saving, DKK",
        "95 % af kørslerne har en lavere nettobesparelse, kr.",
    ),
    "break_even_year": (
        "first year from which the accumulated net saving (mean over runs, not discounted) stays positive "
        "to the end of the horizon; empty = not within the horizon",
        "første år, hvorfra den akkumulerede nettobesparelse (gennemsnit over kørslerne, ikke diskonteret) "
        "forbliver positiv perioden ud; tom = ikke inden for perioden",
    ),
    "cost_per_placement_avoided_dkk": (
        "gross investment per placement avoided (gross_investment_dkk / placements_avoided), DKK; never "
        "negative; empty when fewer than one placement is avoided (see per_placement_note)",
        "bruttoinvestering pr. undgået anbringelse (gross_investment_dkk / placements_avoided), kr.; aldrig "
        "negativ; tom, når under én anbringelse undgås (se per_placement_note)",
    ),
    "prob_net_saving": (
        "share of runs with a positive net saving",
        "andel af kørslerne med en positiv nettobesparelse",
    ),
    "prob_net_saving_low": (
        "lower end of the 95 % interval of the chance of a net saving (Wilson, from the number of runs)",
        "nedre grænse af 95 %-intervallet for sandsynligheden for en nettobesparelse (Wilson, ud fra antal kørsler)",
    ),
    "prob_net_saving_high": (
        "upper end of the 95 % interval of the chance of a net saving",
        "øvre grænse af 95 %-intervallet for sandsynligheden for en nettobesparelse",
    ),
    "replications": ("runs the answer rests on", "kørsler, svaret bygger på"),
    "replications_for_prob_within_5pp": (
        "runs that would pin the chance of a net saving to within 5 percentage points",
        "kørsler, der ville fastlægge sandsynligheden for en nettobesparelse inden for 5 procentpoint",
    ),
    "assumptions_drawn": (
        "true: the scenario's uncertain assumptions were drawn per run; false: held fixed (noise only)",
        "sand: scenariets usikre forudsætninger blev trukket i hver kørsel; "
        "falsk: holdt faste (kun tilfældig variation)",
    ),
    "npv_p05_noise_only_dkk": (
        "5 % point of the net saving from simulation noise alone (the assumptions' effects taken out), DKK",
        "5 %-punkt for nettobesparelsen ved tilfældig variation alene (forudsætningernes virkning trukket ud), kr.",
    ),
    "npv_p95_noise_only_dkk": (
        "95 % point of the net saving from simulation noise alone, DKK",
        "95 %-punkt for nettobesparelsen ved tilfældig variation alene, kr.",
    ),
    "path": ("the assumption's key path in the scenario", "forudsætningens nøglesti i scenariet"),
    "label_en": ("the assumption in English", "forudsætningen på engelsk"),
    "label_da": ("the assumption in Danish", "forudsætningen på dansk"),
    "grade": ("the evidence behind the range", "evidensen bag intervallet"),
    "source": ("where the value and range come from", "hvor værdi og interval kommer fra"),
    "low": ("lowest value drawn from", "laveste værdi, der trækkes fra"),
    "high": ("highest value drawn from", "højeste værdi, der trækkes fra"),
    "share_of_variance": (
        "share of the NPV's spread over runs that goes with this assumption (squared correlation)",
        "andel af spredningen i nutidsværdien over kørslerne, der følger denne forudsætning (kvadreret korrelation)",
    ),
    "npv_at_low_dkk": ("NPV at the low end of the range (linear trend over runs), DKK",
                       "nutidsværdi ved intervallets laveste værdi (lineær tendens over kørslerne), kr."),
    "npv_at_high_dkk": ("NPV at the high end of the range, DKK", "nutidsværdi ved intervallets højeste værdi, kr."),
    "p_value": (
        "chance that noise alone gives a share this large (below 0.05: the assumption stands out)",
        "sandsynlighed for, at tilfældig variation alene giver en så stor andel "
        "(under 0,05: forudsætningen skiller sig ud)",
    ),
    "gross_investment_dkk": (
        "what the policy itself adds over the horizon: the increase in caseworker salaries, in the policy's "
        "one-off and yearly costs and in the support children get instead of a placement (cost_diversion), each "
        "counted only where it rises, not net of any saving, not discounted, DKK",
        "hvad tiltaget selv lægger til over perioden: stigningen i rådgiverlønninger, i tiltagets engangs- og "
        "årlige udgifter og i støtten til børn i stedet for en anbringelse (cost_diversion), hver kun talt med, "
        "hvor den stiger, ikke modregnet besparelser, ikke diskonteret, kr.",
    ),
    "placements_avoided": (
        "fewer placements started over the horizon than in the baseline (mean over runs); negative = more",
        "færre påbegyndte anbringelser over perioden end i basis (gennemsnit over kørslerne); negativ = flere",
    ),
    "net_saving_per_placement_avoided_dkk": (
        "net saving over the horizon (not discounted) per placement avoided, DKK; negative = a net cost; "
        "empty when fewer than one placement is avoided",
        "nettobesparelse over perioden (ikke diskonteret) pr. undgået anbringelse, kr.; negativ = en "
        "nettoudgift; tom, når under én anbringelse undgås",
    ),
    "per_placement_note": (
        "why the per-placement columns are empty, if they are",
        "hvorfor kolonnerne pr. anbringelse er tomme, hvis de er",
    ),
    "price_year": ("the year whose prices the money is in", "året, hvis priser beløbene er i"),
    **{f"long_term_{a}_{stat}": (f"{what_en} ({a}), long-term value beyond the municipal budget; never part of npv_dkk",
                                 f"{what_da} ({a}), langsigtet værdi ud over kommunens budget; aldrig del af npv_dkk")
       for a in ("kommune", "region", "stat")
       for stat, what_en, what_da in (
           ("npv_dkk", "net saving in present value, mean over runs", "nettobesparelse i nutidsværdi, gennemsnit"),
           ("npv_p05_dkk", "5 % of runs below", "5 % af kørslerne under"),
           ("npv_p95_dkk", "95 % of runs below", "95 % af kørslerne under"),
           ("prob_positive", "share of runs with a net saving", "andel kørsler med nettobesparelse"))},
    "long_term_horizon_years": ("years from the start year whose long-term consequences count",
                                "år fra startåret, hvis langsigtede konsekvenser tæller med"),
    "long_term_weakest_grade": ("the weakest confidence grade of the long-term numbers used",
                                "den svageste evidensgrad blandt de langsigtede tal"),
    "long_term_illustrative": ("true when any long-term number used is illustrative",
                               "sand, når et af de langsigtede tal er illustrativt"),
    "long_term_note": ("long-term profiles left out (their quantity not reported by the run)",
                       "langsigtede profiler udeladt (kørslen rapporterer ikke deres mængde)"),
}


def text(key: str, lang: str) -> str:
    return TEXT[key][LANGS.index(lang)]


def scenario_label(name: str, lang: str, by_name: Mapping[str, Scenario] | None = None) -> str:
    """A scenario's label in the chosen language (``label:`` in its file), else its name."""
    scenario = (by_name or {}).get(name)
    return scenario.label_in(lang) if scenario is not None else str(name)


def step_label(step_id: str, lang: str, scenario: Scenario | None = None) -> str:
    """A staircase step's label from the scenario in the chosen language (its id if unknown)."""
    if scenario is not None:
        try:
            st = scenario.step(step_id)
        except KeyError:
            return step_id
        return st.label_da if lang == "da" else st.label_en
    return step_id


def metric_label(metric: str, lang: str, scenario: Scenario | None = None) -> str:
    """A metric's label from the catalogue, a step's from the scenario; the name itself if unknown."""
    LANGS.index(lang)  # an unknown language is a bug, not a label
    entry = catalogue.metric(metric)
    if entry is None:
        return metric
    if entry.per_step:
        return entry.label(lang, step_label(metric.partition(".")[2], lang, scenario))
    return entry.label(lang)


MINUS = "\u2212"  # the typographic minus sign, in text meant for reading


def format_number(x: float, lang: str, money: bool = False) -> str:
    """12,5 mio. kr. / 12.5 m DKK for money; thousands separators for counts; Danish decimal comma.

    Counts of 100 and more have no decimals (1.234 / 1,234); smaller numbers keep one or two."""
    if x is None or _missing(x):
        return "-"
    x = float(x)
    if money:
        if abs(x) >= 1e6:
            return _money_scaled(x, lang, 1e6, 1)
        s = _signed(f"{x:,.0f}")
        return (_da(s) + " kr.") if lang == "da" else f"{s} DKK"
    s = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"
    s = _signed(s)
    return _da(s) if lang == "da" else s


def format_setting_value(x: float | None, lang: str) -> str:
    """A setting's value as a scenario holds it, without rounding away what a lever changes: 34.2 / 34,2;
    470,000 / 470.000; 0.12 / 0,12 (at most four decimals); None is an unlimited capacity."""
    if x is None:
        return text("lever_unlimited", lang)
    s = f"{float(x):,.4f}".rstrip("0").rstrip(".")
    s = _signed(s)
    return _da(s) if lang == "da" else s


def lever_effect_line(effect, lang: str) -> str:
    """What one lever does to a scenario (a ``sim.model.levers.LeverEffect``), in one line:
    'caseworkers.fte: 20 → 25 (+5 from 2027-01-01)', 'caseworkers.fte: 34,2 → 51,3 (×1,5 fra 2027-01-01, over
    12 måneder)'."""
    before, after = format_setting_value(effect.before, lang), format_setting_value(effect.after, lang)
    if effect.change == "by":
        change = ("+" if effect.amount >= 0 else "") + format_setting_value(effect.amount, lang) + " "
    elif effect.change == "times":
        change = "×" + format_setting_value(effect.amount, lang) + " "
    else:
        change = ""
    when = f"{change}{text('lever_from', lang)} {effect.start.isoformat()}"
    if effect.ramp_months > 0:
        when += ", " + text("lever_over", lang).format(months=format_setting_value(effect.ramp_months, lang))
    return f"{effect.setting}: {before} → {after} ({when})"


def format_money_range(lo: float, hi: float, lang: str) -> tuple[str, str]:
    """Two amounts in the same unit, the unit on the second only: ('-3.1', '25.0 m DKK') /
    ('-3,1', '25,0 mio. kr.'), as in "between -3.1 and 25.0 m DKK"."""
    if _missing(lo) or _missing(hi):
        return format_number(lo, lang, money=True), format_number(hi, lang, money=True)
    big = max(abs(float(lo)), abs(float(hi)))
    if big >= 1e6:
        first = _signed(f"{float(lo) / 1e6:,.1f}")
        return (_da(first) if lang == "da" else first), _money_scaled(float(hi), lang, 1e6, 1)
    first = _signed(f"{float(lo):,.0f}")
    return (_da(first) if lang == "da" else first), format_number(hi, lang, money=True)


def money_unit(lang: str) -> str:
    """The plain money unit: 'kr.' / 'DKK'."""
    return "kr." if lang == "da" else "DKK"


def format_percent(x: float, lang: str, digits: int = 0) -> str:
    """0.455 -> '46 %' ('45,5 %' with digits=1 in Danish)."""
    if x is None or _missing(x):
        return "-"
    s = _signed(f"{100 * float(x):.{digits}f}")
    return (_da(s) if lang == "da" else s) + " %"


def _money_scaled(x: float, lang: str, scale: float, digits: int) -> str:
    s = _signed(f"{x / scale:,.{digits}f}")
    return (_da(s) + " mio. kr.") if lang == "da" else f"{s} m DKK"


def _signed(s: str) -> str:
    """'-3.1' with a typographic minus; '-0' and '-0.0' become '0' and '0.0'."""
    if s.startswith("-"):
        body = s[1:]
        return body if body.strip("0.,") == "" else MINUS + body
    return s


def _missing(x) -> bool:
    try:
        return bool(x is None or x is pd.NA or math.isnan(float(x)) or math.isinf(float(x)))
    except (TypeError, ValueError):
        return True


def _da(s: str) -> str:
    """1,234.5 -> 1.234,5"""
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# settings a sweep varies or a sensitivity analysis samples, as a reader reads them; a staircase step's own
# setting reads '{step}: ...' with the step's label (SETTING_PER_STEP)
SETTING_TEXT: dict[str, tuple[str, str]] = {
    "population.aged_0_17": ("Children aged 0-17", "Børn i alderen 0-17"),
    "population.growth_per_year": ("Growth in the number of children per year", "Årlig vækst i antal børn"),
    "caseworkers.fte": ("Caseworkers (FTEs)", "Rådgivere (årsværk)"),
    "caseworkers.cost_per_fte_dkk": ("Cost of a caseworker per year (DKK)", "Udgift pr. rådgiver pr. år (kr.)"),
    "caseworkers.family_time.max_effect": ("Effect of hours per case on step choices and step-downs",
                                           "Effekt af timer pr. sag på valg af trin og nedtrapning"),
    "investigation.hours": ("Hours per investigation", "Timer pr. børnefaglig undersøgelse"),
    "reviews.interval_months": ("Review interval (months)", "Opfølgningsinterval (måneder)"),
    "reviews.step_down_share": ("Step-down share at review", "Andel trappet ned ved opfølgning"),
    "notifications.per_1000_aged_0_17": ("Notifications per 1,000 aged 0-17",
                                         "Underretninger pr. 1.000 0-17-årige"),
    "notifications.trend_per_year": ("Notification trend per year", "Årlig udvikling i underretninger"),
    "screening.share_closed_after_advice": ("Share of inquiries closed after advice",
                                            "Andel henvendelser lukket efter rådgivning"),
}
SETTING_PER_STEP: dict[str, tuple[str, str]] = {
    "price_per_year_dkk": ("{step}: price per year (DKK)", "{step}: pris pr. år (kr.)"),
    "uptake_share": ("{step}: share", "{step}: andel"),
    "capacity": ("{step}: places", "{step}: pladser"),
}


def setting_label(path: str, lang: str, scenario: Scenario | None = None) -> str | None:
    """A setting's name in the language ('caseworkers.fte' -> 'Rådgivere (årsværk)'; a step's price reads
    'Plejefamilie: pris pr. år (kr.)'), or None when the path has no label here (the caller shows the path)."""
    k = LANGS.index(lang)
    if path in SETTING_TEXT:
        return SETTING_TEXT[path][k]
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "staircase" and parts[2] in SETTING_PER_STEP:
        step = step_label(parts[1], lang, scenario)
        if step != parts[1] or scenario is None:
            return SETTING_PER_STEP[parts[2]][k].format(step=step)
    return None


def year_span(first: int, last: int) -> str:
    """The years of a horizon as text: '2027–2031', or '2027' when it is one year (never '2027–2027')."""
    first, last = int(first), int(last)
    return str(first) if first == last else f"{first}–{last}"


def over_years(first: int, last: int, lang: str) -> str:
    """A sentence's start over a horizon: 'Over 2027–2031' / 'I 2027–2031'; 'In 2027' / 'I 2027' for one year."""
    if int(first) == int(last):
        return text("in_year", lang).format(year=int(first))
    return text("over_years", lang).format(years=year_span(first, last))


# the first screen: one line per policy (sim.outputs.report.answer_line), then each answer in full, folded
TEXT.update({
    "in_year": ("In {year}", "I {year}"),
    "over_years": ("Over {years}", "I {years}"),
    "line_npv": ("net saving {npv} (5-95 %: {lo} to {hi})", "nettobesparelse {npv} (5-95 %: {lo} til {hi})"),
    "line_chance": ("chance of a net saving {p}", "sandsynlighed for nettobesparelse {p}"),
    "line_chance_runs": (" ({n} runs)", " ({n} kørsler)"),
    "line_chance_error": (" (± {error} points, {n} runs)", " (± {error} procentpoint, {n} kørsler)"),
    "line_worse": ("worse for the children: {change}", "værre for børnene: {change}"),
    "line_better": ("better for the children: {change}", "bedre for børnene: {change}"),
    "line_no_clear_change": ("no clear change for the children", "ingen klar ændring for børnene"),
    "line_kinship": ("kinship share outside Danish experience", "netværksandel uden for dansk erfaring"),
    "sec_answers": ("The answers", "Svarene"),
    "sec_answers_in_full": ("Each answer in full", "Hvert svar i sin helhed"),
    "answers_in_full_hint": (
        "Click a policy to read its answer in full: its chance of a saving, what it rests on, and its caveats.",
        "Klik på en politik for at læse hele dens svar: chancen for en besparelse, hvad den hviler på, og dens "
        "forbehold.",
    ),
})
