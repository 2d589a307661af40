"""Golden outputs: the five presets ranked, and every incentive's status and value in every city, as of
2026-11-23. Reviewed by hand when written; a change to the data or the engine that moves any of them fails
here until the new output is reviewed and re-recorded with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dashboard.engine import score as SC
from dashboard.engine.profile import Profile
from dashboard.engine.rank import rank_cities
from dashboard.state import PROFILE_PRESETS

GOLDEN = Path(__file__).with_name("golden")


def snapshot(preset: str, inputs, settings) -> dict:
    prof = Profile(**PROFILE_PRESETS[preset])
    rk = rank_cities(prof, inputs, settings, preset=preset, draws=200)
    return {
        "profile": prof.model_dump(exclude_none=True),
        "weights": rk.weights,
        "ranking": [{"city": r.city, "rank": r.rank, "score": round(r.score, 2), "rank_range": [r.rank_min, r.rank_max],
                     "expected": round(r.result.total.expected), "high": round(r.result.total.high),
                     "permit_class": getattr(r.result.permit, "permit_class", None)} for r in rk.rows],
        "cities": {r.city: {e.id: [e.status, round(e.value.expected), e.excluded_by] for e in r.result.evaluations}
                   for r in sorted(rk.rows, key=lambda r: r.city)},
    }


@pytest.mark.parametrize("preset", list(SC.PRESETS))
def test_golden(preset: str, inputs, settings) -> None:
    got = snapshot(preset, inputs, settings)
    path = GOLDEN / f"{preset}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["ranking"] == want["ranking"]
    for city, items in want["cities"].items():
        assert got["cities"][city] == items, city
    assert got == want
