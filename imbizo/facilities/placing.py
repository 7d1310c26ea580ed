"""The ward and municipality of each imported point, by point-in-polygon with the ward
index; a point just outside every ward (a coastal or border point, up to ``SNAP_KM``
beyond the outline: a lighthouse clinic, a border post) takes the nearest ward.

No published facility set carries ward or municipality codes that can be trusted, so
they are always derived here. A point farther than ``SNAP_KM`` from every ward we hold
keeps none (the national sets on a deployment that holds only its own municipality's
wards): it is still found by the nearest look-up, without a place name.
"""

from dataclasses import dataclass

import numpy as np
import shapely

from imbizo.geo.index import ward_index
from imbizo.geo.models import Ward

from .sphere import haversine_km

SNAP_KM = 5.0
SNAP_DEGREES = 0.07  # more than SNAP_KM in longitude anywhere in South Africa


@dataclass(frozen=True)
class Placed:
    ward_id: int | None
    municipality_id: int | None
    snapped_km: float | None = None  # how far outside its ward a snapped point lies


def places_find(lats: list[float], lons: list[float]) -> list[Placed]:
    """Where each point is (same order)."""
    if not lats:
        return []
    found = ward_index.locate_many(np.array(lats), np.array(lons))
    codes = [w["code"] if w else None for w in found]
    snapped: dict[int, tuple[str, float]] = {}
    outside = [i for i, code in enumerate(codes) if code is None]
    if outside:
        snapped = _snap([lats[i] for i in outside], [lons[i] for i in outside], outside)
        for i, (code, _km) in snapped.items():
            codes[i] = code
    wards = dict((code, (pk, muni)) for code, pk, muni in Ward.objects.filter(
        code__in={c for c in codes if c}).values_list("code", "pk", "municipality_id"))
    placed = []
    for i, code in enumerate(codes):
        if code is None or code not in wards:
            placed.append(Placed(None, None))
            continue
        ward_id, municipality_id = wards[code]
        placed.append(Placed(ward_id, municipality_id, snapped[i][1] if i in snapped else None))
    return placed


def _snap(lats: list[float], lons: list[float], positions: list[int]) -> dict[int, tuple]:
    """position -> (ward code, km) for the points within SNAP_KM of a ward."""
    rows = list(Ward.objects.exclude(boundary=None).values_list("code", "boundary"))
    if not rows:
        return {}
    geoms = shapely.from_wkb([bytes(b) for _code, b in rows])
    tree = shapely.STRtree(geoms)
    points = shapely.points(lons, lats)
    (point_idx, ward_idx) = tree.query_nearest(points, max_distance=SNAP_DEGREES,
                                               all_matches=False)
    result, seen = {}, set()
    for p, w in zip(point_idx.tolist(), ward_idx.tolist(), strict=True):
        if p in seen:  # equidistant wards: the first (lowest) one
            continue
        seen.add(p)
        line = shapely.shortest_line(points[p], geoms[w])
        (x0, y0), (x1, y1) = line.coords
        km = haversine_km(y0, x0, y1, x1)
        if km <= SNAP_KM:
            result[positions[p]] = (rows[w][0], km)
    return result
