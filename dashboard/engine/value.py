"""Money value of a benefit over the profile's horizon, and the ordinal scale for what is not money.

Method (shown on the Method page):
- Cash is counted when it is paid. Instalments that wait for months of social insurance arrive later;
  payments after the horizon are not counted. Each payment is discounted by (1 + rate) ** -years.
- "Up to" amounts give a range: low = the floor (0 unless the source gives one), high = the cap, and
  expected = low + share x (high - low) with share = Settings.discretionary_expected_share (0.5: the
  midpoint rule). It is a convention, not a probability, and the range is always shown beside it.
- Below-market rent: share saved x market rent per m² x a reference flat size (Settings.rent_flat_m2).
- Tax refunds: the national tax engine's refund for the profile's salary, once per tax year while the
  scheme runs, paid the following year.
- Hukou, permits, residence, titles and services are not turned into money: they get status points on a
  documented 1-4 scale (STATUS_POINTS), summed into the "status and pathway" dimension.
- Loans are not gifts: their cap is shown, their money value is 0, and they count as a startup instrument.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.catalog import schema as S

# Status points: how much a non-money benefit changes a newcomer's position. 4 = permanent (PR), 3 = a
# city hukou (schooling, home purchase, social benefits), 2 = a durable right (permit, residence card,
# title, home-purchase right, school places), 1 = a convenience (visa facilitation, services, short stay).
STATUS_POINTS: dict[str, int] = {
    "permanent_residence": 4, "hukou": 3, "residence_permit": 2, "work_permit": 2, "talent_title": 2,
    "home_purchase_right": 2, "schooling": 2, "visa": 1, "services": 1, "short_stay": 1,
}


@dataclass(frozen=True)
class Payment:
    years: float     # from the start of work
    amount: float    # nominal CNY, expected
    low: float
    high: float


@dataclass(frozen=True)
class Value:
    """Discounted CNY over the horizon (low / expected / high) and the nominal expected sum."""

    low: float
    expected: float
    high: float
    nominal: float
    known: bool                 # False: the source publishes no amount (shown as unknown, counted as 0)
    money: bool                 # False for status, services and loans
    status_points: int = 0
    loan_cap: float = 0.0
    rule_en: str = ""
    rule_zh: str = ""
    payments: tuple[Payment, ...] = ()

    @property
    def discretionary(self) -> bool:
        return self.high > self.low


ZERO = Value(0, 0, 0, 0, True, False)


def _disc(years: float, rate: float) -> float:
    return (1 + rate) ** -years


def _sum(payments: list[Payment], rate: float, horizon: float) -> tuple[float, float, float, float]:
    lo = ex = hi = nom = 0.0
    base = 1.0 + rate
    for p in payments:
        if p.years > horizon + 1e-9:
            continue
        d = base ** -p.years
        lo += p.low * d
        ex += p.amount * d
        hi += p.high * d
        nom += p.amount
    return lo, ex, hi, nom


def _expected(a: S.Amount, share: float) -> tuple[float, float, float]:
    lo, hi = a.low, a.high
    return lo, lo + share * (hi - lo), hi


def _money(b: S.Benefit, amount: S.Amount | None, *, horizon: int, rate: float, share: float,
           rent_per_m2_month: float | None, flat_m2: float, tax_refund_per_year: float | None,
           tax_years: int) -> Value:
    f = b.form
    if amount is not None and amount.currency == "USD":
        return Value(0, 0, 0, 0, False, True, rule_en="amount in USD: not converted", rule_zh="美元金额：未换算")
    if f == "tax_refund":
        if tax_refund_per_year is None:
            return Value(0, 0, 0, 0, False, True, rule_en="refund depends on salary: give a salary to value it",
                         rule_zh="退税取决于薪酬：请填写薪酬")
        pays = [Payment(y + 1, tax_refund_per_year, tax_refund_per_year, tax_refund_per_year) for y in range(tax_years)]
        lo, ex, hi, nom = _sum(pays, rate, horizon)
        return Value(lo, ex, hi, nom, True, True,
                     rule_en=f"RMB {tax_refund_per_year:,.0f} a year for {tax_years} tax year(s) in the horizon while the "
                             "scheme runs, each paid the following year",
                     rule_zh=f"每年{tax_refund_per_year:,.0f}元，计{tax_years}个纳税年度（政策有效期内），次年发放",
                     payments=tuple(pays))
    if f == "rent_discount" and amount is None:
        months = min(b.duration_months or horizon * 12, horizon * 12)
        if rent_per_m2_month is None or b.rent_discount_share is None:
            return Value(0, 0, 0, 0, False, True, rule_en="market rent not in the data", rule_zh="数据中无市场租金")
        monthly = b.rent_discount_share * rent_per_m2_month * flat_m2
        pays = [Payment(m / 12, monthly, monthly, monthly) for m in range(months)]
        lo, ex, hi, nom = _sum(pays, rate, horizon)
        return Value(lo, ex, hi, nom, True, True,
                     rule_en=f"{b.rent_discount_share:.0%} of market rent (RMB {rent_per_m2_month:,.1f}/m²/month x "
                             f"{flat_m2:g} m²) for {months} months",
                     rule_zh=f"市场租金（{rent_per_m2_month:,.1f}元/平方米/月 x {flat_m2:g}平方米）的{b.rent_discount_share:.0%}，"
                             f"共{months}个月", payments=tuple(pays))
    if amount is None:
        return Value(0, 0, 0, 0, False, True, rule_en="amount not published", rule_zh="未公布金额")
    lo, ex, hi = _expected(amount, share)
    if f == "one_off":
        sched = b.schedule or [S.Payment(share=1.0, after_si_months=0)]
        pays = [Payment(p.after_si_months / 12, ex * p.share, lo * p.share, hi * p.share) for p in sched]
        when_en = ", ".join(f"{p.share:.0%} after {p.after_si_months} months of social insurance" for p in sched
                            if p.after_si_months) or "on approval"
        when_zh = "，".join(f"社保满{p.after_si_months}个月发{p.share:.0%}" for p in sched if p.after_si_months) or "批准后发放"
        rule_en, rule_zh = f"one-off, {when_en}", f"一次性，{when_zh}"
    elif f in ("monthly", "rent_discount"):
        months = min(b.duration_months or horizon * 12, horizon * 12)
        pays = [Payment(m / 12, ex, lo, hi) for m in range(months)]
        rule_en, rule_zh = f"monthly for {months} months", f"按月发放{months}个月"
    elif f == "annual":
        years = min(b.duration_years or horizon, horizon)
        pays = [Payment(float(y), ex, lo, hi) for y in range(years)]
        rule_en, rule_zh = f"yearly for {years} years", f"按年发放{years}年"
    else:
        raise ValueError(f"not a money form: {f}")
    vlo, vex, vhi, nom = _sum(pays, rate, horizon)
    if amount.discretionary:
        rule_en += f"; discretionary: expected = {share:.0%} of the way from the floor to the cap"
        rule_zh += f"；酌情发放：期望值取下限至上限的{share:.0%}"
    late = [p for p in pays if p.years > horizon + 1e-9]
    if late:
        rule_en += f"; {len(late)} payment(s) fall after the {horizon}-year horizon and are not counted"
        rule_zh += f"；{len(late)}笔发放晚于{horizon}年期限，未计入"
    return Value(vlo, vex, vhi, nom, True, True, rule_en=rule_en, rule_zh=rule_zh, payments=tuple(pays))


def value_of(b: S.Benefit, amount: S.Amount | None, *, horizon: int, rate: float, share: float,
             rent_per_m2_month: float | None = None, flat_m2: float = 40.0,
             tax_refund_per_year: float | None = None, tax_years: int = 0) -> Value:
    """Value one benefit (with the tier's amount when the incentive has tiers)."""
    if b.form in ("status", "in_kind"):
        pts = STATUS_POINTS.get(b.status_kind or "", 1)
        return Value(0, 0, 0, 0, True, False, status_points=pts,
                     rule_en=f"not money: {pts} status point(s) ({b.status_kind})",
                     rule_zh=f"非现金：{pts}个身份分（{b.status_kind}）")
    if b.form == "loan":
        cap = amount.high if amount is not None else 0.0
        return Value(0, 0, 0, 0, amount is not None, False, loan_cap=cap,
                     rule_en="a loan, not a gift: counted as a startup instrument, money value 0",
                     rule_zh="贷款而非补贴：计为创业支持工具，现金价值为0")
    return _money(b, amount, horizon=horizon, rate=rate, share=share, rent_per_m2_month=rent_per_m2_month,
                  flat_m2=flat_m2, tax_refund_per_year=tax_refund_per_year, tax_years=tax_years)
