"""What-if for officials: edit the home city's offer in memory, validate it like a data file, and see the
difference from the official record.

Edits are typed (one dataclass per kind) and applied to a plain copy of the city (``model_dump``), never to
the loaded model and never to ``data/``. The edited copy is re-validated with the catalog's own checks
(``CityFile.model_validate`` + ``loader.check_city``), so an edit that makes the offer invalid (an age
maximum below its minimum, a monthly benefit without a duration) gets exactly the message a data editor
would get, and the page keeps the last valid scenario.

``diff(official, edited)`` lists every field that differs, one line each, with labels in both languages.
Lists of conditions, tiers and payments are aligned item by item (a removed condition is one "removed"
line, not every later condition shifting); incentives and sources are matched by id.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from dashboard.catalog import schema as S
from dashboard.catalog.loader import DEFAULT_STALE_DAYS, Problem, check_city, validation_problems
from dashboard.engine.evaluate import Inputs
from dashboard.engine.templates import TEMPLATES

WHATIF_SOURCE = "WHATIF"
NO_AMOUNT_FORMS = ("status", "in_kind", "tax_refund")


# --- edits ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetAmount:
    """A new amount: ``value`` (fixed) or ``up_to`` (a discretionary cap; a published floor ``min`` is kept).
    ``tier_id`` targets one tier of an incentive whose amount depends on the applicant."""

    incentive_id: str
    amount: float
    shape: Literal["value", "up_to"] = "value"
    tier_id: str | None = None


@dataclass(frozen=True)
class SetDuration:
    """How long a monthly (``months``) or annual (``years``) benefit is paid."""

    incentive_id: str
    months: int | None = None
    years: int | None = None


@dataclass(frozen=True)
class ReplaceCondition:
    """Replace condition ``index`` (0-based) with a whole new condition (a mapping as in a city file)."""

    incentive_id: str
    index: int
    condition: Mapping[str, Any] = field(hash=False)
    tier_id: str | None = None


@dataclass(frozen=True)
class UpdateCondition:
    """Change some fields of condition ``index``, keep the rest (e.g. ``{"max": 40}`` on an age limit)."""

    incentive_id: str
    index: int
    changes: Mapping[str, Any] = field(hash=False)
    tier_id: str | None = None


@dataclass(frozen=True)
class AddCondition:
    incentive_id: str
    condition: Mapping[str, Any] = field(hash=False)
    tier_id: str | None = None


@dataclass(frozen=True)
class RemoveCondition:
    incentive_id: str
    index: int
    tier_id: str | None = None


@dataclass(frozen=True)
class DisableIncentive:
    """Switch an incentive off: it leaves the scenario (and other incentives' ``excludes`` no longer name it)."""

    incentive_id: str


@dataclass(frozen=True)
class AddFromTemplate:
    """Add an incentive from ``dashboard.engine.templates``; the amount is always the user's."""

    template: str
    amount: float | None = None
    incentive_id: str | None = None          # default: "<city>-whatif-<template>"
    duration_months: int | None = None
    duration_years: int | None = None
    conditions: tuple[Mapping[str, Any], ...] | None = field(default=None, hash=False)  # None: the template's


Edit = (SetAmount | SetDuration | ReplaceCondition | UpdateCondition | AddCondition | RemoveCondition
        | DisableIncentive | AddFromTemplate)


class EditError(ValueError):
    """An edit that cannot be applied (unknown id, index out of range): carries record and field."""

    def __init__(self, record: str, fld: str, message: str):
        super().__init__(message)
        self.record, self.field = record, fld


def _incentive(data: dict[str, Any], inc_id: str) -> dict[str, Any]:
    for inc in data.get("incentives", []):
        if inc.get("id") == inc_id:
            return inc
    known = ", ".join(i.get("id", "?") for i in data.get("incentives", []))
    raise EditError(inc_id, "-", f"unknown incentive id {inc_id!r}; expected one of {known}")


def _target(data: dict[str, Any], inc_id: str, tier_id: str | None) -> dict[str, Any]:
    """The incentive, or one of its tiers: where conditions and tier amounts live."""
    inc = _incentive(data, inc_id)
    if tier_id is None:
        return inc
    for t in inc.get("tiers", []):
        if t.get("id") == tier_id:
            return t
    known = ", ".join(t.get("id", "?") for t in inc.get("tiers", [])) or "none (the incentive has no tiers)"
    raise EditError(inc_id, "tiers", f"unknown tier id {tier_id!r}; expected one of {known}")


def _condition_index(target: dict[str, Any], inc_id: str, index: int) -> list[Any]:
    conds = target.setdefault("conditions", [])
    if not 0 <= index < len(conds):
        raise EditError(inc_id, "conditions", f"no condition {index}; expected 0 to {len(conds) - 1}"
                        if conds else f"no condition {index}; the incentive has no conditions")
    return conds


def _apply(data: dict[str, Any], edit: Edit, today: date) -> None:
    """Apply one edit to the plain copy in place (the copy belongs to this module)."""
    if isinstance(edit, SetAmount):
        inc = _incentive(data, edit.incentive_id)
        form = inc["benefit"]["form"]
        if form in NO_AMOUNT_FORMS:
            raise EditError(edit.incentive_id, "benefit.amount",
                            f"a {form} benefit has no amount to set (status and services are not money; tax refunds "
                            "are computed from the salary); expected a cash benefit")
        if inc.get("tiers") and edit.tier_id is None:
            known = ", ".join(t["id"] for t in inc["tiers"])
            raise EditError(edit.incentive_id, "tiers", f"the amount depends on the tier; expected tier_id, one of {known}")
        holder = _target(data, edit.incentive_id, edit.tier_id) if edit.tier_id else inc["benefit"]
        old = holder.get("amount") or {}
        new: dict[str, Any] = {edit.shape: edit.amount}
        if edit.shape == "up_to" and old.get("min") is not None:
            new = {"min": old["min"], "up_to": edit.amount}
        if "currency" in old:
            new["currency"] = old["currency"]
        holder["amount"] = new
    elif isinstance(edit, SetDuration):
        inc = _incentive(data, edit.incentive_id)
        if (edit.months is None) == (edit.years is None):
            raise EditError(edit.incentive_id, "benefit", "give months or years, not both and not neither")
        key, val = ("duration_months", edit.months) if edit.months is not None else ("duration_years", edit.years)
        inc["benefit"][key] = val
    elif isinstance(edit, ReplaceCondition):
        target = _target(data, edit.incentive_id, edit.tier_id)
        _condition_index(target, edit.incentive_id, edit.index)[edit.index] = dict(edit.condition)
    elif isinstance(edit, UpdateCondition):
        target = _target(data, edit.incentive_id, edit.tier_id)
        conds = _condition_index(target, edit.incentive_id, edit.index)
        merged = {**conds[edit.index], **dict(edit.changes)}
        conds[edit.index] = {k: v for k, v in merged.items() if v is not None}
    elif isinstance(edit, AddCondition):
        _target(data, edit.incentive_id, edit.tier_id).setdefault("conditions", []).append(dict(edit.condition))
    elif isinstance(edit, RemoveCondition):
        target = _target(data, edit.incentive_id, edit.tier_id)
        del _condition_index(target, edit.incentive_id, edit.index)[edit.index]
    elif isinstance(edit, DisableIncentive):
        _incentive(data, edit.incentive_id)
        data["incentives"] = [i for i in data["incentives"] if i.get("id") != edit.incentive_id]
        for inc in data["incentives"]:
            if edit.incentive_id in inc.get("excludes", []):
                inc["excludes"] = [x for x in inc["excludes"] if x != edit.incentive_id]
    elif isinstance(edit, AddFromTemplate):
        data["incentives"].append(_from_template(data, edit, today))
    else:  # pragma: no cover - the Edit union is closed
        raise EditError("-", "-", f"unknown edit {type(edit).__name__}")


def _from_template(data: dict[str, Any], edit: AddFromTemplate, today: date) -> dict[str, Any]:
    tpl = TEMPLATES.get(edit.template)
    if tpl is None:
        raise EditError("-", "template", f"unknown template {edit.template!r}; expected one of {', '.join(TEMPLATES)}")
    inc_id = edit.incentive_id or f"{data['city']}-whatif-{tpl.id.replace('_', '-')}"
    if any(i.get("id") == inc_id for i in data["incentives"]):
        raise EditError(inc_id, "id", "an incentive with this id is already in the scenario; expected a new id")
    if tpl.has_amount and edit.amount is None:
        raise EditError(inc_id, "benefit.amount", "missing; a template has no amount: give one")
    benefit: dict[str, Any] = {"form": tpl.form, "description_en": tpl.description_en,
                               "description_zh": tpl.description_zh}
    if tpl.has_amount:
        benefit["amount"] = {"value": edit.amount}
    if tpl.status_kind:
        benefit["status_kind"] = tpl.status_kind
    if tpl.needs == "duration_months":
        benefit["duration_months"] = edit.duration_months
    elif tpl.needs == "duration_years":
        benefit["duration_years"] = edit.duration_years
    benefit = {k: v for k, v in benefit.items() if v is not None}
    if not any(s.get("id") == WHATIF_SOURCE for s in data["sources"]):
        data["sources"].append({"id": WHATIF_SOURCE, "kind": "scenario", "issuer": "What-if scenario (this session; not a policy)",
                                "title": "Incentive added in the benchmark what-if from a template; not in any official text",
                                "retrieved": today})
    conds = tpl.conditions if edit.conditions is None else edit.conditions
    return {"id": inc_id, "name_en": f"{tpl.name_en} (what-if)", "name_zh": f"{tpl.name_zh}（模拟）",
            "category": tpl.category, "scope": {"level": "city", "name_en": data["name_en"], "name_zh": data["name_zh"]},
            "audience_en": "What-if: as set in the scenario's conditions.", "audience_zh": "模拟：以情景中设定的条件为准。",
            "benefit": benefit, "conditions": [dict(c) for c in conds], "status": "in_force",
            "verification": "hypothetical", "sources": [WHATIF_SOURCE],
            "note": "Added in a what-if scenario; not a policy of this city."}


# --- applying and validating ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    record: str                 # incentive / source / absence id, or "-" for the city's own fields
    record_en: str              # its name (incentive name, source title, city name)
    record_zh: str
    field: str                  # path inside the record, e.g. "benefit.amount.value", "conditions[1].max"
    label_en: str
    label_zh: str
    change: Literal["changed", "added", "removed"]
    before: str | None          # the value in one line (English where the data has both languages)
    after: str | None
    before_zh: str | None = None
    after_zh: str | None = None


@dataclass(frozen=True)
class WhatIf:
    official: S.CityFile
    city: S.CityFile | None      # the edited offer; None when an edit cannot apply or the result is invalid
    edits: tuple[Edit, ...]
    problems: tuple[Problem, ...]
    diff: tuple[DiffLine, ...]

    @property
    def ok(self) -> bool:
        return self.city is not None


def _plain(city: S.CityFile) -> dict[str, Any]:
    return city.model_dump(mode="python", exclude_none=True)


def validate_city_data(data: Mapping[str, Any], *, display: str, today: date,
                       stale_days: int = DEFAULT_STALE_DAYS) -> tuple[S.CityFile | None, list[Problem]]:
    """The loader's checks on an in-memory city mapping: schema, then cross-record checks."""
    try:
        model = S.CityFile.model_validate(data)
    except ValidationError as e:
        return None, validation_problems(display, data, e, S.CityFile)
    problems = check_city(display, model, today, stale_days)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return model, problems


def apply_edits(official: S.CityFile, edits: Sequence[Edit], *, today: date, display: str | None = None,
                stale_days: int = DEFAULT_STALE_DAYS) -> WhatIf:
    """Apply ``edits`` in order to a copy of ``official`` and validate the result like a data file."""
    name = display or f"what-if:{official.city}"
    data = _plain(official)
    for edit in edits:
        try:
            _apply(data, edit, today)
        except EditError as e:
            return WhatIf(official, None, tuple(edits), (Problem(name, e.record, e.field, str(e)),), ())
    city, problems = validate_city_data(data, display=name, today=today, stale_days=stale_days)
    return WhatIf(official, city, tuple(edits), tuple(problems), tuple(diff(official, city)) if city else ())


def with_city(inputs: Inputs, city: S.CityFile) -> Inputs:
    """Engine inputs with one city replaced (the scenario); the catalog itself is untouched."""
    return dataclasses.replace(inputs, cities={**inputs.cities, city.city: city})


def with_uploads(inputs: Inputs, cities: Iterable[S.CityFile]) -> Inputs:
    """Engine inputs with uploaded offers added, marked user-supplied for every ranking and table."""
    extra = {c.city: c for c in cities}
    clash = sorted(set(extra) & (set(inputs.cities) - set(inputs.user_supplied)))
    if clash:
        raise ValueError(f"uploaded cities {clash} are already in the catalog")
    return dataclasses.replace(inputs, cities={**inputs.cities, **extra},
                               user_supplied=frozenset(inputs.user_supplied | set(extra)))


# --- diff ----------------------------------------------------------------------------------------------

_LABELS: dict[str, tuple[str, str]] = {
    "amount": ("amount", "金额"), "value": ("fixed amount", "固定金额"), "up_to": ("cap (up to)", "最高金额"),
    "min": ("minimum", "下限"), "max": ("maximum", "上限"), "currency": ("currency", "币种"),
    "duration_months": ("duration (months)", "期限（月）"), "duration_years": ("duration (years)", "期限（年）"),
    "rent_discount_share": ("share of market rent saved", "租金减免比例"), "schedule": ("instalment", "分期"),
    "share": ("share", "比例"), "after_si_months": ("after months of social insurance", "社保缴纳月数"),
    "form": ("form", "形式"), "conditions": ("condition", "条件"), "tiers": ("tier", "档次"),
    "excludes": ("cannot be combined with", "不可同时享受"), "status": ("status", "状态"),
    "valid_from": ("valid from", "生效日期"), "valid_to": ("valid to", "截止日期"),
    "verification": ("verification", "核实程度"), "sources": ("sources", "来源"), "source": ("source", "来源"),
    "incentive": ("incentive", "政策"), "absence": ("documented absence", "已记录的空缺"),
    "name_en": ("name (English)", "英文名称"), "name_zh": ("name (Chinese)", "中文名称"),
    "scope": ("scope", "适用范围"), "level": ("level", "层级"), "category": ("category", "类别"),
    "min_inclusive": ("minimum inclusive", "含下限"), "max_inclusive": ("maximum inclusive", "含上限"),
    "any_of": ("any of", "任一"), "max_years": ("within (years)", "年限"), "inclusive": ("limit inclusive", "含边界"),
    "max_rank": ("maximum rank", "最低排名"), "min_cny": ("minimum salary (CNY)", "最低薪酬（元）"),
    "min_multiple_of_local_wage": ("minimum salary (x local wage)", "最低薪酬（当地平均工资倍数）"),
    "kind": ("kind", "类型"), "what": ("commitment", "承诺事项"), "months": ("months", "月数"),
    "date": ("date", "日期"), "description_en": ("description (English)", "英文说明"),
    "description_zh": ("description (Chinese)", "中文说明"), "status_kind": ("status kind", "身份类型"),
    "tax_rule": ("tax rule", "税收规则"), "note": ("note", "备注"), "status_note": ("status note", "状态说明"),
}


def _label(path: Sequence[str | int]) -> tuple[str, str]:
    """("benefit", "amount", "value") -> "amount: fixed amount"; ("conditions", 1, "max") -> "condition 2: maximum"."""
    en: list[str] = []
    zh: list[str] = []
    parts = list(path)
    i = 0
    while i < len(parts):
        p = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        i += 1
        if p == "benefit" and nxt is not None:
            continue
        if isinstance(p, int):
            continue
        le, lz = _LABELS.get(p, (p, p))
        if isinstance(nxt, int):
            le, lz = f"{le} {nxt + 1}", f"{lz}{nxt + 1}"
            i += 1
        en.append(le)
        zh.append(lz)
    return ": ".join(en) or "-", "：".join(zh) or "-"


def _path_text(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "-"


def _fmt(v: Any, lang: str = "en") -> str:
    """A value in one line; conditions and records in the reader's language where the data has both."""
    other = "_zh" if lang == "en" else "_en"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    if isinstance(v, int | float):
        return f"{v:,g}"
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Mapping):
        if "kind" in v and "issuer" not in v:  # a condition, in one line (a source has a kind too)
            rest = [f"{k}={_fmt(x, lang)}" for k, x in v.items()
                    if k not in ("kind", "note") and not k.startswith("wording") and not k.endswith(other)]
            return f"{v['kind']}" + (f" ({', '.join(rest)})" if rest else "")
        if "id" in v:
            return str(v.get(f"name_{lang}") or v.get(f"label_{lang}") or v.get("title") or v["id"])
        return ", ".join(f"{k}={_fmt(x, lang)}" for k, x in v.items())
    if isinstance(v, list):
        return ", ".join(_fmt(x, lang) for x in v) if v else ("none" if lang == "en" else "无")
    return str(v)


def _line(record: str, names: tuple[str, str], path: Sequence[str | int], label: tuple[str, str], change: str,
          before: Any, after: Any) -> DiffLine:
    return DiffLine(record, names[0], names[1], _path_text(path), label[0], label[1], change,  # type: ignore[arg-type]
                    None if before is None else _fmt(before), None if after is None else _fmt(after),
                    None if before is None else _fmt(before, "zh"), None if after is None else _fmt(after, "zh"))


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str, ensure_ascii=False)


