"""Benchmarking for officials: cities x archetypes, the home city's gaps to the leader, and the cost to lead.

All three read the same engine as the Explore page (``rank.rank_cities`` with ``draws=0``: sensitivity is a
graduate's question, not a benchmark's), so a benchmark can never disagree with what an applicant sees.

**Matrix.** For each archetype (a named :class:`~dashboard.engine.profile.Profile`), every city is ranked
with the archetype's weight preset (or the weights the user chose, for all archetypes alike). A cell holds
the city's rank, score (0-100) and value (low / expected / high, discounted CNY over the profile's horizon;
*possible* items counted apart, never in the expected value).

**Gaps.** For the home city and each archetype: per category, what the leader pays that the home city does
not (``rank.gaps_to_leader``), with the leader's and the home city's incentives named, their values and
their sources, and one sentence in each language ("Shenzhen pays RMB 97,740 to ... through ...; Chengdu
pays RMB 0").

**Cost to lead.** The smallest extra amount, in one category, that makes the home city rank first for one
archetype. Method:

1. The extra is a synthetic incentive added to a copy of the home city's file: city-wide, no conditions
   (every profile is eligible), in force, a one-off cash payment on approval of ``x`` CNY in the chosen
   category. Paid at year 0, it adds exactly ``x`` to the category's expected value (no discounting).
2. The home city is re-evaluated with it and all cities re-ranked by the unchanged engine (the other
   cities' evaluations are computed once and reused).
3. Rank is monotone in ``x``: adding cash raises the home city's raw value in one dimension; its normalised
   score (ratio to the best city) can only rise and the others' can only fall (the best may become the home
   city), and the tie-break (total expected value) only rises. So the smallest ``x`` is found by bisection on
   multiples of ``step`` (RMB 100) between 0 and ``cap`` (RMB 100 million): about 20 evaluations.
4. If the home city is not first at the cap, the category cannot make it lead: the result says so with the
   best rank reached at the cap. This happens when the category feeds no score dimension (cash in
   ``hukou_residence`` counts in the total, not in the six dimensions), when the weight of the category's
   dimension is 0, or when the other dimensions' gap exceeds that dimension's whole weight (a dimension's
   score is capped at 1 once the city is the best in it).

Which dimension a category feeds (``CATEGORY_DIMENSION``) follows ``score.py``: tax, living, research and
family cash feed *money*; housing feeds *housing*; startup grants feed half of *startup*.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dashboard.catalog import schema as S
from dashboard.catalog.archetypes import Archetype
from dashboard.engine import score as SC
from dashboard.engine.evaluate import CityResult, Evaluation, Inputs, evaluate_city
from dashboard.engine.profile import Settings
from dashboard.engine.rank import Ranking, gaps_to_leader, rank_cities, rank_results, resolve_weights

DEFAULT_CAP = 100_000_000.0
DEFAULT_STEP = 100.0

CATEGORY_DIMENSION: dict[str, str | None] = {
    **{c: "money" for c in SC.MONEY_CATEGORIES}, "housing": "housing", "startup": "startup", "hukou_residence": None,
}
assert set(CATEGORY_DIMENSION) == set(S.CATEGORIES)

CATEGORY_EN = {"tax": "tax", "housing": "housing", "living": "living subsidy", "startup": "startup",
               "research": "research and talent programmes", "hukou_residence": "hukou and residence",
               "family": "family"}
CATEGORY_ZH = {"tax": "税收", "housing": "住房", "living": "生活补贴", "startup": "创业", "research": "科研与人才计划",
               "hukou_residence": "户籍与居留", "family": "家庭"}

DIMENSION_ZH = {"money": "现金", "housing": "住房", "status": "身份与通道", "startup": "创业支持", "industry": "产业匹配",
                "market": "薪酬水平", "money_left": "结余"}
assert set(DIMENSION_ZH) == set(SC.DIMENSIONS)

SYNTHETIC_ID = "cost-to-lead.extra"
SYNTHETIC_SOURCE = "COST_TO_LEAD"


def rmb_en(x: float) -> str:
    return f"RMB {x:,.0f}"


def rmb_zh(x: float) -> str:
    """Same convention as dashboard.i18n.money (the engine does not read the message catalog)."""
    if abs(x) >= 1e8:
        return f"{x / 1e8:.2f}".rstrip("0").rstrip(".") + "亿元"
    if abs(x) >= 1e4:
        return f"{x / 1e4:.1f}".rstrip("0").rstrip(".") + "万元"
    return f"{x:,.0f}元"


def _weights_for(archetype: Archetype, weights: Mapping[str, float] | None) -> dict[str, float]:
    return resolve_weights(weights) if weights is not None else resolve_weights(preset=archetype.preset)


def _city_names(inputs: Inputs, city: str) -> tuple[str, str]:
    c = inputs.cities.get(city)
    return (c.name_en, c.name_zh) if c is not None else (city, city)


# --- the matrix ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    archetype: str
    city: str
    rank: int
    score: float
    expected: float            # discounted CNY over the horizon, counted items only
    low: float
    high: float
    status_points: int
    possible_count: int        # items that are only possible (unknown answers), apart from the expected value
    possible_high: float
    value_in_wage_years: float | None
    user_supplied: bool


@dataclass(frozen=True)
class ArchetypeRow:
    archetype: str
    name_en: str
    name_zh: str
    weights: dict[str, float]
    leader: str
    cells: tuple[Cell, ...]    # in the matrix's city order
    ranking: Ranking           # the full engine ranking, for gaps and drill-down

    def cell(self, city: str) -> Cell:
        return next(c for c in self.cells if c.city == city)


@dataclass(frozen=True)
class BenchmarkMatrix:
    cities: tuple[str, ...]
    rows: tuple[ArchetypeRow, ...]
    user_supplied: frozenset[str]
    flags: tuple[str, ...]

    @property
    def archetypes(self) -> tuple[str, ...]:
        return tuple(r.archetype for r in self.rows)

    def row(self, archetype: str) -> ArchetypeRow:
        return next(r for r in self.rows if r.archetype == archetype)

    def cell(self, archetype: str, city: str) -> Cell:
        return self.row(archetype).cell(city)


def matrix(archetypes: Sequence[Archetype], inputs: Inputs, settings: Settings,
           weights: Mapping[str, float] | None = None, *, cities: Sequence[str] | None = None) -> BenchmarkMatrix:
    """Rank every city for every archetype. ``weights`` None: each archetype's own preset."""
    ids = tuple(c for c in (cities or inputs.cities) if c in inputs.cities)
    rows = []
    flags: list[str] = []
    for a in archetypes:
        w = _weights_for(a, weights)
        ranking = rank_cities(a.profile, inputs, settings, weights=w, cities=list(ids), draws=0)
        by_city = ranking.by_city()
        cells = []
        for c in ids:
            r = by_city[c]
            t = r.result.total
            cells.append(Cell(a.id, c, r.rank, r.score, t.expected, t.low, t.high, t.status_points, t.possible_count,
                              t.possible_high, r.result.value_in_wage_years, r.user_supplied))
        flags.extend(f for f in ranking.flags if f not in flags)
        rows.append(ArchetypeRow(a.id, a.name_en, a.name_zh, w, ranking.leader.city, tuple(cells), ranking))
    return BenchmarkMatrix(ids, tuple(rows), frozenset(c for c in ids if c in inputs.user_supplied), tuple(flags))


