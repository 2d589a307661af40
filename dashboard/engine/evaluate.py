"""One profile in one city: every incentive evaluated and valued, exclusions resolved, totals by category.

Pure: takes the loaded catalog (``Inputs``) and returns plain dataclasses that carry the ids of the records
and sources they came from, so any table, tooltip or export can cite them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.catalog import schema as S
from dashboard.engine import reference as R
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rules import CityContext, CondResult, Eligibility, evaluate_incentive
from dashboard.engine.value import ZERO, Value, value_of


@dataclass(frozen=True)
class Inputs:
    """Everything the engine reads besides the profile, already loaded and validated."""

    cities: Mapping[str, S.CityFile]
    reference: Mapping[str, S.ReferenceFile] = field(default_factory=dict)
    national: Any = None          # dashboard.engine.national.NationalScheme, or None when unavailable
    industry: Any = None          # the industry-fit model, or None
    user_supplied: frozenset[str] = frozenset()  # cities uploaded in a session, marked as such
    social_insurance: Any = None  # catalog.social_insurance.SocialInsuranceFile, or None (engine/takehome.py)
    _picks: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def wage(self, city: str) -> R.Pick | None:
        """The city's average-wage figure (memoised: the reference data never changes within Inputs)."""
        if ("wage", city) not in self._picks:
            self._picks[("wage", city)] = R.local_wage(self.reference, city)
        return self._picks[("wage", city)]

    def rent(self, city: str) -> R.Pick | None:
        if ("rent", city) not in self._picks:
            self._picks[("rent", city)] = R.market_rent(self.reference, city)
        return self._picks[("rent", city)]


@dataclass(frozen=True)
class Evaluation:
    city: str
    incentive: S.Incentive
    status: str                       # eligible | ineligible | possible
    conditions: tuple[CondResult, ...]
    tier_id: str | None
    value: Value
    excluded_by: str | None = None    # chosen alternative when the two cannot be combined
    outside_zone: str | None = None   # a district/zone scheme not counted: the best other zone was chosen

    @property
    def id(self) -> str:
        return self.incentive.id

    @property
    def counted(self) -> bool:
        """Counted in the city's expected total: eligible and not displaced by a better alternative."""
        return self.status == "eligible" and self.excluded_by is None and self.outside_zone is None

    @property
    def failing(self) -> tuple[CondResult, ...]:
        return tuple(c for c in self.conditions if c.status == "fail")


@dataclass(frozen=True)
class Total:
    """Counted items (eligible, not displaced): low / expected / high of their values and their status
    points; plus the items that are only *possible*, counted apart (their number and their caps) so an
    uncertain upside is never mixed into the expected value."""

    low: float = 0.0
    expected: float = 0.0
    high: float = 0.0
    status_points: int = 0
    count: int = 0
    possible_count: int = 0
    possible_high: float = 0.0

    def add(self, v: Value) -> Total:
        return Total(self.low + v.low, self.expected + v.expected, self.high + v.high,
                     self.status_points + v.status_points, self.count + 1, self.possible_count, self.possible_high)

    def add_possible(self, v: Value) -> Total:
        return Total(self.low, self.expected, self.high, self.status_points, self.count, self.possible_count + 1,
                     self.possible_high + v.high)


@dataclass(frozen=True)
class CityResult:
    city: str
    evaluations: tuple[Evaluation, ...]
    by_category: dict[str, Total]
    total: Total                      # counted items, and possible items apart
    local_wage: R.Pick | None
    market_rent: R.Pick | None
    zone: str | None = None           # the district/zone whose schemes are counted (one place to live and work)
    permit: Any = None                # national PermitResult for this city (work location matters)
    iit: float | None = None          # annual IIT on the profile's salary (same rules everywhere)
    startup_instruments: int = 0      # eligible loans and startup services

    def eligible(self) -> list[Evaluation]:
        return [e for e in self.evaluations if e.counted]

    @property
    def value_in_wage_years(self) -> float | None:
        """Expected value in years of the city's average wage: the cost-of-living-relative measure."""
        if self.local_wage is None:
            return None
        return self.total.expected / self.local_wage.value


def _permit(profile: Profile, inputs: Inputs, city: str, wage: float | None, settings: Settings) -> Any:
    if inputs.national is None or profile.origin is None or profile.origin == "mainland":
        return None
    from dashboard.engine.national import work_permit

    return work_permit(profile, inputs.national, city=city, local_annual_wage=wage, today=settings.today)


def _tax(profile: Profile, inputs: Inputs) -> tuple[float | None, float | None]:
    """(taxable income, IIT) for the profile's salary, or Nones."""
    if inputs.national is None or profile.annual_salary_cny is None:
        return None, None
    from dashboard.engine.tax import iit_annual, taxable_income_from_salary

    ti = taxable_income_from_salary(profile.annual_salary_cny, inputs.national)
    return ti, iit_annual(ti, inputs.national)


def _refund(rule_id: str, inputs: Inputs, ti: float | None, iit: float | None) -> tuple[float | None, Any]:
    if inputs.national is None or ti is None or iit is None:
        return None, None
    from dashboard.engine.tax import zone_refund

    r = zone_refund(rule_id, inputs.national, taxable_income=ti, iit=iit)
    return r.amount, r


def _tax_years(inc: S.Incentive, settings: Settings, horizon: int) -> int:
    """Tax years inside the horizon while the scheme runs (a 2027-12-31 end leaves 2026 and 2027)."""
    start = settings.today.year
    last = inc.valid_to.year if inc.valid_to else start + horizon - 1
    return max(0, min(horizon, last - start + 1))


