"""What a policy does to the user's municipality, in the user's words, before the run (sim/app/effects.py)."""

from __future__ import annotations

import datetime as dt

from sim.app import building, effects
from sim.model.levers import LEVER_SETTINGS, STEP_LEVER_FIELDS


def scaled(children: int) -> dict:
    return building.start_scaled(children).raw


def with_levers(raw: dict, *levers: dict) -> dict:
    out = dict(raw)
    out["name"] = "policy"
    out["levers"] = [{"start": "2027-01-01", "ramp_months": 0, **lever} for lever in levers]
    return out


def test_every_lever_setting_has_words_in_both_languages():
    for words in [*effects.SETTING_WORDS.values(), *effects.STEP_FIELD_WORDS.values()]:
        kind, en, da = words
        assert kind in ("count", "money", "share") and "{b}" in en and "{a}" in da
    assert set(LEVER_SETTINGS) <= set(effects.SETTING_WORDS)
    assert set(STEP_LEVER_FIELDS) == set(effects.STEP_FIELD_WORDS)


def test_a_price_lever_reads_as_the_steps_price_in_kroner_before_and_after():
    raw = scaled(20000)
    foster = next(s for s in raw["staircase"] if s["id"] == "foster_family")
    old = foster["price_per_year_dkk"]
    policy = with_levers(raw, {"setting": "staircase.foster_family.price_per_year_dkk", "by": 50000})
    (line,) = effects.policy_effects(policy, "da")
    old_da = f"{old:,.0f}".replace(",", ".")
    new_da = f"{old + 50000:,.0f}".replace(",", ".")
    assert line.startswith(f"{foster['label_da']}: pris {old_da} → {new_da} kr. pr. år (+50.000)"), line
    (line,) = effects.policy_effects(policy, "en")
    assert line.startswith(f"{foster['label_en']}: price {old:,.0f} → {old + 50000:,.0f} DKK a year"), line


def test_a_relative_lever_is_shown_on_this_municipalitys_own_numbers():
    """The same 'times 1.5' gives other numbers in a municipality twice the size."""
    small, large = scaled(10000), scaled(20000)
    lever = {"setting": "caseworkers.fte", "times": 1.5}
    lines = [effects.policy_effects(with_levers(r, lever), "da")[0] for r in (small, large)]
    for raw, line in zip((small, large), lines):
        fte = raw["caseworkers"]["fte"]
        before = f"{fte:g}".replace(".", ",")
        after = f"{round(fte * 1.5, 2):g}".replace(".", ",")
        assert line.startswith(f"{before} → {after} rådgivere (årsværk) (+"), line
    assert lines[0] != lines[1]


def test_a_cut_shows_its_minus_and_a_share_reads_in_per_cent_with_the_phase_in():
    raw = scaled(20000)
    policy = with_levers(raw, {"setting": "caseworkers.fte", "by": -3},
                         {"setting": "diversion.share", "value": 0.3, "ramp_months": 6})
    cut, share = effects.policy_effects(policy, "da")
    assert "(−3)" in cut
    assert share == "intensiv støtte i hjemmet i stedet for anbringelse 0 % → 30 % (+30 %-point), " \
                    "fra 1. januar 2027, indfaset over 6 måneder"
    assert effects.long_date(dt.date(2027, 3, 1), "en") == "1 March 2027"


def test_an_unset_capacity_is_unlimited_and_an_invalid_policy_shows_nothing():
    raw = scaled(20000)
    policy = with_levers(raw, {"setting": "staircase.foster_family.capacity", "value": 40})
    (line,) = effects.policy_effects(policy, "da")
    assert "ubegrænset → 40 pladser" in line
    broken = with_levers(raw, {"setting": "diversion.share", "value": 2.0})
    assert effects.policy_effects(broken, "da") == []


def test_a_policy_that_sets_plain_settings_shows_them_against_the_municipality():
    raw = scaled(20000)
    policy = building.with_policy(raw, building.shipped_policies()["rising-notifications"])
    lines = effects.setting_changes(raw, policy, "da")
    assert any(line.startswith("årlig udvikling i underretninger 0 % → 5,4 %") for line in lines), lines
    assert effects.setting_changes(raw, raw, "da") == []