# --- gaps to the leader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRef:
    """One incentive behind a gap, with what the page needs to cite it."""

    city: str
    incentive_id: str
    name_en: str
    name_zh: str
    expected: float
    low: float
    high: float
    status_points: int
    scope_level: str
    verification: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CategoryGap:
    category: str
    leader_expected: float
    home_expected: float
    leader_status_points: int
    home_status_points: int
    leader_items: tuple[ItemRef, ...]
    home_items: tuple[ItemRef, ...]
    text_en: str
    text_zh: str

    @property
    def amount(self) -> float:
        return self.leader_expected - self.home_expected


@dataclass(frozen=True)
class HomeGaps:
    archetype: str
    home: str
    home_rank: int
    home_score: float
    leader: str
    leader_score: float
    categories: tuple[CategoryGap, ...]   # largest money gap first; empty when the home city leads
    text_en: str
    text_zh: str


def _item(e: Evaluation) -> ItemRef:
    inc = e.incentive
    return ItemRef(e.city, inc.id, inc.name_en, inc.name_zh, e.value.expected, e.value.low, e.value.high,
                   e.value.status_points, inc.scope.level, inc.verification, tuple(inc.sources))


def _items_text(items: Sequence[ItemRef], lang: str, money: bool) -> str:
    parts = []
    for i in items:
        name = i.name_en if lang == "en" else i.name_zh
        if money and i.expected > 0.5:
            amt = rmb_en(i.expected) if lang == "en" else rmb_zh(i.expected)
            parts.append(f"{name} ({amt})" if lang == "en" else f"{name}（{amt}）")
        elif not money and i.status_points:
            parts.append(f"{name} ({i.status_points} pt)" if lang == "en" else f"{name}（{i.status_points}分）")
    if lang == "en":
        return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else ""
    return "、".join(parts)


