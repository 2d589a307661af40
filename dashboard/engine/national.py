"""The national scheme against a profile: work-permit points and class, K / R / Z visas, permanent residence.

Pure: takes the loaded models (``load_catalog().national``) as arguments; no Streamlit, plotly or I/O. Every
result is a plain frozen dataclass that ``dataclasses.asdict`` turns into JSON-ready data, and every check
says why in English and Chinese and names its sources as ``"file:source_id"`` (file = the data file's stem,
e.g. ``"work_permit:S45"``).

Three values, as in the city rules: pass / fail / unknown. Unknown (the profile does not say, or a human must
judge) is never fail. Two things are kept apart from the verdicts so that they do not make everyone
"possibly class A":

* the points table's local bonus (up to 10, set by each province for its shortage lists) is shown but not
  added to the total (``assessed=False``);
* routes whose every condition needs a human judgement (a talent programme, a Nobel prize) are listed in
  ``other_routes`` and do not move the class; a route that mixes checkable conditions with a judgement
  (the post-doc route: degree and age, then "at a university") makes its class "possible" only when one of
  its checkable conditions passes.

Origins: the work permit and permanent residence are for foreign nationals; mainland citizens (and the
other Chinese-citizen origins) get ``not_applicable``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from dashboard.catalog import national as N
from dashboard.catalog import schema as S
from dashboard.engine import rules as R
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.tax import iit_annual, taxable_income_from_salary

Tri = Literal["pass", "fail", "unknown"]
ClassStatus = Literal["pass", "unknown", "fail", "not_applicable"]

FILE_K, FILE_RZ, FILE_WP, FILE_IIT, FILE_ZONES, FILE_PR = "k_visa", "r_z_visas", "work_permit", "iit", "zones", "pr_routes"

# Profile fields the work-permit result depends on (callers cache on them).
PERMIT_FIELDS: tuple[str, ...] = (
    "age", "origin", "degree", "field", "graduation_year", "university_rank", "degree_abroad",
    "experience_years", "annual_salary_cny", "intent", "months_in_china_per_year", "hsk_level",
    "chinese_taught_degree", "former_chinese_national", "fortune500_experience", "holds_patent",
    "years_in_china_continuous",
)

CLASS_ORDER = {"A": 3, "B": 2, "C": 1}


# --- the scheme ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalScheme:
    """The six national files, typed. Built by :func:`national_scheme`."""

    k_visa: N.KVisaFile
    r_z_visas: N.RZVisasFile
    work_permit: N.WorkPermitFile
    iit: N.IitFile
    zones: N.ZonesFile
    pr_routes: N.PrFile


_EXPECTED: dict[str, type[BaseModel]] = {
    FILE_K: N.KVisaFile, FILE_RZ: N.RZVisasFile, FILE_WP: N.WorkPermitFile, FILE_IIT: N.IitFile,
    FILE_ZONES: N.ZonesFile, FILE_PR: N.PrFile,
}


def national_scheme(models: dict[str, BaseModel]) -> NationalScheme:
    """Build the scheme from ``load_catalog().national`` (keyed by file stem). Raises ValueError naming
    every missing or mistyped file: the engine needs all six."""
    problems = []
    for stem, cls in _EXPECTED.items():
        m = models.get(stem)
        if m is None:
            problems.append(f"data/national/{stem}.yaml is missing or did not validate")
        elif not isinstance(m, cls):
            problems.append(f"data/national/{stem}.yaml holds a {type(m).__name__}; expected {cls.__name__}")
    if problems:
        raise ValueError("; ".join(problems))
    return NationalScheme(models[FILE_K], models[FILE_RZ], models[FILE_WP], models[FILE_IIT],  # type: ignore[arg-type]
                          models[FILE_ZONES], models[FILE_PR])


# --- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One rule against the profile. ``grants`` names the permit class a route leads to (None otherwise)."""

    id: str
    status: Tri
    reason_en: str
    reason_zh: str
    sources: tuple[str, ...]
    name_en: str = ""
    name_zh: str = ""
    grants: str | None = None


@dataclass(frozen=True)
class FactorScore:
    """One row of the points table. ``points`` is None when the profile leaves it open; the range is then
    [points_min, points_max]. ``assessed`` is False for the local bonus, which the total leaves out."""

    id: str
    name_en: str
    name_zh: str
    points: int | None
    points_min: int
    points_max: int
    cap: int
    assessed: bool
    reason_en: str
    reason_zh: str
    verification: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class NextStep:
    """What the profile lacks for the next class up."""

    target: str
    points_needed: int | None
    hints_en: list[str]
    hints_zh: list[str]


@dataclass(frozen=True)
class PermitResult:
    """The work permit in one city.

    ``permit_class`` is the best class the profile reaches or may reach; ``class_status`` says which:
    ``pass`` (reached), ``unknown`` (possible, not confirmed; ``confirmed_class`` is what is sure), ``fail``
    (no permit: a general requirement fails), ``not_applicable`` (not a foreign national). When neither A nor
    B is in reach the class is ``C`` with status unknown: C is a set of job categories, not a score band."""

    city: str
    applicable: bool
    factors: list[FactorScore]
    points_min: int
    points_max: int
    local_bonus_max: int
    class_by_points: str | None
    class_by_points_max: str | None
    requirements: list[Check]
    routes: list[Check]
    other_routes: list[Check]
    permit_class: str | None
    class_status: ClassStatus
    confirmed_class: str | None
    reason_en: str
    reason_zh: str
    next_class: NextStep | None
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def klass(self) -> str | None:
        """The class to test city conditions against: the reached class, else the confirmed one."""
        if self.class_status == "pass":
            return self.permit_class
        if self.class_status == "unknown" and self.permit_class in ("A", "B"):
            return self.confirmed_class
        return None

    @property
    def klass_known(self) -> bool:
        """False only while A or B is possible but unconfirmed (then A/B conditions are unknown)."""
        return not (self.class_status == "unknown" and self.permit_class in ("A", "B"))


