"""Exported PNGs keep every label inside the image (issue 11: the Timeline PNG cut its lane labels to one
character, the sensitivity PNG clipped its axis). A label that runs off the image leaves ink on its outermost
pixels; a figure whose labels all fit has a clean, background-only frame. Rendered by kaleido with Debian
chromium, in both languages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dashboard import exports as X
from dashboard import timeline_chart as TC
from dashboard.engine import timeline as TL
from dashboard.engine.profile import Profile
from dashboard.engine.rank import rank_cities
from dashboard.state import PROFILE_PRESETS
from tests.conftest import CHROMIUM, TODAY

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (kaleido needs it)")]
FRAME = 3       # pixels checked on each side
INK = 200       # a grey level below this is ink (the background is white)


def frame_ink(png: bytes) -> dict[str, int]:
    """Ink pixels in the outer frame, per side."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("L")
    w, h = im.size
    px = im.load()
    sides = {"left": [(x, y) for x in range(FRAME) for y in range(h)],
             "right": [(x, y) for x in range(w - FRAME, w) for y in range(h)],
             "top": [(x, y) for y in range(FRAME) for x in range(w)],
             "bottom": [(x, y) for y in range(h - FRAME, h) for x in range(w)]}
    return {s: sum(1 for p in pts if px[p] < INK) for s, pts in sides.items()}


def test_frame_ink_sees_a_label_cut_at_the_edge() -> None:
    """The check itself can fail: a lane label pushed off the left edge is caught."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[1, 2], y=["国家国家国家", "北京北京北京"], mode="markers"))
    fig.update_layout(margin={"l": 30, "r": 0, "t": 0, "b": 0}, yaxis={"automargin": False}, plot_bgcolor="white")
    assert frame_ink(X.figure_png(fig, 400, 200))["left"] > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [1400, 900])
def test_timeline_png_keeps_its_labels_inside(catalog, lang: str, width: int) -> None:
    fig = TC.timeline_figure(TL.select(catalog.timeline.events), TC.labels(lang), lang=lang, today=TODAY)
    ink = frame_ink(TC.to_png(fig, width=width, scale=1))
    assert not any(ink.values()), ink


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chart_pngs_keep_their_labels_inside(inputs, settings, lang: str) -> None:
    ranking = rank_cities(Profile(**PROFILE_PRESETS["graduate"]), inputs, settings)
    charts = X.chart_figures(ranking, inputs, lang, horizon_years=5, points=None, outlines=None)
    for kind in ("breakdown", "sensitivity"):
        ink = frame_ink(X.figure_png(charts[kind], 900, 450))
        assert not any(ink.values()), (kind, ink)