def _gap_text(gap: CategoryGap, a: Archetype, inputs: Inputs, home: str, leader: str,
              horizon: int) -> tuple[str, str]:
    le, lz = _city_names(inputs, leader)
    he, hz = _city_names(inputs, home)
    money = gap.leader_expected > gap.home_expected + 0.5
    if money:
        li_en, li_zh = _items_text(gap.leader_items, "en", True), _items_text(gap.leader_items, "zh", True)
        hi_en, hi_zh = _items_text(gap.home_items, "en", True), _items_text(gap.home_items, "zh", True)
        en = (f"{le} pays {rmb_en(gap.leader_expected)} ({CATEGORY_EN[gap.category]}, expected value over "
              f"{horizon} years) to “{a.name_en}”" + (f" through {li_en}" if li_en else "") +
              f"; {he} pays {rmb_en(gap.home_expected)}" + (f" through {hi_en}" if hi_en else "") + ".")
        zh = (f"{lz}向「{a.name_zh}」提供{rmb_zh(gap.leader_expected)}（{CATEGORY_ZH[gap.category]}，{horizon}年期望值）"
              + (f"，来自{li_zh}" if li_zh else "") + f"；{hz}提供{rmb_zh(gap.home_expected)}"
              + (f"，来自{hi_zh}" if hi_zh else "") + "。")
        return en, zh
    li_en, li_zh = _items_text(gap.leader_items, "en", False), _items_text(gap.leader_items, "zh", False)
    hi_en, hi_zh = _items_text(gap.home_items, "en", False), _items_text(gap.home_items, "zh", False)
    en = (f"{le} grants {gap.leader_status_points} status point(s) ({CATEGORY_EN[gap.category]}) to “{a.name_en}”"
          + (f" through {li_en}" if li_en else "") + f"; {he} grants {gap.home_status_points}"
          + (f" through {hi_en}" if hi_en else "") + ".")
    zh = (f"{lz}向「{a.name_zh}」提供{gap.leader_status_points}个身份分（{CATEGORY_ZH[gap.category]}）"
          + (f"，来自{li_zh}" if li_zh else "") + f"；{hz}提供{gap.home_status_points}个"
          + (f"，来自{hi_zh}" if hi_zh else "") + "。")
    return en, zh