@dataclass(frozen=True)
class VisaResult:
    visa: str
    status: str  # pass | fail | unknown | not_applicable
    checks: list[Check]
    provisional: bool
    reason_en: str
    reason_zh: str
    sources: tuple[str, ...] = field(default_factory=tuple)


# --- helpers -------------------------------------------------------------------------------------------


def _src(file: str, ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"{file}:{i}" for i in ids)


def _combine(statuses: Iterable[str]) -> Tri:
    st = list(statuses)
    if "fail" in st:
        return "fail"
    if "unknown" in st:
        return "unknown"
    return "pass"


def _best(statuses: Iterable[str]) -> Tri:
    """Any-of: pass if one passes, else unknown if one is unknown, else fail."""
    st = list(statuses)
    if "pass" in st:
        return "pass"
    if "unknown" in st:
        return "unknown"
    return "fail"


def _money(x: float) -> str:
    return f"RMB {x:,.0f}"


def _money_zh(x: float) -> str:
    return f"{x:,.0f}元"


def _num(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class _Ctx:
    nat: NationalScheme
    city: str | None
    today: date
    local_wage: float | None
    points: tuple[int, int] | None = None


def _r(kind: str, status: Tri, en: str, zh: str) -> R.CondResult:
    return R.CondResult(kind, status, en, zh)


def _iit_of(p: Profile, nat: NationalScheme) -> float | None:
    if p.annual_salary_cny is None:
        return None
    return iit_annual(taxable_income_from_salary(p.annual_salary_cny, nat), nat)


def _eval(c: Any, p: Profile, ctx: _Ctx) -> R.CondResult:
    """A route condition: the national kinds here, the city vocabulary through engine.rules."""
    k = c.kind
    if k == "stem_field":
        if p.field is None:
            return _r(k, "unknown", "requires a STEM field; the profile gives no field", "要求理工科领域；档案未填写领域")
        ok = p.field in S.STEM_FIELDS
        return _r(k, "pass" if ok else "fail", f"requires a STEM field; the profile's field is {p.field}",
                  f"要求理工科领域；档案领域为{R.FIELD_ZH.get(p.field, p.field)}")
    if k == "points":
        if ctx.points is None:
            return _r(k, "unknown", f"requires {c.min} points; no points computed", f"要求{c.min}分；未计算积分")
        lo, hi = ctx.points
        got_en = f"{lo}" if lo == hi else f"{lo}-{hi}"
        if lo >= c.min:
            st: Tri = "pass"
        elif hi < c.min:
            st = "fail"
        else:
            st = "unknown"
        return _r(k, st, f"requires {c.min} points or more; the profile scores {got_en}",
                  f"要求{c.min}分及以上；档案得分{got_en}")
    if k == "years_in_china":
        need_en, need_zh = f"at least {_num(c.min)} consecutive years working in China", f"在华连续工作满{_num(c.min)}年"
        y = p.years_in_china_continuous
        if y is None:
            return _r(k, "unknown", f"{need_en}; the profile does not say", f"须{need_zh}；档案未填写")
        ok = y >= c.min
        return _r(k, "pass" if ok else "fail", f"{need_en}; the profile has {_num(y)}",
                  f"须{need_zh}；档案为{_num(y)}年")
    if k == "iit_paid":
        if c.min_cny is not None:
            floor = c.min_cny
            need_en, need_zh = f"annual IIT at least {_money(floor)}", f"年缴个税不低于{_money_zh(floor)}"
        else:
            if ctx.local_wage is None:
                return _r(k, "unknown", f"annual IIT at least {c.min_share:.0%} of {_num(c.of_local_wage_multiple)}x "
                          "the local average wage; that wage is not in the data",
                          f"年缴个税不低于当地平均工资{_num(c.of_local_wage_multiple)}倍的{c.min_share:.0%}；数据中无当地平均工资")
            floor = c.min_share * c.of_local_wage_multiple * ctx.local_wage
            need_en = (f"annual IIT at least {c.min_share:.0%} of {_num(c.of_local_wage_multiple)}x the local average "
                       f"wage ({_money(floor)})")
            need_zh = f"年缴个税不低于当地平均工资{_num(c.of_local_wage_multiple)}倍的{c.min_share:.0%}（{_money_zh(floor)}）"
        tax = _iit_of(p, ctx.nat)
        if tax is None:
            return _r(k, "unknown", f"{need_en}; the profile gives no salary", f"{need_zh}；档案未填写薪酬")
        ok = tax >= floor
        return _r(k, "pass" if ok else "fail",
                  f"{need_en}; estimated IIT on the profile's salary is {_money(tax)} (basic deduction only)",
                  f"{need_zh}；按档案薪酬估算个税为{_money_zh(tax)}（仅扣基本减除费用）")
    if k == "degree_abroad":
        abroad = p.degree_abroad
        if abroad is None and p.origin == "returnee":
            abroad = True
        want_en = "a degree earned abroad" if c.required else "a degree earned in China"
        want_zh = "境外学位" if c.required else "境内学位"
        if abroad is None:
            return _r(k, "unknown", f"requires {want_en}; the profile does not say where", f"须持{want_zh}；档案未说明学位获得地")
        has_en = "abroad" if abroad else "in China"
        has_zh = "境外" if abroad else "境内"
        return _r(k, "pass" if abroad == c.required else "fail", f"requires {want_en}; the profile's was earned {has_en}",
                  f"须持{want_zh}；档案学位获得地为{has_zh}")
    rctx = R.CityContext(city=ctx.city or "", today=ctx.today, local_annual_wage=ctx.local_wage)
    return R.evaluate_condition(c, p, rctx)


def _gate(rule: N.Rule, today: date) -> R.CondResult | None:
    """The rule's own status as a condition: a closed or proposed rule cannot be used."""
    if rule.status == "expired" or (rule.valid_to and rule.valid_to < today):
        end = f" on {rule.valid_to}" if rule.valid_to else ""
        end_zh = f"已于{rule.valid_to}" if rule.valid_to else "已"
        if rule.status == "unknown":
            return _r("policy_status", "unknown", f"scheduled to end{end}; no extension was found",
                      f"原定{end_zh}到期；未见延期")
        return _r("policy_status", "fail", f"the rule expired{end}", f"该规定{end_zh}到期")
    if rule.status == "proposed":
        return _r("policy_status", "fail", "proposed, not in force", "仅为拟议，尚未实施")
    if rule.valid_from and rule.valid_from > today:
        return _r("policy_status", "fail", f"starts on {rule.valid_from}", f"自{rule.valid_from}起实施")
    if rule.status == "unknown":
        return _r("policy_status", "unknown", "whether this rule is still in force is not confirmed",
                  "该规定目前是否仍有效未经确认")
    return None


def _is_manual_only(route: N.Route) -> bool:
    return not route.disputed and all(c.kind == "manual" for c in route.conditions)


def _route_eval(route: N.Route, p: Profile, ctx: _Ctx, file: str) -> tuple[Check, bool]:
    """The route as a Check, plus whether the profile gives positive evidence for it: a route with a
    judgement call (a manual condition) counts as "possible" only when one of its checkable conditions
    passes, so that a blank profile is not "possibly class A" through the entrepreneur route."""
    results = [_eval(c, p, ctx) for c in route.conditions]
    for c in route.disputed:
        r = _eval(c, p, ctx)
        if r.status == "fail":
            r = _r(r.kind, "unknown", f"sources disagree on whether this is required: {r.reason_en}",
                   f"来源对是否要求此项说法不一：{r.reason_zh}")
        results.append(r)
    has_manual = any(r.kind == "manual" for r in results)
    evidence = not has_manual or any(r.status == "pass" and r.kind != "manual" for r in results)
    gate = _gate(route, ctx.today)
    if gate is not None:
        results.insert(0, gate)
    status = _combine(r.status for r in results)
    if status == "pass":
        en, zh = "; ".join(r.reason_en for r in results), "；".join(r.reason_zh for r in results)
    elif status == "fail":
        bad = [r for r in results if r.status == "fail"]
        en, zh = "; ".join(r.reason_en for r in bad), "；".join(r.reason_zh for r in bad)
    else:
        unk = [r for r in results if r.status == "unknown"]
        met = [r for r in results if r.status == "pass"]
        en = "; ".join(r.reason_en for r in unk) + (f" (met: {'; '.join(r.reason_en for r in met)})" if met else "")
        zh = "；".join(r.reason_zh for r in unk) + (f"（已满足：{'；'.join(r.reason_zh for r in met)}）" if met else "")
    if route.cities and ctx.city is None:
        where_en, where_zh = ", ".join(route.cities), route.scope.name_zh if route.scope else ""
        en, zh = f"({where_en} only) {en}", f"（仅限{where_zh}）{zh}"
    check = Check(route.id, status, en, zh, _src(file, route.sources), route.name_en, route.name_zh, route.grants)
    return check, evidence


def _route_check(route: N.Route, p: Profile, ctx: _Ctx, file: str) -> Check:
    return _route_eval(route, p, ctx, file)[0]


def _applies_here(route: N.Route, city: str | None) -> bool:
    return not route.cities or city is None or city in route.cities


def _origin_check(cid: str, allowed: Sequence[str], p: Profile, what_en: str, what_zh: str,
                  sources: tuple[str, ...], note_en: str = "", note_zh: str = "") -> Check:
    if p.origin is None:
        return Check(cid, "unknown", f"{what_en} is for foreign nationals; the profile gives no origin",
                     f"{what_zh}适用于外国人；档案未填写身份", sources)
    ok = p.origin in allowed
    en = f"{what_en} is for foreign nationals; the profile's origin: {R.ORIGIN_EN[p.origin]}"
    zh = f"{what_zh}适用于外国人；档案为{R.ORIGIN_ZH[p.origin]}"
    if not ok and note_en:
        en, zh = f"{en}. {note_en}", f"{zh}。{note_zh}"
    return Check(cid, "pass" if ok else "fail", en, zh, sources)


# --- the points table ----------------------------------------------------------------------------------


def _band_for(f: N.Factor, x: float) -> N.Band | None:
    return next((b for b in f.bands if b.contains(x)), None)


def _fs(f: N.Factor, lo: int, hi: int, en: str, zh: str, verification: str | None = None,
        assessed: bool = True) -> FactorScore:
    return FactorScore(f.id, f.name_en, f.name_zh, lo if lo == hi else None, lo, hi, f.cap, assessed, en, zh,
                       verification or f.verification, _src(FILE_WP, f.sources))


def _unknown(f: N.Factor, what_en: str, what_zh: str) -> FactorScore:
    pts = [b.points for b in f.bands] + [o.points for o in f.options]
    lo = min(pts) if pts else 0
    if f.increment is not None:
        pts.append(f.cap)
    hi = min(f.cap, max(pts)) if pts else f.cap
    return _fs(f, lo, hi, f"the profile does not give {what_en}: {lo}-{hi} points",
               f"档案未填写{what_zh}：{lo}-{hi}分")


def _flag_value(flag: str, p: Profile) -> bool | None:
    if flag == "former_chinese_national":
        return p.former_chinese_national
    if flag == "chinese_taught_degree":
        if p.chinese_taught_degree is False:
            return False
        if p.degree is not None and S.DEGREE_ORDER[p.degree] < S.DEGREE_ORDER["bachelor"]:
            return False
        if p.chinese_taught_degree and p.degree is not None:
            return True
        return None
    if flag == "top_university_abroad":
        if p.degree == "none" or p.degree_abroad is False:
            return False
        return None  # "high-level university abroad" is not defined in the research
    if flag == "fortune500":
        return p.fortune500_experience
    if flag == "patent":
        return p.holds_patent
    if flag == "china_5y_continuous":
        y = p.years_in_china_continuous
        return None if y is None else y >= 5
    raise ValueError(f"unknown flag {flag!r}")  # unreachable: the schema closes the set


FLAG_EN = {"former_chinese_national": "former Chinese nationality", "chinese_taught_degree": "a degree taught in Chinese",
           "top_university_abroad": "a degree from a high-level university abroad (not defined)",
           "fortune500": "Fortune Global 500 experience", "patent": "patents or IP",
           "china_5y_continuous": "5+ continuous years working in China"}
FLAG_ZH = {"former_chinese_national": "曾具有中国国籍", "chinese_taught_degree": "中文授课学位",
           "top_university_abroad": "国（境）外高水平大学学位（未界定）", "fortune500": "全球500强任职经历",
           "patent": "专利或知识产权", "china_5y_continuous": "在华连续工作5年以上"}


def _options(f: N.Factor, values: list[tuple[N.Option, bool | None]]) -> FactorScore:
    """Best matching option counts: known = best True option, possible = best True-or-unknown option."""
    lo = max((o.points for o, v in values if v is True), default=0)
    hi = max((o.points for o, v in values if v is not False), default=0)
    hi = min(max(hi, lo), f.cap)
    yes = [o for o, v in values if v is True]
    open_ = [o for o, v in values if v is None]
    if yes:
        top = max(yes, key=lambda o: o.points)
        en, zh = f"{top.label_en}: {top.points} points", f"{top.label_zh}：{top.points}分"
    else:
        en, zh = "no row of this factor applies: 0 points", "不符合该项任一情形：0分"
    if hi > lo:
        en += f"; up to {hi} if " + " or ".join(o.label_en for o in open_ if o.points > lo)
        zh += "；若符合" + "或".join(o.label_zh for o in open_ if o.points > lo) + f"可达{hi}分"
    weak = [o.verification for o, v in values if v is True and o.verification]
    return _fs(f, lo, hi, en, zh, weak[0] if weak else None)


def _score_factor(f: N.Factor, p: Profile, wp: N.WorkPermitFile, city: str) -> FactorScore:
    fid = f.id
    if fid == "salary":
        if p.annual_salary_cny is None:
            return _unknown(f, "a salary", "薪酬")
        w = p.annual_salary_cny / 10000
        b = _band_for(f, w)
        pts = b.points if b else 0
        where = b.interval if b else "-"
        return _fs(f, pts, pts, f"{_money(p.annual_salary_cny)} a year is in the band {where} (RMB 10,000s): {pts} points",
                   f"年薪{_money_zh(p.annual_salary_cny)}属于{where}万元档：{pts}分")
    if fid == "education":
        if p.degree is None:
            return _unknown(f, "a degree", "学位")
        o = next((o for o in f.options if p.degree in o.degrees), None)
        if o is None:
            return _fs(f, 0, 0, f"no row for {R.DEGREE_EN[p.degree]}: 0 points", f"{R.DEGREE_ZH[p.degree]}无对应档：0分")
        return _fs(f, o.points, o.points, f"{o.label_en}: {o.points} points", f"{o.label_zh}：{o.points}分", o.verification)
    if fid == "experience":
        if p.experience_years is None:
            return _unknown(f, "work experience", "工作年限")
        y = math.floor(p.experience_years)
        inc = f.increment
        if inc is not None and y >= inc.start:
            pts = min(f.cap, inc.base_points + int((y - inc.start) * inc.points_per_unit))
            return _fs(f, pts, pts, f"{_num(p.experience_years)} years (counted as {y}): {inc.base_points} at "
                       f"{_num(inc.start)} years + {inc.points_per_unit} per further year, cap {f.cap} = {pts} points",
                       f"{_num(p.experience_years)}年（按{y}年计）：{_num(inc.start)}年{inc.base_points}分，每增加一年加"
                       f"{inc.points_per_unit}分，上限{f.cap}分，共{pts}分",
                       inc.verification if y != p.experience_years else None)
        b = _band_for(f, float(y))
        pts = b.points if b else 0
        return _fs(f, pts, pts, f"{_num(p.experience_years)} years is under {_num(inc.start) if inc else '?'}: {pts} points",
                   f"{_num(p.experience_years)}年不足{_num(inc.start) if inc else '?'}年：{pts}分")
    if fid == "working_time":
        m = p.months_in_china_per_year
        if m is None:
            return _unknown(f, "months a year in China", "每年在华工作月数")
        b = _band_for(f, m)
        pts = b.points if b else 0
        return _fs(f, pts, pts, f"{_num(m)} months a year in China is in the band {b.interval if b else '-'}: {pts} points",
                   f"每年在华{_num(m)}个月，属于{b.interval if b else '-'}档：{pts}分")
    if fid == "age":
        if p.age is None:
            return _unknown(f, "an age", "年龄")
        b = _band_for(f, p.age)
        if b is None:
            return _fs(f, 0, 0, f"age {p.age} is in no band (the table starts at 18): 0 points",
                       f"{p.age}岁不在任何档（表自18岁起）：0分")
        return _fs(f, b.points, b.points, f"age {p.age} is in the band {b.interval}: {b.points} points",
                   f"{p.age}岁属于{b.interval}档：{b.points}分")
    if fid == "chinese":
        vals: list[tuple[N.Option, bool | None]] = []
        for o in f.options:
            if o.flag is not None:
                vals.append((o, _flag_value(o.flag, p)))
            elif o.hsk_min is not None:
                lvl = p.hsk_level
                v = None if lvl is None else (lvl == o.hsk_min if o.hsk_exact else lvl >= o.hsk_min)
                vals.append((o, v))
        return _options(f, vals)
    if fid == "extras":
        return _options(f, [(o, _flag_value(o.flag, p)) for o in f.options if o.flag is not None])
    if fid == "location":
        prov = next((c for c in wp.cities if c.city == city), None)
        if prov is None:
            return _fs(f, 0, f.cap, f"the work location {city!r} is not in the data: 0-{f.cap} points",
                       f"数据中无工作地点{city!r}：0-{f.cap}分")
        regions = {r.id: r for r in wp.regions}
        for o in f.options:
            reg = regions.get(o.region or "")
            if reg is not None and prov.province_en in reg.provinces_en:
                return _fs(f, o.points, o.points,
                           f"{prov.province_en} counts as {reg.name_en}: {o.points} points (the province list is "
                           f"{reg.verification}: confirm before relying on it)",
                           f"{prov.province_zh}属于{reg.name_zh}：{o.points}分（省份名单未经核实，使用前请确认）",
                           reg.verification)
        return _fs(f, 0, 0, f"{prov.province_en} is not in a western, northeast or poverty-county area: 0 points",
                   f"{prov.province_zh}不属于西部、东北或国家级贫困县等地区：0分")
    if fid == "local_bonus":
        hi = f.up_to or f.cap
        return _fs(f, 0, hi, f"up to {hi} points if the province lists the job as a local shortage post; set by the "
                   "provincial authority and not assessed here (left out of the total)",
                   f"若省级主管部门将岗位列为地方急需紧缺，可加至多{hi}分；此处不评估（不计入总分）", assessed=False)
    raise ValueError(f"unknown factor {fid!r}")  # unreachable: the schema closes the set


def _class_for(points: int, classes: Sequence[N.PermitClassRule]) -> str | None:
    best = None
    for c in classes:
        if c.min_points is not None and points >= c.min_points and (best is None or CLASS_ORDER[c.permit_class] >
                                                                      CLASS_ORDER[best]):
            best = c.permit_class
    return best


# --- next class hints ----------------------------------------------------------------------------------


def _point_hints(factors: Sequence[FactorScore], wp: N.WorkPermitFile, p: Profile, city: str,
                 need: int) -> list[tuple[int, str, str]]:
    """(gain, en, zh) for raising each known factor to its next row."""
    out: list[tuple[int, str, str]] = []
    by_id = {f.id: f for f in wp.points.factors}
    for fs in factors:
        if fs.points is None or not fs.assessed:
            continue
        f, cur = by_id[fs.id], fs.points
        if f.id == "salary" and p.annual_salary_cny is not None:
            ups = sorted((b for b in f.bands if b.points > cur and b.bounds[0] is not None), key=lambda b: b.bounds[0])
            pick = next((b for b in ups if b.points - cur >= need), ups[-1] if ups else None)
            if pick:
                lo = (pick.bounds[0] or 0) * 10000
                out.append((pick.points - cur, f"salary of {_money(lo)} or more gives +{pick.points - cur}",
                            f"年薪达到{_money_zh(lo)}可加{pick.points - cur}分"))
        elif f.id == "education" and p.degree is not None:
            ups = sorted((o for o in f.options if o.points > cur), key=lambda o: o.points)
            if ups:
                o = ups[0]
                out.append((o.points - cur, f"{o.label_en} gives +{o.points - cur}", f"{o.label_zh}可加{o.points - cur}分"))
        elif f.id == "experience" and p.experience_years is not None and cur < f.cap and f.increment:
            inc = f.increment
            if cur < inc.base_points:
                out.append((inc.base_points - cur, f"{_num(inc.start)} years' work experience gives +{inc.base_points - cur}",
                            f"工作满{_num(inc.start)}年可加{inc.base_points - cur}分"))
            else:
                out.append((inc.points_per_unit, f"each further year of experience gives +{inc.points_per_unit} "
                            f"(up to {f.cap})", f"每增加一年工作经历加{inc.points_per_unit}分（上限{f.cap}分）"))
        elif f.id == "working_time" and p.months_in_china_per_year is not None:
            ups = sorted((b for b in f.bands if b.points > cur and b.bounds[0] is not None), key=lambda b: b.bounds[0])
            pick = next((b for b in ups if b.points - cur >= need), ups[-1] if ups else None)
            if pick:
                m = pick.bounds[0] or 0
                out.append((pick.points - cur, f"working {_num(m)}+ months a year in China gives +{pick.points - cur}",
                            f"每年在华工作{_num(m)}个月以上可加{pick.points - cur}分"))
        elif f.id == "chinese" and cur < f.cap:
            top = max((o for o in f.options if o.hsk_min is not None), key=lambda o: o.points, default=None)
            if top is not None:
                gain = top.points - cur
                out.append((gain, f"HSK {top.hsk_min} gives +{gain}", f"HSK{top.hsk_min}级可加{gain}分"))
        elif f.id == "extras" and cur < f.cap:
            gain = f.cap - cur
            out.append((gain, f"Fortune Global 500 experience, a patent or 5 continuous years in China gives +{gain}",
                        f"全球500强任职经历、专利或在华连续工作5年可加{gain}分"))
        elif f.id == "location" and cur < f.cap:
            regions = {r.id: r for r in wp.regions}
            scoring = [c for c in wp.cities if any(c.province_en in (regions[o.region].provinces_en if o.region in regions
                                                                      else []) for o in f.options)]
            if scoring:
                names_en = ", ".join(c.city for c in scoring)
                names_zh = "、".join(c.province_zh for c in scoring)
                out.append((f.cap - cur, f"working in a western or northeast province (of the dashboard cities: "
                            f"{names_en}) gives +{f.cap - cur} (province list unverified)",
                            f"在西部或东北地区工作（本站城市中：{names_zh}）可加{f.cap - cur}分（省份名单未经核实）"))
    out.sort(key=lambda t: -t[0])
    return out


def _next_step(target: str, pts_lo: int, factors: Sequence[FactorScore], wp: N.WorkPermitFile, p: Profile,
               city: str, routes: Sequence[Check]) -> NextStep:
    threshold = next((c.min_points for c in wp.classes if c.permit_class == target), None)
    need = max(0, threshold - pts_lo) if threshold is not None else None
    en: list[str] = []
    zh: list[str] = []
    if need:
        hints = _point_hints(factors, wp, p, city, need)
        head_en = f"+{need} points for class {target} ({threshold})"
        head_zh = f"还需{need}分达到{target}类（{threshold}分）"
        if hints:
            en.append(head_en + ": " + "; ".join(h[1] for h in hints))
            zh.append(head_zh + "：" + "；".join(h[2] for h in hints))
        else:
            en.append(head_en)
            zh.append(head_zh)
        local = next((f for f in factors if not f.assessed), None)
        if local is not None:
            en.append(f"a provincial shortage-post bonus could add up to {local.points_max} (not assessed)")
            zh.append(f"省级急需紧缺岗位加分最多{local.points_max}分（未评估）")
    by_points = {r.id for r in wp.routes if any(c.kind == "points" for c in r.conditions)}
    for r in routes:
        if r.grants == target and r.status != "pass" and r.id not in by_points:
            en.append(f"{r.name_en}: {r.reason_en}")
            zh.append(f"{r.name_zh}：{r.reason_zh}")
    return NextStep(target, need, en, zh)


# --- work permit ---------------------------------------------------------------------------------------


def work_permit(profile: Profile, nat: NationalScheme, *, city: str, local_annual_wage: float | None,
                today: date | None = None) -> PermitResult:
    """Points, routes and class for a foreigner working in ``city`` (the points table scores the work
    location). ``local_annual_wage`` is the city's average wage the 6x / 4x routes compare with (None:
    unknown). ``today`` dates route validity and years since graduation (default: today)."""
    wp = nat.work_permit
    today = today or date.today()
    file_src = _src(FILE_WP, dict.fromkeys([*wp.points.sources, *(s for c in wp.classes for s in c.sources)]))
    p = profile
    applicable_check = _origin_check("wp-origin", wp.applies_to_origins, p, "The work permit", "外国人来华工作许可",
                                     _src(FILE_WP, wp.classes[0].sources), wp.applicability_note_en,
                                     wp.applicability_note_zh)
    factors = [_score_factor(f, p, wp, city) for f in wp.points.factors]
    lo = sum(f.points_min for f in factors if f.assessed)
    hi = sum(f.points_max for f in factors if f.assessed)
    local_max = sum(f.points_max for f in factors if not f.assessed)
    cls_lo, cls_hi = _class_for(lo, wp.classes), _class_for(hi, wp.classes)

    if applicable_check.status == "fail":
        return PermitResult(city, False, factors, lo, hi, local_max, cls_lo, cls_hi, [applicable_check], [], [],
                            None, "not_applicable", None, applicable_check.reason_en, applicable_check.reason_zh,
                            None, file_src)

    ctx = _Ctx(nat, city, today, local_annual_wage, (lo, hi))
    requirements = [applicable_check] + [_route_check(r, p, ctx, FILE_WP) for r in wp.requirements]
    routes: list[Check] = []
    other: list[Check] = []
    evidence: dict[str, bool] = {}
    for r in wp.routes:
        if not _applies_here(r, city):
            continue
        chk, ev = _route_eval(r, p, ctx, FILE_WP)
        evidence[r.id] = ev
        (other if _is_manual_only(r) else routes).append(chk)

    general = [c for c, r in zip(requirements[1:], wp.requirements, strict=True) if r.grants is None]
    gen_status = _combine([applicable_check.status] + [c.status for c in general])

    def best(statuses: set[str]) -> str | None:
        got = [c.grants for c in routes if c.status in statuses and c.grants and
               (c.status == "pass" or evidence[c.id])]
        return max(got, key=lambda g: CLASS_ORDER[g]) if got else None

    confirmed = best({"pass"})
    possible = best({"pass", "unknown"})
    if gen_status == "fail":
        bad = [c for c in general if c.status == "fail"]
        return PermitResult(city, True, factors, lo, hi, local_max, cls_lo, cls_hi, requirements, routes, other,
                            None, "fail", None, "; ".join(c.reason_en for c in bad), "；".join(c.reason_zh for c in bad),
                            None, file_src)
    status: ClassStatus
    if possible is None:
        permit_class, status = "C", "unknown"
        en = ("neither class A nor class B is in reach on the checked routes; class C covers temporary, seasonal or "
              "non-technical work and interns under quota (a job category, not a score band)")
        zh = "可核查的途径均达不到A类或B类；C类适用于临时性、季节性、非技术性工作及实习等（按岗位类别而非分数）"
    else:
        permit_class = possible
        via_en = via_zh = ""
        if confirmed is not None:
            via = [c for c in routes if c.status == "pass" and c.grants == confirmed]
            via_en = f"class {confirmed} via " + "; ".join(c.name_en for c in via)
            via_zh = f"{confirmed}类，途径：" + "；".join(c.name_zh for c in via)
        if confirmed == possible:
            status = "pass" if gen_status == "pass" else "unknown"
            en, zh = via_en, via_zh
        else:
            status = "unknown"
            maybe = [c for c in routes if c.status == "unknown" and c.grants == possible and evidence[c.id]]
            en = f"class {possible} is possible but not confirmed (" + "; ".join(c.name_en for c in maybe) + ")"
            zh = f"可能为{possible}类但未确认（" + "；".join(c.name_zh for c in maybe) + "）"
            if confirmed is not None:
                en, zh = f"{en}; confirmed: {via_en}", f"{zh}；已确认：{via_zh}"
    if gen_status == "unknown":
        unk = [c for c in [applicable_check, *general] if c.status == "unknown"]
        en += "; to confirm: " + "; ".join(c.reason_en for c in unk)
        zh += "；待确认：" + "；".join(c.reason_zh for c in unk)

    target = None if confirmed == "A" else ("A" if confirmed == "B" else "B")
    nxt = _next_step(target, lo, factors, wp, p, city, routes) if target else None
    return PermitResult(city, True, factors, lo, hi, local_max, cls_lo, cls_hi, requirements, routes, other,
                        permit_class, status, confirmed, en, zh, nxt, file_src)


# --- visas ---------------------------------------------------------------------------------------------


def k_visa(profile: Profile, nat: NationalScheme, settings: Settings) -> VisaResult:
    """The K visa as published: a route (STEM degree or STEM teaching/research at a well-known institution)
    and an age limit that is unpublished, taken from ``settings.k_visa_max_age`` (the oldest age that
    qualifies; None = unknown). Always provisional: embassies set the details."""
    kv = nat.k_visa.visa
    p = profile
    vsrc = _src(FILE_K, kv.sources)
    origin = _origin_check("k-origin", kv.origins, p, "The K visa", "K字签证", vsrc)
    if origin.status == "fail":
        return VisaResult("K", "not_applicable", [origin], True, origin.reason_en, origin.reason_zh, vsrc)
    ctx = _Ctx(nat, None, settings.today, None)
    routes = [_route_check(r, p, ctx, FILE_K) for r in kv.routes]
    limit = settings.k_visa_max_age
    if limit is None:
        age = Check("k-age", "unknown", "an age requirement exists but no limit has been published, so no age can be "
                    "checked against it yet", "有年龄要求但未公布具体上限，暂无法核对年龄", vsrc,
                    "Age limit (unpublished)", "年龄上限（未公布）")
    elif p.age is None:
        age = Check("k-age", "unknown", f"age limit set to {limit} (a setting, not a published rule); the profile "
                    "gives no age", f"年龄上限设为{limit}岁（为设置值，非公布规定）；档案未填写年龄", vsrc,
                    "Age limit (setting)", "年龄上限（设置）")
    else:
        ok = p.age <= limit
        age = Check("k-age", "pass" if ok else "fail", f"age limit set to {limit} or under (a setting, not a "
                    f"published rule); the profile is {p.age}", f"年龄上限设为{limit}岁及以下（为设置值，非公布规定）；"
                    f"档案为{p.age}岁", vsrc, "Age limit (setting)", "年龄上限（设置）")
    route_status = _best(r.status for r in routes)
    status = _combine([origin.status, route_status, age.status])
    checks = [origin, *routes, age]
    if status == "fail":
        bad = [c for c in (origin, age) if c.status == "fail"] + (routes if route_status == "fail" else [])
        en, zh = "; ".join(c.reason_en for c in bad), "；".join(c.reason_zh for c in bad)
    elif status == "unknown":
        unk = [c for c in checks if c.status == "unknown"]
        en = "possible, provisional: " + "; ".join(c.reason_en for c in unk)
        zh = "可能符合（暂定）：" + "；".join(c.reason_zh for c in unk)
    else:
        en, zh = "meets the published conditions (provisional)", "符合已公布条件（暂定）"
    return VisaResult("K", status, checks, True, en, zh, vsrc)


def _visa_rule(nat: NationalScheme | None, visa: str) -> N.VisaRule | None:
    if nat is None:
        return None
    return next((v for v in nat.r_z_visas.visas if v.visa == visa), None)


def r_visa(profile: Profile, permit: PermitResult, nat: NationalScheme | None = None) -> VisaResult:
    """The R visa needs the class A standard (R-02). ``nat`` only adds the rule's sources."""
    rule = _visa_rule(nat, "R")
    src = _src(FILE_RZ, rule.sources) if rule else ()
    if permit.class_status == "not_applicable":
        return VisaResult("R", "not_applicable", [], False, permit.reason_en, permit.reason_zh, src)
    st: Tri
    if permit.confirmed_class == "A" or (permit.class_status == "pass" and permit.permit_class == "A"):
        st = "pass"
        en, zh = "requires class A; the profile reaches class A", "要求A类；档案达到A类"
    elif permit.permit_class == "A" and permit.class_status == "unknown":
        st = "unknown"
        en, zh = "requires class A; " + permit.reason_en, "要求A类；" + permit.reason_zh
    else:
        st = "fail"
        got = permit.confirmed_class or ("none" if permit.class_status == "fail" else "below B")
        got_zh = permit.confirmed_class or ("无" if permit.class_status == "fail" else "B类以下")
        en, zh = f"requires class A; the profile reaches {got}", f"要求A类；档案为{got_zh}"
    check = Check("r-class-a", st, en, zh, src, "Class A standard", "外国高端人才（A类）标准", "A")
    return VisaResult("R", st, [check], False, en, zh, src)


def z_visa(profile: Profile, permit: PermitResult, nat: NationalScheme | None = None) -> VisaResult:
    """The Z visa needs a work permit (any class) from a confirmed employer in China (Z-01, Z-05)."""
    rule = _visa_rule(nat, "Z")
    src = _src(FILE_RZ, rule.sources) if rule else ()
    if permit.class_status == "not_applicable":
        return VisaResult("Z", "not_applicable", [], False, permit.reason_en, permit.reason_zh, src)
    st: Tri
    if permit.class_status == "fail":
        st = "fail"
        en, zh = f"requires a work permit; {permit.reason_en}", f"须持工作许可；{permit.reason_zh}"
    elif permit.confirmed_class in ("A", "B"):
        st = "pass"
        en = f"requires a work permit; the profile reaches class {permit.confirmed_class} (the employer applies)"
        zh = f"须持工作许可；档案达到{permit.confirmed_class}类（由用人单位申请）"
    else:
        st = "unknown"
        en = f"requires a work permit; {permit.reason_en}"
        zh = f"须持工作许可；{permit.reason_zh}"
    check = Check("z-work-permit", st, en, zh, src, "Work permit", "外国人工作许可")
    return VisaResult("Z", st, [check], False, en, zh, src)


# --- permanent residence -------------------------------------------------------------------------------


def pr_routes(profile: Profile, nat: NationalScheme, *, local_annual_wage: float | None, city: str | None = None,
              today: date | None = None) -> list[Check]:
    """Each permanent-residence route: pass = met, fail = missing, unknown = cannot tell, with reasons.

    The first check is applicability (PR is for foreign nationals); for anyone else it is the only one.
    ``city`` keeps local routes (Beijing's Zhongguancun and "Two Zones") to their city; without it they are
    listed and labelled. ``local_annual_wage`` is the previous year's local average wage of urban on-post
    workers, used by the 6x route."""
    pr = nat.pr_routes
    p = profile
    first = _origin_check("pr-origin", pr.origins, p, "Permanent residence", "外国人永久居留",
                          _src(FILE_PR, pr.general[0].sources) if pr.general else ())
    if first.status == "fail":
        return [first]
    ctx = _Ctx(nat, city, today or date.today(), local_annual_wage)
    out = [first]
    out += [_route_check(r, p, ctx, FILE_PR) for r in pr.general]
    out += [_route_check(r, p, ctx, FILE_PR) for r in pr.routes if _applies_here(r, city)]
    return out
