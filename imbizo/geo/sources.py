"""Reading boundary files (GeoJSON, zipped shapefile) into checked features.

Nothing here touches the database: every feature is read and checked first, so
an import either has a clean list of features or a list of problems.
"""

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import shapefile
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from imbizo.core.errors import ImbizoError

WGS84_NAMES = ("CRS84", "EPSG::4326", "EPSG:4326", "WGS84", "WGS 84")
MAX_LISTED_PROBLEMS = 20


@dataclass
class RawFeature:
    position: int  # 1-based, as a person counts
    properties: dict
    geometry: dict | None


@dataclass
class Feature:
    position: int
    properties: dict
    geometry: BaseGeometry  # a valid Polygon or MultiPolygon, lon/lat
    repaired: bool = False


def _fail(path: Path, message: str) -> ImbizoError:
    return ImbizoError("invalid_boundary_file", f"{path.name}: {message}")


def _read_geojson(path: Path) -> Iterator[RawFeature]:
    try:
        with path.open("rb") as fh:
            data = json.load(fh)
    except UnicodeDecodeError:
        raise _fail(path, "is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise _fail(path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                          f"{exc.msg}).") from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise _fail(path, "is not a GeoJSON FeatureCollection or Feature.")
    crs = (data.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not any(name in crs for name in WGS84_NAMES):
        raise _fail(path, f"uses the coordinate system {crs}; reproject it to WGS84 "
                          "longitude/latitude (EPSG:4326) first.")
    features = data.get("features") if data["type"] == "FeatureCollection" else [data]
    if not isinstance(features, list):
        raise _fail(path, "has no list of features.")
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise _fail(path, f"feature {i} is not a JSON object.")
        yield RawFeature(i, feature.get("properties") or {}, feature.get("geometry"))


def _read_shapefile_zip(path: Path) -> Iterator[RawFeature]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _fail(path, "is not a zip archive.") from None
    with archive:
        members = {Path(n).suffix.lower(): n for n in archive.namelist()
                   if not n.startswith("__MACOSX")}
        missing = [ext for ext in (".shp", ".shx", ".dbf") if ext not in members]
        if missing:
            raise _fail(path, f"holds no {', '.join(missing)} file; a shapefile needs "
                              ".shp, .shx and .dbf.")
        if ".prj" in members:
            prj = archive.read(members[".prj"]).decode("latin-1")
            if prj.lstrip().upper().startswith("PROJCS"):
                name = prj.split('"')[1] if '"' in prj else "a projected system"
                raise _fail(path, f"is in the projected coordinate system {name}; "
                                  "reproject it to WGS84 longitude/latitude (EPSG:4326).")
        reader = shapefile.Reader(
            shp=archive.open(members[".shp"]), shx=archive.open(members[".shx"]),
            dbf=archive.open(members[".dbf"]), encoding="utf-8", encodingErrors="replace",
        )
        with reader:
            for i, record in enumerate(reader.iterShapeRecords(), start=1):
                geometry = record.shape.__geo_interface__ if record.shape.points else None
                yield RawFeature(i, record.record.as_dict(), geometry)


def read_features(path: Path) -> Iterator[RawFeature]:
    path = Path(path)
    if not path.exists():
        raise _fail(path, "does not exist.")
    if path.stat().st_size == 0:
        raise _fail(path, "is empty.")
    if path.suffix.lower() == ".zip":
        return _read_shapefile_zip(path)
    return _read_geojson(path)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygon parts of a repaired geometry (make_valid may add stray lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def check_feature(raw: RawFeature, label: str) -> Feature:
    """Turn a raw feature into a valid lon/lat polygon, or raise naming what is wrong."""
    where = f"feature {raw.position} ({label})"
    if not raw.geometry:
        raise ValueError(f"{where} has no geometry.")
    try:
        geom = shape(raw.geometry)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        raise ValueError(f"{where} has a malformed geometry: {exc}.") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{where} is a {geom.geom_type}; boundaries must be Polygon or "
                         "MultiPolygon.")
    if geom.is_empty:
        raise ValueError(f"{where} has an empty geometry.")
    minx, miny, maxx, maxy = geom.bounds
    if not (minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90):
        raise ValueError(
            f"{where} has coordinates like ({minx:.0f}, {miny:.0f}) that are not WGS84 "
            "longitude/latitude (projected metres?); reproject the file to EPSG:4326."
        )
    repaired = False
    if not geom.is_valid:
        geom = _polygonal(shapely.make_valid(geom))
        repaired = True
        if geom.is_empty:
            raise ValueError(f"{where} has an invalid geometry that cannot be repaired.")
    return Feature(raw.position, raw.properties, geom, repaired)