def gaps_for(home: str, archetype: Archetype, ranking: Ranking, inputs: Inputs) -> HomeGaps:
    """The home city's gaps to the leader of one ranking (the engine's ``gaps_to_leader``, named)."""
    by_city = ranking.by_city()
    if home not in by_city:
        raise ValueError(f"home city {home!r} is not in the ranking; expected one of {sorted(by_city)}")
    me, lead = by_city[home], ranking.leader
    he, hz = _city_names(inputs, home)
    if lead.city == home:
        runner = ranking.rows[1] if len(ranking.rows) > 1 else None
        en = f"{he} ranks first for “{archetype.name_en}”" + (
            f" (score {me.score:.1f}; next {_city_names(inputs, runner.city)[0]} {runner.score:.1f})." if runner else ".")
        zh = f"{hz}对「{archetype.name_zh}」排名第一" + (
            f"（得分{me.score:.1f}；其次为{_city_names(inputs, runner.city)[1]} {runner.score:.1f}）。" if runner else "。")
        return HomeGaps(archetype.id, home, 1, me.score, home, me.score, (), en, zh)
    cats = []
    for g in gaps_to_leader(ranking, home):
        lt, mt = lead.result.by_category[g.category], me.result.by_category[g.category]
        gap = CategoryGap(g.category, g.leader_expected, g.city_expected, lt.status_points, mt.status_points,
                          tuple(_item(e) for e in g.leader_items), tuple(_item(e) for e in g.city_items), "", "")
        en, zh = _gap_text(gap, archetype, inputs, home, lead.city, archetype.profile.horizon_years)
        cats.append(dataclasses.replace(gap, text_en=en, text_zh=zh))
    le, lz = _city_names(inputs, lead.city)
    en = (f"For “{archetype.name_en}”, {he} ranks {me.rank} (score {me.score:.1f}); the leader {le} scores "
          f"{lead.score:.1f}.")
    zh = f"对「{archetype.name_zh}」，{hz}排名第{me.rank}（得分{me.score:.1f}）；第一名{lz}得分{lead.score:.1f}。"
    return HomeGaps(archetype.id, home, me.rank, me.score, lead.city, lead.score, tuple(cats), en, zh)


def home_gaps(home: str, archetypes: Sequence[Archetype], inputs: Inputs, settings: Settings,
              weights: Mapping[str, float] | None = None, *, bench: BenchmarkMatrix | None = None) -> tuple[HomeGaps, ...]:
    """Per archetype, the home city's gaps to the leader by category. Pass ``bench`` to reuse its rankings."""
    out = []
    for a in archetypes:
        if bench is not None and a.id in bench.archetypes:
            ranking = bench.row(a.id).ranking
        else:
            ranking = rank_cities(a.profile, inputs, settings, weights=_weights_for(a, weights), draws=0)
        out.append(gaps_for(home, a, ranking, inputs))
    return tuple(out)


# --- cost to lead --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostToLead:
    home: str
    archetype: str
    category: str
    dimension: str | None          # the score dimension the category feeds (None: none)
    reachable: bool
    amount: float | None           # smallest extra CNY (a multiple of step), 0 when already first; None if unreachable
    rank_before: int
    leader_before: str
    rank_at_cap: int               # best rank reached with the cap added (1 when reachable)
    cap: float
    step: float
    evaluations: int               # engine runs of the home city
    text_en: str
    text_zh: str


def _synthetic_city(city: S.CityFile, category: str, amount: float, today: date) -> S.CityFile:
    """A copy of the city with one unconditional, city-wide, one-off payment of ``amount`` in ``category``."""
    src = S.Source(id=SYNTHETIC_SOURCE, kind="scenario", issuer="Cost-to-lead calculation (not a policy)",
                   title="Synthetic incentive added by the benchmark's cost-to-lead search", retrieved=today)
    inc = S.Incentive(
        id=SYNTHETIC_ID, name_en="Extra amount (cost to lead)", name_zh="追加金额（领先所需）", category=category,
        scope=S.Scope(level="city", name_en=city.name_en, name_zh=city.name_zh),
        audience_en="Everyone (synthetic)", audience_zh="所有人（模拟）",
        benefit=S.Benefit(form="one_off", amount=S.Amount(value=amount), description_en="one-off, on approval",
                          description_zh="一次性，批准后发放"),
        status="in_force", verification="hypothetical", sources=[SYNTHETIC_SOURCE])
    return city.model_copy(update={"incentives": [*city.incentives, inc], "sources": [*city.sources, src]})