def evaluate_city(profile: Profile, city_id: str, inputs: Inputs, settings: Settings) -> CityResult:
    city = inputs.cities[city_id]
    wage = inputs.wage(city_id)
    rent = inputs.rent(city_id)
    permit = _permit(profile, inputs, city_id, wage.value if wage else None, settings)
    ctx = CityContext(
        city=city_id, today=settings.today, local_annual_wage=wage.value if wage else None,
        permit_class=getattr(permit, "klass", None), permit_class_known=permit is not None and
        getattr(permit, "klass_known", getattr(permit, "klass", None) is not None),
    )
    ti, iit = _tax(profile, inputs)
    evals: list[Evaluation] = []
    for inc in city.incentives:
        el: Eligibility = evaluate_incentive(inc, profile, ctx)
        tier = next((t for t in inc.tiers if t.id == el.tier_id), None)
        if tier is None and el.possible_tiers:
            tier = max((t for t in inc.tiers if t.id in el.possible_tiers),
                       key=lambda t: t.amount.high if t.amount else 0)
        amount = tier.amount if tier is not None else inc.benefit.amount
        refund = None
        if inc.benefit.form == "tax_refund" and inc.benefit.tax_rule and el.status != "ineligible":
            refund, _ = _refund(inc.benefit.tax_rule, inputs, ti, iit)
        val = ZERO if el.status == "ineligible" else value_of(
            inc.benefit, amount, horizon=profile.horizon_years, rate=profile.discount_rate,
            share=settings.discretionary_expected_share, rent_per_m2_month=rent.value if rent else None,
            flat_m2=settings.rent_flat_m2, tax_refund_per_year=refund,
            tax_years=_tax_years(inc, settings, profile.horizon_years))
        evals.append(Evaluation(city_id, inc, el.status, el.conditions, el.tier_id if tier else None, val))
    evals = resolve_exclusions(evals)
    evals, zone = choose_zone(evals)
    by_cat: dict[str, Total] = {c: Total() for c in S.CATEGORIES}
    total = Total()
    instruments = 0
    for e in evals:
        cat = e.incentive.category
        if e.counted:
            by_cat[cat] = by_cat[cat].add(e.value)
            total = total.add(e.value)
            if e.value.loan_cap or (cat == "startup" and not e.value.money):
                instruments += 1
        elif e.status == "possible" and e.excluded_by is None:
            by_cat[cat] = by_cat[cat].add_possible(e.value)
            total = total.add_possible(e.value)
    return CityResult(city_id, tuple(evals), by_cat, total, wage, rent, zone, permit, iit, instruments)


ZONE_LEVELS = ("district", "zone")


def zone_key(inc: S.Incentive) -> str | None:
    """District and zone schemes are grouped by the place they name; city and province schemes apply
    everywhere in the city."""
    return inc.scope.name_en if inc.scope.level in ZONE_LEVELS else None


def choose_zone(evals: list[Evaluation]) -> tuple[list[Evaluation], str | None]:
    """One person lives and works in one place: count city-wide schemes plus the schemes of the single
    district or zone worth most to the profile (expected value, then status points, then name); the other
    districts' schemes are shown but marked ``outside_zone``. Overlapping zones (Zhongguancun and Haidian)
    are treated as different places, which can only undercount."""
    groups: dict[str, tuple[float, int]] = {}
    for e in evals:
        key = zone_key(e.incentive)
        if key is not None and e.counted:
            v, pts = groups.get(key, (0.0, 0))
            groups[key] = (v + e.value.expected, pts + e.value.status_points)
    if not groups:
        return evals, None
    best = max(groups, key=lambda k: (round(groups[k][0], 6), groups[k][1], k))
    out = []
    for e in evals:
        key = zone_key(e.incentive)
        if key is not None and key != best and e.counted:
            e = Evaluation(e.city, e.incentive, e.status, e.conditions, e.tier_id, e.value, e.excluded_by, outside_zone=best)
        out.append(e)
    return out, best


def resolve_exclusions(evals: list[Evaluation]) -> list[Evaluation]:
    """Of two options that cannot be combined, keep the better (eligible before possible, then expected
    value, then the cap) and mark the other ``excluded_by`` it, so the page can say which was chosen."""
    by_id = {e.id: e for e in evals}
    pos = {e.id: i for i, e in enumerate(evals)}
    rank = {"eligible": 2, "possible": 1, "ineligible": 0}

    def key(e: Evaluation) -> tuple[float, float, float, int]:
        return (rank[e.status], e.value.expected + e.value.status_points, e.value.high, -pos[e.id])

    out = []
    for e in evals:
        rivals = [by_id[x] for x in e.incentive.excludes if x in by_id and by_id[x].status != "ineligible"]
        if e.status != "ineligible" and rivals:
            best = max([e, *rivals], key=key)
            if best is not e:
                e = Evaluation(e.city, e.incentive, e.status, e.conditions, e.tier_id, e.value, excluded_by=best.id)
        out.append(e)
    return out


def inputs_from(load_result: Any, *, extra_cities: Mapping[str, S.CityFile] | None = None) -> Inputs:
    """Build the engine's inputs from a catalog LoadResult (plus session uploads, marked user-supplied)."""
    national = None
    if load_result.national:
        from dashboard.engine.national import national_scheme

        try:
            national = national_scheme(load_result.national)
        except (KeyError, ValueError):
            national = None
    cities = dict(load_result.cities)
    extra = dict(extra_cities or {})
    cities.update(extra)
    return Inputs(cities, dict(load_result.reference), national,
                  load_result.reference_extra.get("industry_fit"), frozenset(extra),
                  social_insurance=load_result.reference_extra.get("social_insurance"))
