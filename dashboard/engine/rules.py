"""Eligibility: each condition of each incentive against a profile, three-valued, with reasons in both
languages.

pass / fail / unknown. Unknown (the profile does not say, or the condition needs a human judgement) is
never fail. An incentive is *eligible* when every condition passes, *ineligible* when any fails (every
failing condition is listed), and *possible* when none fails but some are unknown. A scheme whose current
status is unconfirmed is at best *possible*; expired and proposed schemes are *ineligible* with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from dashboard.catalog import schema as S
from dashboard.engine.profile import Profile

Tri = Literal["pass", "fail", "unknown"]
Status = Literal["eligible", "ineligible", "possible"]

DEGREE_EN = {"none": "no degree", "bachelor": "a bachelor's", "master": "a master's", "phd": "a PhD",
             "postdoc": "a postdoc"}
DEGREE_ZH = {"none": "无学位", "bachelor": "学士", "master": "硕士", "phd": "博士", "postdoc": "博士后"}
ORIGIN_EN = {"foreign": "foreign national", "overseas_chinese": "overseas Chinese", "returnee": "returnee",
             "mainland": "mainland Chinese", "hk_macao_taiwan": "Hong Kong/Macao/Taiwan resident"}
ORIGIN_ZH = {"foreign": "外籍", "overseas_chinese": "华侨", "returnee": "留学回国人员", "mainland": "内地居民",
             "hk_macao_taiwan": "港澳台居民"}
# Field names for the Chinese reasons (a zh page never shows a code); the i18n test keeps them equal to the
# message catalog's field.* labels.
FIELD_ZH = {"ai": "人工智能", "semiconductors": "集成电路", "biotech": "生物医药", "new_energy": "新能源",
            "advanced_manufacturing": "先进制造", "aerospace": "航空航天", "materials": "新材料",
            "information_technology": "信息技术/软件", "quantum": "量子科技", "mathematics": "数学", "physics": "物理",
            "chemistry": "化学", "earth_environment": "地球与环境科学", "medicine": "医学", "agriculture": "农业",
            "other_engineering": "其他工程", "non_stem": "非理工科"}
INTENT_EN = {"employment": "employment", "startup": "founding a company", "research": "research"}
INTENT_ZH = {"employment": "就业", "startup": "创业", "research": "科研"}


@dataclass(frozen=True)
class CondResult:
    kind: str
    status: Tri
    reason_en: str
    reason_zh: str
    commitment: bool = False  # passes because the applicant would do it by taking the offer


@dataclass(frozen=True)
class CityContext:
    """What a condition may need beyond the profile: the city's wage level and the applicant's permit class
    there (computed by the national engine), and the date of evaluation."""

    city: str
    today: date
    local_annual_wage: float | None = None
    permit_class: str | None = None          # 'A' | 'B' | 'C' | None (none / not applicable)
    permit_class_known: bool = False


@dataclass(frozen=True)
class Eligibility:
    status: Status
    conditions: tuple[CondResult, ...]
    tier_id: str | None = None
    possible_tiers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failing(self) -> tuple[CondResult, ...]:
        return tuple(c for c in self.conditions if c.status == "fail")

    @property
    def unknown(self) -> tuple[CondResult, ...]:
        return tuple(c for c in self.conditions if c.status == "unknown")


def _r(kind: str, status: Tri, en: str, zh: str, commitment: bool = False) -> CondResult:
    return CondResult(kind, status, en, zh, commitment)


def _fmt_bound(n: float) -> str:
    return f"{n:g}"


def _within(value: float, limit: float, inclusive: bool) -> bool:
    return value <= limit if inclusive else value < limit


def _years_since_graduation(p: Profile, today: date) -> float | None:
    if p.graduation_year is None:
        return None
    return float(today.year - p.graduation_year)


def evaluate_condition(c: S.Condition, p: Profile, ctx: CityContext) -> CondResult:
    k = c.kind
    if k == "degree":
        if p.degree is None:
            return _r(k, "unknown", f"requires at least {DEGREE_EN[c.min]}; the profile gives no degree",
                      f"要求{DEGREE_ZH[c.min]}及以上；档案未填写学位")
        ok = S.DEGREE_ORDER[p.degree] >= S.DEGREE_ORDER[c.min]
        if ok and c.max is not None and S.DEGREE_ORDER[p.degree] > S.DEGREE_ORDER[c.max]:
            return _r(k, "fail", f"for {DEGREE_EN[c.min]} to {DEGREE_EN[c.max]}; the profile has {DEGREE_EN[p.degree]}",
                      f"限{DEGREE_ZH[c.min]}至{DEGREE_ZH[c.max]}；档案为{DEGREE_ZH[p.degree]}")
        if ok:
            return _r(k, "pass", f"requires at least {DEGREE_EN[c.min]}; the profile has {DEGREE_EN[p.degree]}",
                      f"要求{DEGREE_ZH[c.min]}及以上；档案为{DEGREE_ZH[p.degree]}")
        return _r(k, "fail", f"requires at least {DEGREE_EN[c.min]}; the profile has {DEGREE_EN[p.degree]}",
                  f"要求{DEGREE_ZH[c.min]}及以上；档案为{DEGREE_ZH[p.degree]}")
    if k == "age":
        parts_en, parts_zh = [], []
        if c.min is not None:
            parts_en.append(f"at least {c.min}" if c.min_inclusive else f"over {c.min}")
            parts_zh.append(f"{c.min}周岁及以上" if c.min_inclusive else f"超过{c.min}周岁")
        if c.max is not None:
            parts_en.append(f"{c.max} or under" if c.max_inclusive else f"under {c.max}")
            parts_zh.append(f"{c.max}周岁及以下" if c.max_inclusive else f"未满{c.max}周岁")
        need_en, need_zh = " and ".join(parts_en), "且".join(parts_zh)
        if p.age is None:
            return _r(k, "unknown", f"age must be {need_en}; the profile gives no age", f"年龄须{need_zh}；档案未填写年龄")
        ok = True
        if c.min is not None:
            ok &= p.age >= c.min if c.min_inclusive else p.age > c.min
        if c.max is not None:
            ok &= p.age <= c.max if c.max_inclusive else p.age < c.max
        return _r(k, "pass" if ok else "fail", f"age must be {need_en}; the profile is {p.age}",
                  f"年龄须{need_zh}；档案为{p.age}岁")
    if k == "born_on_or_after":
        if p.age is None:
            return _r(k, "unknown", f"born on or after {c.date}; the profile gives no age",
                      f"须{c.date}及以后出生；档案未填写年龄")
        # Age in whole years brackets the birth date within a year: decide only when both ends agree.
        latest_birth = date(ctx.today.year - p.age, ctx.today.month, min(ctx.today.day, 28))
        earliest_birth = date(ctx.today.year - p.age - 1, ctx.today.month, min(ctx.today.day, 28))
        if earliest_birth >= c.date:
            return _r(k, "pass", f"born on or after {c.date}; at {p.age} the profile was born after it",
                      f"须{c.date}及以后出生；{p.age}岁符合")
        if latest_birth < c.date:
            return _r(k, "fail", f"born on or after {c.date}; at {p.age} the profile was born before it",
                      f"须{c.date}及以后出生；{p.age}岁不符合")
        return _r(k, "unknown", f"born on or after {c.date}; age {p.age} is on the boundary: depends on the birthday",
                  f"须{c.date}及以后出生；{p.age}岁处于临界，取决于生日")
    if k == "origin":
        want_en = ", ".join(ORIGIN_EN[o] for o in c.any_of)
        want_zh = "、".join(ORIGIN_ZH[o] for o in c.any_of)
        if p.origin is None:
            return _r(k, "unknown", f"for {want_en}; the profile gives no origin", f"限{want_zh}；档案未填写身份")
        ok = p.origin in c.any_of
        return _r(k, "pass" if ok else "fail", f"for {want_en}; the profile is {ORIGIN_EN[p.origin]}",
                  f"限{want_zh}；档案为{ORIGIN_ZH[p.origin]}")
    if k == "field":
        want = ", ".join(c.any_of)
        want_zh = "、".join(FIELD_ZH.get(f, f) for f in c.any_of)
        if p.field is None:
            return _r(k, "unknown", f"for the fields {want}; the profile gives no field", f"限{want_zh}领域；档案未填写领域")
        ok = p.field in c.any_of
        return _r(k, "pass" if ok else "fail", f"for the fields {want}; the profile's field is {p.field}",
                  f"限{want_zh}领域；档案领域为{FIELD_ZH.get(p.field, p.field)}")
    if k == "intent":
        want_en = " or ".join(INTENT_EN[i] for i in c.any_of)
        want_zh = "或".join(INTENT_ZH[i] for i in c.any_of)
        if p.intent is None:
            return _r(k, "unknown", f"for {want_en}; the profile gives no plan", f"限{want_zh}；档案未填写意向")
        ok = p.intent in c.any_of
        return _r(k, "pass" if ok else "fail", f"for {want_en}; the profile plans {INTENT_EN[p.intent]}",
                  f"限{want_zh}；档案意向为{INTENT_ZH[p.intent]}")
    if k in ("years_since_graduation", "years_since_return"):
        what_en = "graduation" if k == "years_since_graduation" else "return to China"
        what_zh = "毕业" if k == "years_since_graduation" else "回国"
        limit = _fmt_bound(c.max_years)
        need_en = f"within {limit} years of {what_en}" + ("" if c.inclusive else " (less than)")
        need_zh = f"{what_zh}{'不超过' if c.inclusive else '未满'}{limit}年"
        years = _years_since_graduation(p, ctx.today) if k == "years_since_graduation" else p.years_since_return
        if years is None:
            return _r(k, "unknown", f"{need_en}; the profile does not say when", f"须{need_zh}；档案未填写时间")
        if k == "years_since_graduation" and p.graduation_year is not None:
            # Only the year is known: the time since graduation lies between the earliest and the latest
            # month of that year, measured from today. Decide only when both ends agree.
            lo = years + (ctx.today.month - 12) / 12
            hi = years + (ctx.today.month - 1) / 12
            if _within(hi, c.max_years, c.inclusive):
                st: Tri = "pass"
            elif not _within(max(lo, 0.0), c.max_years, c.inclusive):
                st = "fail"
            else:
                return _r(k, "unknown", f"{need_en}; graduated in {p.graduation_year}: depends on the month",
                          f"须{need_zh}；{p.graduation_year}年毕业，取决于月份")
            return _r(k, st, f"{need_en}; graduated in {p.graduation_year}",
                      f"须{need_zh}；{p.graduation_year}年毕业")
        ok = _within(years, c.max_years, c.inclusive)
        return _r(k, "pass" if ok else "fail", f"{need_en}; the profile says {years:g} years",
                  f"须{need_zh}；档案为{years:g}年")
    if k == "graduated_on_or_after":
        if p.graduation_year is None:
            return _r(k, "unknown", f"graduated on or after {c.date}; the profile gives no graduation year",
                      f"须{c.date}及以后毕业；档案未填写毕业年份")
        if p.graduation_year > c.date.year or (p.graduation_year == c.date.year and c.date.month == 1 and c.date.day == 1):
            return _r(k, "pass", f"graduated on or after {c.date}; graduated in {p.graduation_year}",
                      f"须{c.date}及以后毕业；{p.graduation_year}年毕业")
        if p.graduation_year < c.date.year:
            return _r(k, "fail", f"graduated on or after {c.date}; graduated in {p.graduation_year}",
                      f"须{c.date}及以后毕业；{p.graduation_year}年毕业")
        return _r(k, "unknown", f"graduated on or after {c.date}; {p.graduation_year} depends on the month",
                  f"须{c.date}及以后毕业；{p.graduation_year}年毕业，取决于月份")
    if k == "university_rank":
        if p.university_rank is None:
            return _r(k, "unknown", f"degree from a world top-{c.max_rank} university; the profile gives no rank",
                      f"须毕业于世界排名前{c.max_rank}高校；档案未填写排名")
        ok = p.university_rank <= c.max_rank
        return _r(k, "pass" if ok else "fail",
                  f"degree from a world top-{c.max_rank} university; the profile's is ranked {p.university_rank}",
                  f"须毕业于世界排名前{c.max_rank}高校；档案为第{p.university_rank}名")
    if k == "degree_abroad":
        abroad = p.degree_abroad
        if abroad is None and p.origin == "returnee":
            abroad = True  # a returnee is by definition someone who studied abroad
        if abroad is None:
            return _r(k, "unknown", "requires a degree earned abroad; the profile does not say where",
                      "须持境外学位；档案未说明学位获得地")
        ok = abroad == c.required
        return _r(k, "pass" if ok else "fail",
                  "requires a degree earned abroad; " + ("the profile's is" if abroad else "the profile's is not"),
                  "须持境外学位；" + ("档案符合" if abroad else "档案不符合"))
    if k == "salary":
        if c.min_cny is not None:
            floor, need_en, need_zh = c.min_cny, f"annual salary at least RMB {c.min_cny:,.0f}", f"年薪不低于{c.min_cny:,.0f}元"
        else:
            m = c.min_multiple_of_local_wage
            if ctx.local_annual_wage is None:
                return _r(k, "unknown", f"salary at least {m:g}x the local average wage; that wage is not in the data",
                          f"薪酬不低于当地平均工资{m:g}倍；数据中无当地平均工资")
            floor = m * ctx.local_annual_wage  # type: ignore[operator]
            need_en = f"salary at least {m:g}x the local average wage (RMB {floor:,.0f})"
            need_zh = f"薪酬不低于当地平均工资{m:g}倍（{floor:,.0f}元）"
        if p.annual_salary_cny is None:
            return _r(k, "unknown", f"{need_en}; the profile gives no salary", f"{need_zh}；档案未填写薪酬")
        ok = p.annual_salary_cny >= floor
        return _r(k, "pass" if ok else "fail", f"{need_en}; the profile expects RMB {p.annual_salary_cny:,.0f}",
                  f"{need_zh}；档案为{p.annual_salary_cny:,.0f}元")
    if k == "experience_years":
        if p.experience_years is None:
            return _r(k, "unknown", f"at least {c.min:g} years of experience; the profile does not say",
                      f"须{c.min:g}年以上工作经验；档案未填写")
        ok = p.experience_years >= c.min
        return _r(k, "pass" if ok else "fail", f"at least {c.min:g} years of experience; the profile has {p.experience_years:g}",
                  f"须{c.min:g}年以上工作经验；档案为{p.experience_years:g}年")
    if k == "hsk_level":
        if p.hsk_level is None:
            return _r(k, "unknown", f"HSK level {c.min} or higher; the profile does not say", f"须HSK {c.min}级及以上；档案未填写")
        ok = p.hsk_level >= c.min
        return _r(k, "pass" if ok else "fail", f"HSK level {c.min} or higher; the profile has {p.hsk_level}",
                  f"须HSK {c.min}级及以上；档案为{p.hsk_level}级")
    if k == "months_in_china_per_year":
        if p.months_in_china_per_year is None:
            return _r(k, "unknown", f"at least {c.min:g} months a year in China; the profile does not say",
                      f"每年在华至少{c.min:g}个月；档案未填写")
        ok = p.months_in_china_per_year >= c.min
        return _r(k, "pass" if ok else "fail",
                  f"at least {c.min:g} months a year in China; the profile plans {p.months_in_china_per_year:g}",
                  f"每年在华至少{c.min:g}个月；档案为{p.months_in_china_per_year:g}个月")
    if k == "work_permit_class":
        want = "/".join(c.any_of)
        if p.origin == "mainland":
            return _r(k, "fail", f"requires a class {want} work permit; mainland citizens do not hold one",
                      f"须持{want}类工作许可；内地居民不适用")
        got = ctx.permit_class
        if got in c.any_of:  # a confirmed class satisfies the condition even if a higher one is still possible
            return _r(k, "pass", f"requires a class {want} work permit; the profile reaches {got}",
                      f"须持{want}类工作许可；档案达到{got}类")
        if not ctx.permit_class_known:
            return _r(k, "unknown", f"requires a class {want} work permit; the profile's class cannot be determined",
                      f"须持{want}类工作许可；无法确定档案的许可类别")
        return _r(k, "fail", f"requires a class {want} work permit; the profile reaches {got or 'none'}",
                  f"须持{want}类工作许可；档案为{got or '无'}类")
    if k in ("has_spouse", "has_children"):
        val = p.spouse if k == "has_spouse" else (None if p.children is None else p.children > 0)
        what_en, what_zh = ("a spouse", "配偶") if k == "has_spouse" else ("children", "子女")
        if val is None:
            return _r(k, "unknown", f"for applicants with {what_en}; the profile does not say", f"适用于有{what_zh}者；档案未填写")
        return _r(k, "pass" if val else "fail", f"for applicants with {what_en}", f"适用于有{what_zh}者")
    if k == "no_local_home":
        if p.owns_home_in_city is None:
            return _r(k, "unknown", "for applicants who own no home in the city; the profile does not say",
                      "须在当地无自有住房；档案未填写")
        ok = not p.owns_home_in_city
        return _r(k, "pass" if ok else "fail", "for applicants who own no home in the city",
                  "须在当地无自有住房")
    if k == "commitment":
        if c.what == "declaration":
            return _r(k, "pass", f"you would need to confirm: {c.text_en}", f"需本人确认：{c.text_zh}", commitment=True)
        return _r(k, "pass", f"you would need to: {c.text_en}", f"需满足：{c.text_zh}", commitment=True)
    if k == "manual":
        return _r(k, "unknown", f"cannot be checked from a profile: {c.text_en}", f"无法从档案判断：{c.text_zh}")
    if k == "any_of":
        subs = [evaluate_condition(s, p, ctx) for s in c.conditions]
        best: Tri = "pass" if any(s.status == "pass" for s in subs) else (
            "unknown" if any(s.status == "unknown" for s in subs) else "fail")
        chosen = next(s for s in subs if s.status == best)
        return _r(k, best, "one of: " + " | ".join(s.reason_en for s in subs),
                  "满足其一：" + "｜".join(s.reason_zh for s in subs), chosen.commitment)
    raise ValueError(f"unknown condition kind {k!r}")  # unreachable: the schema closes the set


def combine(results: list[CondResult]) -> Tri:
    if any(r.status == "fail" for r in results):
        return "fail"
    if any(r.status == "unknown" for r in results):
        return "unknown"
    return "pass"


def _status_gate(inc: S.Incentive, today: date) -> CondResult | None:
    """The scheme's own status as a condition: a closed or proposed scheme cannot be had."""
    if inc.status == "expired" or (inc.valid_to and inc.valid_to < today):
        end = f" on {inc.valid_to}" if inc.valid_to else ""
        return _r("policy_status", "fail", f"the scheme expired{end}", f"该政策已于{inc.valid_to or ''}到期")
    if inc.status == "proposed":
        return _r("policy_status", "fail", "proposed, not in force", "仅为拟议，尚未实施")
    if inc.valid_from and inc.valid_from > today:
        return _r("policy_status", "fail", f"starts on {inc.valid_from}", f"自{inc.valid_from}起实施")
    if inc.status == "unknown":
        return _r("policy_status", "unknown", "whether the scheme is still in force is not confirmed",
                  "该政策目前是否仍有效未经确认")
    return None