def cost_to_lead(home: str, archetype: Archetype, category: str, inputs: Inputs, settings: Settings,
                 weights: Mapping[str, float] | None = None, *, cap: float = DEFAULT_CAP, step: float = DEFAULT_STEP,
                 cities: Sequence[str] | None = None) -> CostToLead:
    """Smallest extra one-off amount in ``category`` that makes ``home`` first for ``archetype`` (see the
    module docstring for the method)."""
    if category not in S.CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {', '.join(S.CATEGORIES)}")
    if home not in inputs.cities:
        raise ValueError(f"unknown home city {home!r}; expected one of {sorted(inputs.cities)}")
    if step <= 0 or cap < step:
        raise ValueError("expected 0 < step <= cap")
    w = _weights_for(archetype, weights)
    profile = archetype.profile
    ids = [c for c in (cities or inputs.cities) if c in inputs.cities]
    if home not in ids:
        ids.append(home)
    others = {c: evaluate_city(profile, c, inputs, settings) for c in ids if c != home}
    runs = 0

    def ranked(x: float) -> Ranking:
        nonlocal runs
        runs += 1
        if x <= 0:
            mine = evaluate_city(profile, home, inputs, settings)
        else:
            city = _synthetic_city(inputs.cities[home], category, x, settings.today)
            mine = evaluate_city(profile, home, dataclasses.replace(inputs, cities={**inputs.cities, home: city}), settings)
        results: list[CityResult] = [mine if c == home else others[c] for c in ids]
        return rank_results(results, profile, inputs, w, draws=0)

    def rank_of(x: float) -> int:
        return ranked(x).by_city()[home].rank

    base = ranked(0.0)
    rank0, leader0 = base.by_city()[home].rank, base.leader.city
    dim = CATEGORY_DIMENSION[category]
    he, hz = _city_names(inputs, home)
    ce, cz = CATEGORY_EN[category], CATEGORY_ZH[category]
    a_en, a_zh = f"“{archetype.name_en}”", f"「{archetype.name_zh}」"

    def result(reachable: bool, amount: float | None, at_cap: int, en: str, zh: str) -> CostToLead:
        return CostToLead(home, archetype.id, category, dim, reachable, amount, rank0, leader0, at_cap, cap, step,
                          runs, en, zh)

    if rank0 == 1:
        return result(True, 0.0, 1, f"{he} already ranks first for {a_en}.", f"{hz}对{a_zh}已排名第一。")
    n_max = int(cap // step)
    at_cap = rank_of(n_max * step)
    if at_cap != 1:
        why_en = why_zh = ""
        if dim is None:
            why_en = f": cash in {ce} feeds no score dimension"
            why_zh = f"：{cz}类现金不计入任何评分维度"
        elif w.get(dim, 0.0) <= 0:
            why_en = f": the weight of the {dim} dimension is 0"
            why_zh = f"：{DIMENSION_ZH[dim]}维度的权重为0"
        else:
            why_en = f": even the best {dim} score does not close the gap in the other dimensions"
            why_zh = f"：即使{DIMENSION_ZH[dim]}维度得分最高，也无法弥补其他维度的差距"
        en = (f"Not reachable through {ce}{why_en}. Even {rmb_en(n_max * step)} more leaves {he} ranked {at_cap} "
              f"for {a_en} (now {rank0}; leader {_city_names(inputs, leader0)[0]}).")
        zh = (f"无法通过{cz}实现领先{why_zh}。即使追加{rmb_zh(n_max * step)}，{hz}对{a_zh}仍排名第{at_cap}"
              f"（目前第{rank0}；第一名{_city_names(inputs, leader0)[1]}）。")
        return result(False, None, at_cap, en, zh)
    lo, hi = 0, n_max          # rank_of(lo * step) != 1, rank_of(hi * step) == 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if rank_of(mid * step) == 1:
            hi = mid
        else:
            lo = mid
    amount = hi * step
    en = (f"{he} would rank first for {a_en} with {rmb_en(amount)} more in {ce} (a one-off, unconditional, "
          f"city-wide payment; now ranked {rank0}, leader {_city_names(inputs, leader0)[0]}).")
    zh = (f"{hz}若在{cz}类追加{rmb_zh(amount)}（一次性、无条件、全市适用），对{a_zh}即排名第一"
          f"（目前第{rank0}，第一名{_city_names(inputs, leader0)[1]}）。")
    return result(True, amount, 1, en, zh)


def cost_to_lead_table(home: str, archetypes: Sequence[Archetype], inputs: Inputs, settings: Settings,
                       weights: Mapping[str, float] | None = None, *, categories: Sequence[str] = S.CATEGORIES,
                       cap: float = DEFAULT_CAP, step: float = DEFAULT_STEP) -> tuple[CostToLead, ...]:
    """Cost to lead for every archetype x category (the page's overview table)."""
    return tuple(cost_to_lead(home, a, c, inputs, settings, weights, cap=cap, step=step)
                 for a in archetypes for c in categories)
