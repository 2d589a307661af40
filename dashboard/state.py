"""The view's state in the URL: profile, weights, cities and language under short, stable, readable keys.

``decode`` never raises: an invalid parameter is dropped and reported as a notice (key, value, why), so a
mangled shared link still opens. ``encode`` writes only what differs from the defaults, so links stay short.
Pure functions (no Streamlit) so they are tested directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from dashboard.catalog import schema as S
from dashboard.engine import score as SC
from dashboard.engine.profile import Profile

MAX_PARAM_LEN = 200

# URL key -> profile field
PROFILE_KEYS: dict[str, str] = {
    "age": "age", "origin": "origin", "degree": "degree", "field": "field", "grad": "graduation_year",
    "rank": "university_rank", "abroad": "degree_abroad", "exp": "experience_years", "salary": "annual_salary_cny",
    "intent": "intent", "months": "months_in_china_per_year", "hsk": "hsk_level", "cn_degree": "chinese_taught_degree",
    "ex_cn": "former_chinese_national", "f500": "fortune500_experience", "patent": "holds_patent",
    "yic": "years_in_china_continuous", "ret": "years_since_return", "home": "owns_home_in_city",
    "spouse": "spouse", "kids": "children", "horizon": "horizon_years", "rate": "discount_rate",
    "grad_date": "graduation_date", "arrive": "arrival_date", "start": "work_start_date",
}
# Page-level keys (dashboard/page_url.py reads and writes them): URL key -> the widget key it restores.
# Kept here so decode() knows them (no "unknown parameter" notice) while the pages validate the values.
PAGE_KEYS: dict[str, str] = {
    "pcity": "plan_city", "xlang": "plan_export_lang",
    "home": "bench_home", "barch": "bench_map_arch", "bcat": "bench_cost_cat",
    "bsubj": "brief_subject", "bhome": "brief_home", "bname": "brief_name",
}
DATE_FIELDS = {"graduation_date", "arrival_date", "work_start_date"}
BOOL_FIELDS = {f for f, info in Profile.model_fields.items() if info.annotation == (bool | None)}
INT_FIELDS = {"age", "graduation_year", "university_rank", "hsk_level", "children", "horizon_years"}
FLOAT_FIELDS = {"experience_years", "annual_salary_cny", "months_in_china_per_year", "years_in_china_continuous",
                "years_since_return", "discount_rate"}


@dataclass
class ViewState:
    profile: dict[str, Any] = field(default_factory=dict)
    preset: str = SC.DEFAULT_PRESET
    weights: dict[str, float] | None = None          # None: the preset's weights
    cities: list[str] = field(default_factory=list)  # empty: all
    lang: str = "en"
    notices: list[tuple[str, str, str]] = field(default_factory=list)  # (key, value, reason)


def _clip(v: str) -> str:
    return v if len(v) <= 40 else v[:37] + "..."


def _parse_value(fname: str, raw: str) -> Any:
    if raw == "":
        return None  # an explicit "unknown" (the preset's value was cleared)
    if fname in BOOL_FIELDS:
        if raw in ("1", "true", "yes"):
            return True
        if raw in ("0", "false", "no"):
            return False
        raise ValueError("expected 1 or 0")
    if (fname in INT_FIELDS or fname in FLOAT_FIELDS) and not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", raw):
        raise ValueError("expected a number")
    if fname in INT_FIELDS:
        return int(raw)
    if fname in DATE_FIELDS:
        from datetime import date

        return date.fromisoformat(raw)
    if fname in FLOAT_FIELDS:
        x = float(raw)
        if x != x or x in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return x
    return raw


def full_profile(st: ViewState) -> dict[str, Any]:
    """The profile a decoded view stands for: the preset's profile with the link's fields over it."""
    prof = {**PROFILE_PRESETS.get(st.preset, {}), **st.profile}
    return {k: v for k, v in prof.items() if v is not None}


def decode(params: Mapping[str, str | list[str]], known_cities: list[str]) -> ViewState:
    st = ViewState()
    for key, value in params.items():
        raw = (value[-1] if value else "") if isinstance(value, list) else value
        raw = str(raw)
        if len(raw) > MAX_PARAM_LEN:
            st.notices.append((key[:40], _clip(raw), "too long"))
            continue
        if key == "lang":
            if raw in ("en", "zh"):
                st.lang = raw
            else:
                st.notices.append((key, _clip(raw), "expected en or zh"))
        elif key == "preset":
            if raw in SC.PRESETS:
                st.preset = raw
            else:
                st.notices.append((key, _clip(raw), f"expected one of {', '.join(SC.PRESETS)}"))
        elif key == "w":
            try:
                w = {}
                for part in raw.split(","):
                    d, _, n = part.partition(":")
                    if d not in SC.DIMENSIONS:
                        raise ValueError(f"unknown dimension {d[:20]!r}")
                    x = float(n)
                    if not 0 <= x <= 100:
                        raise ValueError("weights go from 0 to 100")
                    w[d] = x
                SC.weight_vector(w)
                # the optional money_left appears only when weighted, so older links and presets read the same
                st.weights = {d: w.get(d, 0.0) for d in SC.DIMENSIONS if d != "money_left" or w.get(d)}
            except ValueError as e:
                st.notices.append((key, _clip(raw), str(e)))
        elif key == "cities":
            want = [c for c in raw.split(",") if c]
            bad = [c for c in want if c not in known_cities]
            if bad:
                st.notices.append((key, _clip(",".join(bad)), "unknown city"))
            st.cities = [c for c in want if c in known_cities]
        elif key in PROFILE_KEYS:
            fname = PROFILE_KEYS[key]
            try:
                val = _parse_value(fname, raw)
                Profile.model_validate({**st.profile, fname: val})
                st.profile[fname] = val
            except (ValueError, ValidationError) as e:
                msg = e.errors()[0]["msg"] if isinstance(e, ValidationError) else str(e)
                st.notices.append((key, _clip(raw), msg))
        elif key in PAGE_KEYS:
            continue  # the page that owns it validates it (page_url.restore)
        else:
            st.notices.append((key[:40], _clip(raw), "unknown parameter"))
    return st


def encode(st: ViewState) -> dict[str, str]:
    out: dict[str, str] = {}
    if st.lang != "en":
        out["lang"] = st.lang
    if st.preset != SC.DEFAULT_PRESET:
        out["preset"] = st.preset
    preset_w = {d: SC.PRESETS[st.preset].get(d, 0) for d in SC.DIMENSIONS}
    if st.weights is not None and {d: st.weights.get(d, 0) for d in SC.DIMENSIONS} != preset_w:
        out["w"] = ",".join(f"{d}:{st.weights.get(d, 0):g}" for d in SC.DIMENSIONS
                            if d != "money_left" or st.weights.get(d))
    if st.cities:
        out["cities"] = ",".join(st.cities)
    # Profile fields are written relative to the preset the view starts from: only what differs, with an
    # empty value for a field the user cleared to unknown. decode + the preset give the same profile back.
    base = {**Profile().model_dump(), **PROFILE_PRESETS.get(st.preset, {})}
    for key, fname in PROFILE_KEYS.items():
        if fname not in st.profile:  # not given: as the preset has it
            continue
        v = st.profile[fname]
        if v == base.get(fname):
            continue
        if v is None:
            out[key] = ""
            continue
        if hasattr(v, "isoformat"):
            out[key] = v.isoformat()
            continue
        out[key] = ("1" if v else "0") if isinstance(v, bool) else (f"{v:g}" if isinstance(v, float) else str(v))
    return out


# --- presets of profiles (the five audiences) -----------------------------------------------------------

PROFILE_PRESETS: dict[str, dict[str, Any]] = {
    "graduate": {"age": 24, "origin": "mainland", "degree": "master", "field": "ai", "graduation_year": 2026,
                 "annual_salary_cny": 250000, "intent": "employment", "owns_home_in_city": False},
    "phd_researcher": {"age": 31, "origin": "returnee", "degree": "phd", "field": "biotech", "graduation_year": 2026,
                       "university_rank": 80, "annual_salary_cny": 400000, "intent": "research", "years_since_return": 0,
                       "owns_home_in_city": False},
    "founder": {"age": 30, "origin": "returnee", "degree": "master", "field": "advanced_manufacturing",
                "graduation_year": 2022, "university_rank": 150, "annual_salary_cny": 300000, "intent": "startup",
                "years_since_return": 1, "owns_home_in_city": False},
    "family_mover": {"age": 35, "origin": "overseas_chinese", "degree": "phd", "field": "semiconductors",
                     "graduation_year": 2018, "annual_salary_cny": 600000, "intent": "employment", "experience_years": 8,
                     "spouse": True, "children": 2, "months_in_china_per_year": 12, "owns_home_in_city": False},
    "k_visa_talent": {"age": 25, "origin": "foreign", "degree": "bachelor", "field": "ai", "graduation_year": 2025,
                      "university_rank": 300, "degree_abroad": True, "annual_salary_cny": 200000, "intent": "employment",
                      "months_in_china_per_year": 12, "hsk_level": 3, "experience_years": 0, "owns_home_in_city": False},
}
assert set(PROFILE_PRESETS) == set(SC.PRESETS)
assert all(set(p) <= set(Profile.model_fields) for p in PROFILE_PRESETS.values())
assert all(f in S.FIELDS for p in PROFILE_PRESETS.values() for f in [p["field"]])
