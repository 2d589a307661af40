"""The message catalog: both languages for every key, placeholders alike, every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.i18n import catalog, money, t

ROOT = Path(__file__).resolve().parents[1] / "dashboard"


def test_every_key_has_both_languages_and_the_same_placeholders() -> None:
    for key, texts in catalog().items():
        assert texts["en"].strip() and texts["zh"].strip(), key
        ph = {lang: set(re.findall(r"{(\w+)}", texts[lang])) for lang in ("en", "zh")}
        assert ph["en"] == ph["zh"], key


def test_literal_keys_used_in_code_exist() -> None:
    keys = set(catalog())
    used = set()
    for f in ROOT.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\"([a-z_][a-z0-9_.]*)\"", f.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in keys)
    assert not missing, missing


def test_money_formats_per_language() -> None:
    assert money(100000, "zh") == "10万元"
    assert money(125000, "zh") == "12.5万元"
    assert money(3_000_000_000, "zh") == "30亿元"
    assert money(950, "zh") == "950元"
    assert money(100000, "en") == "RMB 100,000"
    assert money(None, "en") == "unknown" and money(None, "zh") == "未知"


def test_missing_key_shows_the_key() -> None:
    assert t("no.such.key", "en") == "no.such.key"


def test_keys_built_from_vocabularies_exist() -> None:
    from dashboard.catalog import schema as S
    from dashboard.engine import score as SC

    keys = set(catalog())
    groups = {
        "cat": S.CATEGORIES, "field": S.FIELDS, "degree": S.DEGREE_ORDER, "dim": SC.DIMENSIONS, "preset": SC.PRESETS,
        "origin": ("foreign", "overseas_chinese", "returnee", "mainland", "hk_macao_taiwan"),
        "intent": ("employment", "startup", "research"), "status_kind": S.StatusKind.__args__,
        "verify": S.Verification.__args__, "policy": S.Status.__args__, "scope": S.ScopeLevel.__args__,
        "status": ("eligible", "possible", "ineligible"), "tri": ("pass", "fail", "unknown", "not_applicable"),
    }
    missing = [f"{g}.{v}" for g, vals in groups.items() for v in vals if f"{g}.{v}" not in keys]
    assert not missing, missing


def test_engine_field_names_match_the_catalog() -> None:
    """The engine's Chinese reasons name fields as the pages do (no raw codes such as 'ai' on zh pages)."""
    from dashboard.catalog import schema as S
    from dashboard.engine.rules import FIELD_ZH
    from dashboard.i18n import t

    assert set(FIELD_ZH) == set(S.FIELDS)
    assert all(FIELD_ZH[f] == t(f"field.{f}", "zh") for f in S.FIELDS)
