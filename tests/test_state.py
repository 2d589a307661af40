"""URL state: every preset round-trips through the link; bad parameters become notices, never errors."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import state as STATE
from dashboard.engine import score as SC

CITIES = ["beijing", "chengdu", "hangzhou", "shanghai", "shenzhen"]


@pytest.mark.parametrize("preset", list(STATE.PROFILE_PRESETS))
def test_preset_round_trip(preset: str) -> None:
    vs = STATE.ViewState(profile=dict(STATE.PROFILE_PRESETS[preset]), preset=preset,
                         weights={**SC.PRESETS[preset], "market": 33.0}, cities=["beijing", "shenzhen"], lang="zh")
    back = STATE.decode(STATE.encode(vs), CITIES)
    assert back.notices == []
    assert STATE.full_profile(back) == {k: v for k, v in vs.profile.items() if v is not None}
    assert back.weights == vs.weights and back.cities == vs.cities and back.lang == "zh" and back.preset == preset


def test_dates_round_trip_on_top_of_the_preset() -> None:
    prof = {**STATE.PROFILE_PRESETS["graduate"], "graduation_date": date(2026, 6, 30), "work_start_date": date(2026, 9, 1)}
    enc = STATE.encode(STATE.ViewState(profile=prof))
    assert enc == {"grad_date": "2026-06-30", "start": "2026-09-01"}
    assert STATE.full_profile(STATE.decode(enc, CITIES)) == prof


def test_a_cleared_preset_field_stays_unknown() -> None:
    prof = {**STATE.PROFILE_PRESETS["phd_researcher"], "age": None}
    enc = STATE.encode(STATE.ViewState(profile=prof, preset="phd_researcher"))
    assert enc["age"] == ""
    assert "age" not in STATE.full_profile(STATE.decode(enc, CITIES))


@pytest.mark.parametrize(("params", "key"), [
    ({"age": "abc"}, "age"), ({"age": "200"}, "age"), ({"degree": "wizard"}, "degree"), ({"lang": "fr"}, "lang"),
    ({"w": "money:-1"}, "w"), ({"w": "luck:5"}, "w"), ({"w": "money:0,housing:0"}, "w"), ({"cities": "atlantis"}, "cities"),
    ({"preset": "x"}, "preset"), ({"salary": "nan"}, "salary"), ({"salary": "inf"}, "salary"), ({"abroad": "maybe"}, "abroad"),
    ({"grad_date": "2026-13-01"}, "grad_date"), ({"zzz": "1"}, "zzz"), ({"age": "9" * 500}, "age"),
])
def test_bad_parameters_are_notices(params: dict[str, str], key: str) -> None:
    vs = STATE.decode(params, CITIES)
    assert [n[0] for n in vs.notices] == [key]
    assert vs.profile == {}


def test_profile_fields_override_the_preset() -> None:
    vs = STATE.decode({"preset": "founder", "age": "40"}, CITIES)
    full = STATE.full_profile(vs)
    assert full["age"] == 40 and full["intent"] == "startup"


def test_defaults_are_not_written() -> None:
    assert STATE.encode(STATE.ViewState()) == {}
