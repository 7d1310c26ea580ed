"""The generated geography as GeoJSON layers, in the national files' property names
(``Code``, ``Name``, ``Parent_cod``), so the demo loads through the same import as
real boundaries."""

import json
from pathlib import Path

from shapely.geometry import mapping

from .geography import (
    DISTRICT_CODE,
    DISTRICT_NAME,
    MUNICIPALITY_CODE,
    MUNICIPALITY_NAME,
    PROVINCE_CODE,
    DemoGeography,
)


def _feature(geometry, code: str, name: str, parent: str) -> dict:
    return {"type": "Feature", "geometry": mapping(geometry),
            "properties": {"Code": code, "Name": name, "Parent_cod": parent}}


def geography_layers(geo: DemoGeography) -> dict[str, list[dict]]:
    """Features per level, in import order (parents first). The fictional district is
    drawn as DMO's own outline."""
    authority = geo.authority
    return {
        "district": [_feature(geo.outline, DISTRICT_CODE, DISTRICT_NAME, PROVINCE_CODE)],
        "municipality": [_feature(geo.outline, MUNICIPALITY_CODE, MUNICIPALITY_NAME,
                                  DISTRICT_CODE)],
        "ward": [_feature(w.polygon, w.code, f"Ward {w.number}", MUNICIPALITY_CODE)
                 for w in geo.wards],
        "traditional-authority": [_feature(authority.polygon, authority.code, authority.name,
                                           PROVINCE_CODE)],
    }


def write_layers(geo: DemoGeography, folder: Path) -> dict[str, Path]:
    """One GeoJSON file per level in ``folder``; returns the paths in import order."""
    paths = {}
    for level, features in geography_layers(geo).items():
        path = Path(folder) / f"demo-{level}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        paths[level] = path
    return paths
