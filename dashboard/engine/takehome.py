"""What a graduate keeps: from the gross salary to what is left each year in one city (pure).

Steps, per city (data: data/reference/social_insurance.yaml, iit.yaml, rents.yaml):
1. Contribution base = monthly salary bounded by the city's base floor and cap; a salary below the floor is
   computed at the floor, above the cap at the cap, and the result says so.
2. Employee social insurance = base x (pension + medical + unemployment rates), x 12.
3. Housing fund = base x the employee's rate, where the city's housing-fund base and rate are known.
4. Taxable income = gross - social insurance - housing fund - the basic deduction (iit.yaml) - the special
   additional deductions that apply (housing rent by city tier, when the person rents and owns no home in the
   city); IIT = ``tax.iit_annual`` of exactly that taxable income.
5. Rent = the profile's own monthly rent x 12, or the city's market rent per m2 x the reference flat (Settings).
6. Incentives per year = the city's expected (discounted) counted incentive value / the horizon.
7. Left = gross - social insurance - housing fund - IIT - rent + incentives per year.

A part whose figures were not found is unknown (``None``) and listed in ``unknown``; ``left`` is then ``None``
and ``left_upper`` gives gross minus the known parts. It is an upper bound: a missing deduction lowers the tax
by at most the deduction times the marginal rate (< 1), never by more than the deduction itself. The housing
fund is the employee's own savings account; it is taken out of what is left because it is not cash in hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dashboard.engine import tax as T

SI_PARTS = ("pension", "medical", "unemployment")
SI_FILE = "social_insurance"


@dataclass(frozen=True)
class TakeHome:
    city: str
    gross: float
    base_month: float | None               # the monthly contribution base used
    base_rule: str                         # "within" | "floor" | "cap" | "unknown"
    si_parts: dict[str, float | None]      # annual CNY per insurance
    social_insurance: float | None
    housing_fund: float | None
    deductions: dict[str, float]           # annual: basic, housing_rent
    taxable_income: float                  # on the known parts (exact when nothing is unknown)
    iit: float
    rent: float | None
    rent_source: str | None                # "profile" | "market" | None
    incentives_per_year: float
    left: float | None
    left_upper: float | None
    horizon_years: int
    left_over_horizon: float | None        # left x horizon (nominal)
    left_in_wage_years: float | None
    contribution_year: int | None
    stale: bool                            # the base is from an earlier contribution year than today's
    unknown: tuple[str, ...]
    notes_en: tuple[str, ...]
    notes_zh: tuple[str, ...]
    sources: tuple[str, ...]
    verification: dict[str, str] = field(default_factory=dict)

    @property
    def best_left(self) -> float | None:
        """``left`` when every part is known, else the upper bound (flagged in ``unknown``)."""
        return self.left if self.left is not None else self.left_upper


def _current_year(today: date) -> int:
    """Contribution years are announced mid-year; before July the previous year's figures are current."""
    return today.year if today.month >= 7 else today.year - 1