def _verification_gate(inc: S.Incentive) -> CondResult | None:
    """An unverified record (one that rests only on machine translations or AI answers, or on nothing seen)
    is shown but never counted: at best *possible*, with the reason in the card (issue 10)."""
    if inc.verification == "unverified":
        return _r("verification", "unknown", "not confirmed by a text that can be cited (only a machine translation, "
                  "an AI answer or nothing seen): shown, never counted",
                  "没有可引用的文本确认（仅有机器翻译、AI生成的回答或未见原文）：仅列出，不计入金额")
    return None


def evaluate_incentive(inc: S.Incentive, p: Profile, ctx: CityContext) -> Eligibility:
    results = [evaluate_condition(c, p, ctx) for c in inc.conditions]
    for gate in (_verification_gate(inc), _status_gate(inc, ctx.today)):
        if gate is not None:
            results.insert(0, gate)
    tier_id = None
    possible: tuple[str, ...] = ()
    if inc.tiers:
        tier_status = {t.id: combine([evaluate_condition(c, p, ctx) for c in t.conditions]) for t in inc.tiers}
        passing = [t for t in inc.tiers if tier_status[t.id] == "pass"]
        unknown = [t for t in inc.tiers if tier_status[t.id] == "unknown"]
        if passing:
            tier_id = max(passing, key=lambda t: t.amount.high if t.amount else 0).id
        possible = tuple(t.id for t in unknown)
        if not passing:
            labels_en = "; ".join(t.label_en for t in inc.tiers)
            labels_zh = "；".join(t.label_zh for t in inc.tiers)
            st: Tri = "unknown" if unknown else "fail"
            results.append(_r("tier", st, f"no amount tier fits the profile ({labels_en})",
                              f"档案不符合任何档次（{labels_zh}）"))
    overall = combine(results)
    status: Status = {"pass": "eligible", "fail": "ineligible", "unknown": "possible"}[overall]  # type: ignore[assignment]
    return Eligibility(status, tuple(results), tier_id, possible)
