"""Chinese that is Chinese (issue 11): every page, opened in zh, shows no raw codes, no ``None`` and no English
sentences outside an allow-list. Allowed: acronyms (HSK, PDF, STEM, ...), file names and types, and source
citations, which keep their own language (a Markdown link to the source and the issuer after it, the Brief's
source lines). AppTest (no browser) reads every text element, widget label and option, tab and expander."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ["screens/explore.py", "screens/compare.py", "screens/plan.py", "screens/benchmark.py", "screens/brief.py",
         "screens/timeline.py", "screens/method.py", "screens/sources.py"]
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
ACRONYM = re.compile(r"^[A-Z]{2,6}s?$")  # HSK, PDF, PPTX, STEM, GBA, IIT, COVA ...
# Words allowed beyond acronyms and citations, each with its reason: the names of official sites as they are
# called (the Method page's source kinds name them).
ALLOWED = {"EyeShenzhen", "GoChengdu"}
LINK = re.compile(r"\[(?:\\.|[^\]\\])*\]\([^)]*\)")  # a Markdown link, escaped brackets included
STRIP = [re.compile(p) for p in (
    r"`[^`]*`",                          # a command or code (python -m dashboard check)
    r"https?://\S+",                    # a bare address
    r"(?<![a-z0-9-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:cn|com|org|gov|net|hk)(?![a-z])",  # a domain in a note
    r":material/[a-z_]+:",              # Streamlit icons
    r":(?:green|orange|red|gray|grey|blue|violet|rainbow|primary)\[",  # Streamlit colours
    r"\b[\w./-]+\.(?:yaml|yml|xlsx|json|csv|pdf|ics|png|pptx)\b",       # file names
)]


def _citation(line: str) -> bool:
    """A source citation keeps its own language: a line with a link to the source (title, issuer, date after
    it), a nested list item (the Timeline lists an event's sources under it), a Brief or Sources source line."""
    return bool(LINK.search(line)) or line.startswith("  - ") or line.lstrip("- ").startswith("· ")


def stray_words(text: str) -> list[str]:
    """English words left in ``text`` once citations, icons, addresses and file names are taken out."""
    s = "\n".join(line for line in text.split("\n") if not _citation(line)).replace("\\", "")
    for rx in STRIP:
        s = rx.sub(" ", s)
    return [w for w in WORD.findall(s) if not ACRONYM.match(w) and w not in ALLOWED]


def test_stray_words_finds_english_and_spares_citations() -> None:
    assert stray_words("档案领域为 semiconductors") == ["semiconductors"]
    assert stray_words("在哪里申请 · None") == ["None"]
    assert stray_words("- [Shanghai Daily: Qingpu](https://x.cn/a) · Shanghai Daily · 检索于2026-11-23") == []
    assert stray_words("HSK等级（0为无） · 生成图片（PNG） · data/archetypes.yaml") == []
    assert stray_words("事件\n  - [Caishui \\[2023\\] No\\. 34](https://x.cn) · Ministry of Finance") == []
    assert stray_words("资料中为fwp\\.safea\\.gov\\.cn") == []
    assert stray_words("运行 `python -m dashboard health` 查看") == []


def _texts(at: AppTest) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "radio", "number_input", "text_input", "date_input", "slider",
                 "button", "checkbox", "toggle"):
        for e in getattr(at, kind):
            out.append((f"{kind} label", str(e.label)))
            for o in getattr(e, "options", []) or []:
                out.append((f"{kind} option", str(o)))
    out += [("expander", str(e.label)) for e in at.expander]
    out += [("tab", str(e.label)) for e in at.tabs]
    return out


def _open(page: str, preset: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = "zh"
    at.query_params["preset"] = preset
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# Known and reported, not this test's to fix: a Chengdu absence statement (data/cities/chengdu.yaml, issue 10's
# file) cites an incentive by its id in its Chinese text. Non-strict, so the fix needs no edit here.
KNOWN = {"screens/sources.py": "chengdu.yaml absence statement_zh cites cd-tianfu-new-area-urgent-talent-living-subsidy"}


@pytest.mark.parametrize("page", [pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN[p], strict=False)) if p in KNOWN
                                  else p for p in PAGES])
def test_zh_page_has_no_stray_english(page: str) -> None:
    at = _open(page, "k_visa_talent")
    if page == PAGES[0]:  # open the long lists too: they are built only when opened
        for key in ("ex_why_not", "ex_changes", "ex_national", "ex_figures"):
            at.session_state[key] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    bad = [(kind, text[:120], words) for kind, text in _texts(at) if (words := stray_words(text))]
    assert not bad, "\n".join(f"{k}: {t!r} -> {w}" for k, t, w in bad[:25])


def test_archetype_editor_shows_labels_not_codes() -> None:
    at = _open("screens/benchmark.py", "graduate")
    df = next(d.value for d in at.dataframe if "origin" in d.value.columns)
    codes = {"foreign", "returnee", "mainland", "overseas_chinese", "bachelor", "master", "phd", "ai", "employment"}
    cells = {str(v) for c in ("origin", "degree", "field", "intent") for v in df[c] if v is not None}
    assert cells and not cells & codes, cells
