"""The shipped boundary files: present, small, the right cities and provinces, and honest failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from dashboard.geo import (
    CITIES_FILE,
    GEO_DIR,
    GEO_FILES,
    OUTLINE_FILE,
    PROVINCES_FILE,
    GeoUnavailable,
    check_files,
    city_points,
    city_polygons,
    load_geojson,
    load_outlines,
    outline_lines,
)

EXPECTED_CITIES = {"beijing": 110000, "shanghai": 310000, "shenzhen": 440300, "hangzhou": 330100, "chengdu": 510100}


def test_all_files_load() -> None:
    check_files()
    for name in GEO_FILES:
        assert load_geojson(name)["features"]


def test_total_size_within_budget() -> None:
    total = sum((GEO_DIR / name).stat().st_size for name in GEO_FILES)
    assert total <= 1_200_000, f"geo/*.geojson is {total} bytes"


def test_five_cities_with_adcodes_and_names() -> None:
    df = city_points()
    assert dict(zip(df["city"], df["adcode"], strict=True)) == EXPECTED_CITIES
    assert df["name_zh"].str.endswith("市").all()
    assert set(df["name_en"]) == {"Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Chengdu"}
    assert df["lon"].between(73, 136).all() and df["lat"].between(3, 54).all()


def test_city_points_inside_their_polygons() -> None:
    polys = city_polygons().set_index("city")
    assert polys.crs.to_epsg() == 4326
    for row in city_points().itertuples():
        geom = polys.loc[row.city, "geometry"]
        assert geom.is_valid, row.city
        assert geom.contains(shapely.Point(row.lon, row.lat)), row.city


def test_34_provinces_including_taiwan_hong_kong_macao() -> None:
    feats = load_geojson(PROVINCES_FILE)["features"]
    props = {f["properties"]["adcode"]: f["properties"] for f in feats}
    assert len(feats) == 34 and len(props) == 34
    assert props[710000]["name_zh"] == "台湾省" and props[710000]["name_en"] == "Taiwan"
    assert props[810000]["name_en"] == "Hong Kong" and props[820000]["name_en"] == "Macao"
    assert all(p["name_zh"] and p["name_en"] for p in props.values())
    assert all(shape(f["geometry"]).is_valid for f in feats)


def test_outline_follows_official_claims() -> None:
    outline = shape(load_geojson(OUTLINE_FILE)["features"][0]["geometry"])
    for lon, lat in [(91.86, 27.59), (79.0, 35.0), (121.56, 25.04), (123.47, 25.74), (112.34, 16.83)]:
        assert outline.contains(shapely.Point(lon, lat)), (lon, lat)
    assert not outline.contains(shapely.Point(106.92, 47.92))  # Ulaanbaatar


def test_outline_and_dash_line_present() -> None:
    outlines = load_outlines()
    assert len(outlines.dash) == 10  # the ten maritime dashes
    assert len(outlines.china) > 100  # mainland, Taiwan, Hainan and the South China Sea islands
    assert len(outlines.provinces) >= 34
    lons, lats = outline_lines("dash")
    assert len(lons) == len(lats)
    assert lons.count(None) == 10 and lons[-1] is None
    assert all(3 < y < 25 for y in lats if y is not None)


def _copy_geo(tmp_path: Path) -> Path:
    for name in GEO_FILES:
        shutil.copy(GEO_DIR / name, tmp_path / name)
    return tmp_path


def test_missing_file_raises_naming_it(tmp_path: Path) -> None:
    geo_dir = _copy_geo(tmp_path)
    (geo_dir / CITIES_FILE).unlink()
    with pytest.raises(GeoUnavailable, match=r"cities\.geojson") as err:
        city_points(geo_dir)
    assert err.value.path == geo_dir / CITIES_FILE
    with pytest.raises(GeoUnavailable, match=r"cities\.geojson"):
        check_files(geo_dir)


@pytest.mark.parametrize("content", ["{not json", '{"type": "FeatureCollection", "features": []}', "[]",
                                     '{"type": "FeatureCollection", "features": [{"type": "Feature"}]}'])
def test_corrupt_file_raises_naming_it(tmp_path: Path, content: str) -> None:
    geo_dir = _copy_geo(tmp_path)
    (geo_dir / "dash_line.geojson").write_text(content, encoding="utf-8")
    with pytest.raises(GeoUnavailable, match=r"dash_line\.geojson"):
        load_outlines(geo_dir)


def test_city_without_properties_is_reported(tmp_path: Path) -> None:
    geo_dir = _copy_geo(tmp_path)
    data = json.loads((geo_dir / CITIES_FILE).read_text(encoding="utf-8"))
    del data["features"][0]["properties"]["lon"]
    (geo_dir / CITIES_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(GeoUnavailable, match=r"cities\.geojson.*lacks lon"):
        city_points(geo_dir)
