"""Income tax and zone tax caps: pure functions over the national scheme's data (iit.yaml, zones.yaml).

Why so few inputs: the research gives the resident brackets and the basic deduction, not a person's social
insurance, housing fund or special additional deductions. Taxable income is therefore salary minus the
basic deduction only, which overstates the tax (and so any zone refund) for most employees; every result
says so. A zone rule whose burden formula the research does not give returns no amount (``None``), never a
guess: Hainan, Hengqin and Lingang get a labelled approximation beside it, the HK-burden reliefs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dashboard.catalog import national as N

if TYPE_CHECKING:
    from dashboard.engine.national import NationalScheme

FILE_IIT = "iit"
FILE_ZONES = "zones"

ASSUMPTIONS_EN = (
    "tax resident (183 days or more in China in the tax year); the salary is the only comprehensive income; "
    "only the annual basic deduction is subtracted (no social-insurance, housing-fund or special additional "
    "deductions, no tax-free foreigner allowances), so the tax is an upper estimate"
)
ASSUMPTIONS_ZH = (
    "假定为居民个人（纳税年度在华满183天）、工资为唯一综合所得、仅扣除年度基本减除费用"
    "（未计社保、公积金、专项附加扣除及外籍津补贴免税），因此税额为上限估计"
)


def _basic_deduction(nat: NationalScheme) -> N.Deduction:
    for d in nat.iit.deductions:
        if d.kind == "basic" and d.applies_to == "resident" and d.period == "annual":
            return d
    raise ValueError("iit.yaml has no annual basic deduction for residents")  # the catalog check forbids this


def taxable_income_from_salary(annual_salary: float, nat: NationalScheme) -> float:
    """Annual comprehensive taxable income = salary - basic deduction (RMB 60,000), never below 0.

    Assumptions (see ``ASSUMPTIONS_EN``): a tax resident whose only comprehensive income is this salary and
    who claims the basic deduction only. Unknown deductions are not guessed."""
    if annual_salary < 0:
        raise ValueError(f"annual_salary is {annual_salary:g}; expected 0 or more")
    return max(0.0, float(annual_salary) - _basic_deduction(nat).amount_cny)


def iit_annual(taxable_income: float, nat: NationalScheme) -> float:
    """Annual IIT on comprehensive taxable income: income x rate - quick deduction of the bracket it falls in
    (bracket upper bounds are inclusive: 超过X至Y元的部分)."""
    if taxable_income <= 0:
        return 0.0
    for b in nat.iit.brackets.brackets:
        if b.up_to is None or taxable_income <= b.up_to:
            return max(0.0, taxable_income * b.rate - b.quick_deduction)
    raise ValueError("iit.yaml brackets do not cover the income")  # unreachable: the last bracket is open


def zone_rule(rule_id: str, nat: NationalScheme) -> N.ZoneRule:
    for r in nat.zones.rules:
        if r.id == rule_id:
            return r
    known = ", ".join(r.id for r in nat.zones.rules)
    raise ValueError(f"unknown zone tax rule {rule_id!r}; expected one of {known}")


@dataclass(frozen=True)
class ZoneRefund:
    """What a zone rule gives back for one tax year.

    ``amount`` is set only when the research gives the formula; ``approximation`` is the GBA-style
    ``max(0, IIT - rate x taxable income)`` for rules whose "actual tax burden" definition was not retrieved
    (an assumption, labelled as such), and ``None`` where even that would be invented (HK-burden reliefs)."""

    rule_id: str
    amount: float | None
    approximation: float | None
    cap: float | None
    capped: bool
    rate: float | None
    form: str
    paid_year_offset: int | None
    status: str
    discretionary: bool
    reason_en: str
    reason_zh: str
    sources: tuple[str, ...]


STATUS_EN = {"in_force": "in force", "expired": "expired", "proposed": "proposed, not in force",
             "unknown": "current status not confirmed"}
STATUS_ZH = {"in_force": "有效", "expired": "已到期", "proposed": "拟议，尚未实施", "unknown": "目前状态未经确认"}


def _excess(iit: float, taxable_income: float, rate: float) -> float:
    return max(0.0, iit - rate * taxable_income)


def zone_refund(rule_id: str, nat: NationalScheme, *, taxable_income: float, iit: float) -> ZoneRefund:
    """The refund, subsidy or exemption of one zone rule for one year's taxable income and IIT.

    An id that no national rule carries (a city record's placeholder) gives no amount and says so, rather
    than failing the whole city's evaluation; the catalog should flag such ids."""
    if not any(r.id == rule_id for r in nat.zones.rules):
        known = ", ".join(r.id for r in nat.zones.rules)
        return ZoneRefund(rule_id, None, None, None, False, None, "unknown", None, "unknown", False,
                          f"No national zone rule {rule_id!r} (known: {known}); no amount.",
                          f"无编号为{rule_id!r}的国家区域税收规则；不给出金额。", ())
    r = zone_rule(rule_id, nat)
    sources = tuple(f"{FILE_ZONES}:{s}" for s in r.sources)
    status_en = "" if r.status == "in_force" else (
        f" Status: {STATUS_EN[r.status]}" + (f" ({r.status_note})" if r.status_note else "") + ".")
    status_zh = "" if r.status == "in_force" else f"状态：{STATUS_ZH[r.status]}。"
    if r.burden == "iit_minus_rate_x_taxable":
        rate = r.rate or 0.0
        raw = _excess(iit, taxable_income, rate)
        capped = r.cap_cny is not None and raw > r.cap_cny
        amount = min(raw, r.cap_cny) if r.cap_cny is not None else raw
        cap_en = f", capped at RMB {r.cap_cny:,.0f}" if r.cap_cny is not None else ""
        cap_zh = f"，上限{r.cap_cny:,.0f}元" if r.cap_cny is not None else ""
        when_en = f"; paid {r.paid_year_offset} year(s) after the tax year" if r.paid_year_offset else ""
        when_zh = f"；于纳税年度后第{r.paid_year_offset}年发放" if r.paid_year_offset else ""
        en = (f"IIT RMB {iit:,.0f} minus {rate:.0%} of taxable income RMB {taxable_income:,.0f} "
              f"(RMB {rate * taxable_income:,.0f}) = RMB {raw:,.0f}{cap_en}{when_en}." + status_en)
        zh = (f"个人所得税{iit:,.0f}元减去应纳税所得额{taxable_income:,.0f}元的{rate:.0%}"
              f"（{rate * taxable_income:,.0f}元）= {raw:,.0f}元{cap_zh}{when_zh}。" + status_zh)
        return ZoneRefund(r.id, amount, None, r.cap_cny, capped, r.rate, r.form, r.paid_year_offset, r.status,
                          r.discretionary, en, zh, sources)
    if r.burden == "undefined":
        rate = r.rate or 0.0
        approx = _excess(iit, taxable_income, rate)
        if r.cap_cny is not None:
            approx = min(approx, r.cap_cny)
        en = (f"No amount: how the '{rate:.0%} actual tax burden' is defined was not retrieved. Approximated with "
              f"the GBA formula (an assumption): IIT RMB {iit:,.0f} - {rate:.0%} x RMB {taxable_income:,.0f} = "
              f"RMB {approx:,.0f}." + (" Granted at discretion, project by project." if r.discretionary else "")
              + status_en)
        zh = (f"不给出金额：“实际税负{rate:.0%}”的定义未检索到。按大湾区公式近似（属假设）：个人所得税{iit:,.0f}元 − "
              f"{rate:.0%}×{taxable_income:,.0f}元 = {approx:,.0f}元。" + ("按项目择优给予。" if r.discretionary else "")
              + status_zh)
        return ZoneRefund(r.id, None, approx, r.cap_cny, False, r.rate, r.form, r.paid_year_offset, r.status,
                          r.discretionary, en, zh, sources)
    en = ("No amount: IIT above the Hong Kong tax burden is exempt, and how that burden is computed is not in "
          "the research (no Hong Kong rates are assumed)." + status_en)
    zh = "不给出金额：超过香港税负的部分免征，而香港税负的计算方法不在研究资料中（不假设香港税率）。" + status_zh
    return ZoneRefund(r.id, None, None, r.cap_cny, False, r.rate, r.form, r.paid_year_offset, r.status,
                      r.discretionary, en, zh, sources)
