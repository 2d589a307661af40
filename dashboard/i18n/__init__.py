"""A tiny message catalog (strings.yaml: one key, an English and a Chinese text) and money/number
formatting per language (10万 in Chinese, 100,000 in English).

Why not gettext/babel: two languages, a few hundred strings, and data editors who should be able to read
both languages side by side in one file. A test checks that every key has both languages.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import yaml

LANGS = ("en", "zh")
_DIR = Path(__file__).parent


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All ``strings*.yaml`` files merged (one per area of the app); a key defined twice is an error."""
    out: dict[str, dict[str, str]] = {}
    for f in sorted(_DIR.glob("strings*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for k, v in data.items():
            if str(k) in out:
                raise ValueError(f"{f.name}: key {k!r} is defined twice")
            out[str(k)] = {lang: str(v[lang]) for lang in LANGS}
    return out


def t(key: str, lang: str, /, **kw: object) -> str:
    """The text for ``key`` in ``lang``; a missing key shows as the key itself (tests catch that)."""
    entry = catalog().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**kw) if kw else text


def money(x: float | None, lang: str, *, unit: bool = True) -> str:
    """RMB 123,456 / 12.3万元; None or NaN -> 'unknown' / '未知'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return t("unknown", lang)
    if lang == "zh":
        if abs(x) >= 1e8:
            s = f"{x / 1e8:.2f}".rstrip("0").rstrip(".") + "亿"
        elif abs(x) >= 1e4:
            s = f"{x / 1e4:.1f}".rstrip("0").rstrip(".") + "万"
        else:
            s = f"{x:,.0f}"
        return s + ("元" if unit else "")
    return ("RMB " if unit else "") + f"{x:,.0f}"


def money_range(lo: float, hi: float, lang: str) -> str:
    if abs(hi - lo) < 0.5:
        return money(lo, lang)
    return f"{money(lo, lang, unit=False)}–{money(hi, lang)}" if lang == "zh" else f"RMB {lo:,.0f}–{hi:,.0f}"


def name(obj: object, lang: str, attr: str = "name") -> str:
    """obj.name_zh / obj.name_en (or another attribute pair), falling back to English."""
    zh = getattr(obj, f"{attr}_zh", None)
    en = getattr(obj, f"{attr}_en", None)
    return (zh or en or "") if lang == "zh" else (en or zh or "")