def _walk(a: Any, b: Any, path: list[str | int]) -> Iterable[tuple[list[str | int], str, Any, Any]]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in [*a, *(k for k in b if k not in a)]:
            if k in a and k in b:
                yield from _walk(a[k], b[k], [*path, k])
            elif k in a:
                yield [*path, k], "removed", a[k], None
            else:
                yield [*path, k], "added", None, b[k]
        return
    if isinstance(a, list) and isinstance(b, list) and any(isinstance(x, Mapping) for x in (*a, *b)):
        sm = difflib.SequenceMatcher(a=[_canon(x) for x in a], b=[_canon(x) for x in b], autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op == "equal":
                continue
            n = min(i2 - i1, j2 - j1) if op == "replace" else 0
            for k in range(n):
                yield from _walk(a[i1 + k], b[j1 + k], [*path, j1 + k])
            for k in range(i1 + n, i2):
                yield [*path, k], "removed", a[k], None
            for k in range(j1 + n, j2):
                yield [*path, k], "added", None, b[k]
        return
    if a != b:
        yield path, "changed", a, b


def _keyed(kind: str, a: list[dict[str, Any]], b: list[dict[str, Any]],
           name: Any) -> Iterable[DiffLine]:
    old = {x["id"]: x for x in a}
    new = {x["id"]: x for x in b}
    for rid in [*old, *(r for r in new if r not in old)]:
        x, y = old.get(rid), new.get(rid)
        names = name(y or x)
        if x is None or y is None:
            yield _line(rid, names, [], _LABELS[kind], "added" if x is None else "removed", x, y)
            continue
        for path, change, before, after in _walk(x, y, []):
            yield _line(rid, names, path, _label(path), change, before, after)


def diff(official: S.CityFile, edited: S.CityFile) -> list[DiffLine]:
    """Every field that differs between the official record and the edited offer, one line each."""
    a, b = _plain(official), _plain(edited)
    keyed = ("sources", "incentives", "absences")
    out: list[DiffLine] = []
    top_a = {k: v for k, v in a.items() if k not in keyed}
    top_b = {k: v for k, v in b.items() if k not in keyed}
    for path, change, before, after in _walk(top_a, top_b, []):
        out.append(_line("-", (edited.name_en, edited.name_zh), path, _label(path), change, before, after))
    out.extend(_keyed("incentive", a.get("incentives", []), b.get("incentives", []),
                      lambda r: (r.get("name_en", r["id"]), r.get("name_zh", r["id"]))))
    out.extend(_keyed("source", a.get("sources", []), b.get("sources", []),
                      lambda r: (r.get("title", r["id"]),) * 2))
    out.extend(_keyed("absence", a.get("absences", []), b.get("absences", []),
                      lambda r: (r.get("statement_en", r["id"]), r.get("statement_zh", r["id"]))))
    return out