def take_home(city: str, salary: float, inputs: Any, *, today: date, horizon_years: int = 5,
              incentives_per_year: float = 0.0, rent_month: float | None = None, flat_m2: float = 40.0,
              owns_home: bool | None = None) -> TakeHome:
    """The take-home of an annual ``salary`` in ``city`` (see the module docstring for each step)."""
    if salary < 0:
        raise ValueError(f"salary is {salary:g}; expected 0 or more")
    if rent_month is not None and rent_month < 0:
        raise ValueError(f"rent is {rent_month:g}; expected 0 or more")
    nat = inputs.national
    if nat is None:
        raise ValueError("national scheme data unavailable (iit.yaml): no income tax")
    si_file = inputs.social_insurance
    rec = si_file.city(city) if si_file is not None else None
    en: list[str] = []
    zh: list[str] = []
    unknown: list[str] = []
    sources: set[str] = set()
    verif: dict[str, str] = {}
    monthly = salary / 12.0

    def cite(part: str, obj: Any) -> None:
        if obj is not None:
            sources.update(f"{SI_FILE}:{s}" for s in obj.sources)
            verif[part] = obj.verification

    # 1. the contribution base
    base_rule, base = "unknown", None
    stale = False
    if rec is not None and rec.si_base is not None:
        b = rec.si_base
        cite("si_base", b)
        if monthly < b.floor:
            base_rule, base = "floor", b.floor
            en.append(f"Monthly salary RMB {monthly:,.0f} is below the contribution floor RMB {b.floor:,.0f}: "
                      f"social insurance is computed at the floor.")
            zh.append(f"月薪{monthly:,.0f}元低于缴费基数下限{b.floor:,.0f}元：社保按下限计算。")
        elif monthly > b.cap:
            base_rule, base = "cap", b.cap
            en.append(f"Monthly salary RMB {monthly:,.0f} is above the contribution cap RMB {b.cap:,.0f}: "
                      f"social insurance is computed at the cap.")
            zh.append(f"月薪{monthly:,.0f}元高于缴费基数上限{b.cap:,.0f}元：社保按上限计算。")
        else:
            base_rule, base = "within", monthly
        if rec.contribution_year is not None and rec.contribution_year < _current_year(today):
            stale = True
            en.append(f"The base floor and cap are for {rec.contribution_year}; the current contribution year's "
                      f"figures were not found.")
            zh.append(f"缴费基数上下限为{rec.contribution_year}年度数据；未找到本缴费年度的数据。")
    else:
        en.append("Contribution base floor and cap not found for this city: social insurance unknown.")
        zh.append("未找到该市缴费基数上下限：社保未知。")

    # 2. social insurance
    parts: dict[str, float | None] = {}
    for p in SI_PARTS:
        r = getattr(rec, p, None) if rec is not None else None
        cite(p, r)
        parts[p] = None if (r is None or base is None) else round(base * r.rate * 12, 2)
        if r is None or base is None:
            unknown.append(p)
    if rec is not None and any(getattr(rec, p, None) is None for p in SI_PARTS):
        missing = [p for p in SI_PARTS if getattr(rec, p, None) is None]
        en.append("Employee rate not found: " + ", ".join(missing) + ".")
        zh.append("未找到个人缴费比例：" + "、".join({"pension": "养老", "medical": "医疗", "unemployment": "失业"}[m]
                                           for m in missing) + "。")
    si = None if any(v is None for v in parts.values()) else round(sum(v for v in parts.values() if v is not None), 2)
    si_known = sum(v for v in parts.values() if v is not None)

    # 3. housing fund
    hf = None
    if rec is not None and rec.housing_fund_base is not None and rec.housing_fund_rate is not None:
        hb = min(max(monthly, rec.housing_fund_base.floor), rec.housing_fund_base.cap)
        hf = round(hb * rec.housing_fund_rate.rate * 12, 2)
        cite("housing_fund_base", rec.housing_fund_base)
        cite("housing_fund_rate", rec.housing_fund_rate)
    else:
        unknown.append("housing_fund")
        en.append("Housing fund unknown: the city's current housing-fund base floor, cap or rate was not found.")
        zh.append("住房公积金未知：未找到该市现行公积金缴存基数上下限或比例。")

    # 5. rent (before 4: the rent deduction needs to know whether the person rents)
    rent, rent_source = None, None
    if rent_month is not None:
        rent, rent_source = float(rent_month) * 12, "profile"
    else:
        pick = inputs.rent(city)
        if pick is not None:
            rent, rent_source = pick.value * flat_m2 * 12, "market"
            sources.update(pick.sources)
            verif["rent"] = pick.verification
            en.append(f"Rent: market rent RMB {pick.value:,.0f} per m2 a month ({pick.year}) x {flat_m2:g} m2"
                      + (" (a weak figure)." if pick.weak else "."))
            zh.append(f"房租：市场租金每月每平方米{pick.value:,.0f}元（{pick.year}年）× {flat_m2:g}平方米"
                      + ("（数据较弱）。" if pick.weak else "。"))
        else:
            unknown.append("rent")

    # 4. deductions and IIT
    basic = T._basic_deduction(nat)
    sources.add(f"{T.FILE_IIT}:{basic.id}" if hasattr(basic, "id") else T.FILE_IIT)
    deductions = {"basic": float(basic.amount_cny), "housing_rent": 0.0}
    renting = rent is None or rent > 0
    tier = rec.rent_deduction_tier if rec is not None else None
    ded = si_file.deduction("housing_rent", tier) if (si_file is not None and tier) else None
    if ded is not None and renting and owns_home is not True:
        deductions["housing_rent"] = ded.amount_cny_per_month * 12
        cite("housing_rent", ded)
        if owns_home is None:
            en.append("Housing rent deduction applied: assumed renting with no home in the city (the profile "
                      "does not say).")
            zh.append("已计住房租金专项附加扣除：假定在该市租房且无自有住房（画像未说明）。")
    elif ded is None:
        unknown.append("housing_rent_deduction")
    hf_known = hf or 0.0
    taxable = max(0.0, salary - si_known - hf_known - sum(deductions.values()))
    iit = T.iit_annual(taxable, nat)
    if unknown and any(u in unknown for u in (*SI_PARTS, "housing_fund")):
        en.append("Taxable income and IIT leave out the unknown contributions, so they are upper estimates.")
        zh.append("应纳税所得额和个税未扣除未知的缴费，因此为上限估计。")

    # 6-7. left
    upper = salary - si_known - hf_known - iit - (rent or 0.0) + incentives_per_year
    left = None if unknown else round(upper, 2)
    wage = inputs.wage(city)
    best = left if left is not None else upper
    return TakeHome(
        city=city, gross=float(salary), base_month=base, base_rule=base_rule, si_parts=parts, social_insurance=si,
        housing_fund=hf, deductions=deductions, taxable_income=round(taxable, 2), iit=round(iit, 2), rent=rent,
        rent_source=rent_source, incentives_per_year=round(incentives_per_year, 2), left=left,
        left_upper=None if left is not None else round(upper, 2), horizon_years=horizon_years,
        left_over_horizon=None if left is None else round(left * horizon_years, 2),
        left_in_wage_years=round(best / wage.value, 4) if wage else None,
        contribution_year=rec.contribution_year if rec is not None else None, stale=stale, unknown=tuple(unknown),
        notes_en=tuple(en), notes_zh=tuple(zh), sources=tuple(sorted(sources)), verification=verif)


def take_home_for(profile: Any, inputs: Any, settings: Any, *, cities: Sequence[str] | None = None,
                  rent_month: float | None = None, results: Any = None) -> list[TakeHome]:
    """Take-home for a profile in each city, with the incentives it qualifies for (``results``: CityResults
    already evaluated, to avoid evaluating twice). The profile must give ``annual_salary_cny``."""
    from dashboard.engine.evaluate import evaluate_city

    if profile.annual_salary_cny is None:
        raise ValueError("annual_salary_cny: the profile gives no salary; a take-home needs one")
    ids = [c for c in (cities or inputs.cities) if c in inputs.cities]
    by_city = {r.city: r for r in (results or [])}
    out = []
    for c in ids:
        r = by_city.get(c) or evaluate_city(profile, c, inputs, settings)
        out.append(take_home(c, profile.annual_salary_cny, inputs, today=settings.today,
                             horizon_years=profile.horizon_years,
                             incentives_per_year=r.total.expected / profile.horizon_years, rent_month=rent_month,
                             flat_m2=settings.rent_flat_m2, owns_home=profile.owns_home_in_city))
    return out
