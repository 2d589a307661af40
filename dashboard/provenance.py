"""Provenance where figures are used (issue 10): the best source kind of a record, of a city's sure value,
source lists official first, and the "official sources only" view that the exports offer.

A sum is only as citable as its weakest part, so a card's value says how much of it rests on official texts
and the best kind its weakest item has ("59% on official texts; the rest on state media at best").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.catalog import schema as S
from dashboard.engine.evaluate import Inputs
from dashboard.health import KIND_ORDER, best_kind, cited, kind_rank, official_backed
from dashboard.i18n import name, t

# Material icons shipped with Streamlit (no emoji font here) and a colour per kind, strongest first.
KIND_ICON = {"official": ":green[:material/verified:]", "state_media": ":blue[:material/newspaper:]",
             "press": ":blue[:material/newspaper:]", "firm": ":violet[:material/business_center:]",
             "aggregator": ":gray[:material/content_copy:]", "machine_translation": ":orange[:material/translate:]",
             "ai_generated": ":red[:material/smart_toy:]", "scenario": ":violet[:material/science:]",
             None: ":gray[:material/help_outline:]"}
# plain marks for files (PDF, PPTX, XLSX) where icons do not travel
KIND_MARK = {"official": "●", "state_media": "◐", "press": "◐", "firm": "◑", "aggregator": "○",
             "machine_translation": "△", "ai_generated": "△", "scenario": "◇", None: "?"}


def kind_word(kind: str | None, lang: str) -> str:
    return t(f"kind.{kind or 'none'}", lang)


def badge(kind: str | None, lang: str, *, plain: bool = False) -> str:
    """An icon (Markdown) or a mark (files) and the kind in words."""
    return f"{(KIND_MARK if plain else KIND_ICON)[kind]} {kind_word(kind, lang)}"


def record_kind(city: S.CityFile | None, inc: S.Incentive) -> str | None:
    return best_kind(cited(city, inc)) if city is not None else None


@dataclass(frozen=True)
class ValueProvenance:
    """How the counted value of one city rests on its sources."""

    total: float
    on_official: float
    weakest: str | None      # the best kind of the weakest counted item (None when nothing is counted)

    @property
    def share_official(self) -> float | None:
        return None if self.total <= 0 else self.on_official / self.total


def value_provenance(city: S.CityFile | None, evaluations: Iterable[Any]) -> ValueProvenance:
    counted = [e for e in evaluations if e.counted]
    if city is None or not counted:
        return ValueProvenance(0.0, 0.0, None)
    kinds = [record_kind(city, e.incentive) for e in counted]
    weakest = max(kinds, key=lambda k: len(KIND_ORDER) if k is None else KIND_ORDER.index(k))
    total = sum(e.value.expected for e in counted)
    on_official = sum(e.value.expected for e in counted if official_backed(city, e.incentive))
    return ValueProvenance(total, on_official, weakest)


def value_line(vp: ValueProvenance, lang: str, *, plain: bool = False) -> str:
    """"all on official texts" / "59% on official texts; the rest: state media at best" / "nothing counted"."""
    if vp.weakest is None or vp.share_official is None:
        return t("prov.none", lang) if vp.weakest is None else badge(vp.weakest, lang, plain=plain)
    if vp.weakest == "official":
        return f"{badge('official', lang, plain=plain)} · {t('prov.all_official', lang)}"
    return t("prov.share", lang, share=f"{vp.share_official:.0%}", weakest=badge(vp.weakest, lang, plain=plain))


def ordered_key(src: Any) -> int:
    """Sort key for a source list: official texts and faithful reposts first, then by kind (KIND_ORDER)."""
    if isinstance(src, S.Source):
        return kind_rank(src)
    return 0 if getattr(src, "faithful", False) else KIND_ORDER.index(src.kind)


@dataclass(frozen=True)
class Dropped:
    city: str
    incentive_id: str
    name_en: str
    name_zh: str
    best_kind: str | None


def official_only(inputs: Inputs) -> tuple[Inputs, tuple[Dropped, ...]]:
    """A copy of the inputs keeping only incentives backed by an official source (or a faithful repost), each
    citing only those sources; what was dropped, so the export can say so. Options that pointed at a dropped
    record lose that link."""
    cities: dict[str, S.CityFile] = {}
    dropped: list[Dropped] = []
    for cid, city in inputs.cities.items():
        keep = [i for i in city.incentives if official_backed(city, i)]
        ids = {i.id for i in keep}
        dropped += [Dropped(cid, i.id, i.name_en, i.name_zh, record_kind(city, i))
                    for i in city.incentives if i.id not in ids]
        official = {s.id for s in city.sources if s.backs_official}
        keep = [i.model_copy(update={"excludes": [x for x in i.excludes if x in ids],
                                     "sources": [x for x in i.sources if x in official]}) for i in keep]
        cities[cid] = city.model_copy(update={"incentives": keep})
    return dataclasses.replace(inputs, cities=cities, _picks={}), tuple(dropped)


def dropped_note(dropped: Sequence[Dropped], inputs: Inputs, lang: str) -> str:
    """One sentence for the brief: how many records per city the official-only view left out."""
    per: dict[str, int] = {}
    for d in dropped:
        per[d.city] = per.get(d.city, 0) + 1
    sep = "、" if lang == "zh" else ", "
    parts = sep.join(f"{name(inputs.cities[c], lang)} {n}" for c, n in sorted(per.items()) if c in inputs.cities)
    return t("prov.dropped", lang, n=len(dropped), parts=parts or "—")
