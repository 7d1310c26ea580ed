"""Great-circle arithmetic on unit vectors: the nearer of two points to a third is the one
whose vector has the larger dot product with it, so ranking needs no trigonometry, and a
distance is one arcsine of the chord.

South Africa's extent is the box the look-ups accept: the mainland with a quarter of a
degree to spare (the Prince Edward Islands hold no facility residents visit).
"""

import math

import numpy as np

EARTH_KM = 6371.0088  # mean radius (IUGG)
SOUTH_AFRICA = (16.2, -35.1, 33.2, -21.9)  # lon min, lat min, lon max, lat max


def in_south_africa(lat: float, lon: float) -> bool:
    x0, y0, x1, y1 = SOUTH_AFRICA
    return x0 <= lon <= x1 and y0 <= lat <= y1


def unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors of points given in degrees."""
    la, lo = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lons, dtype=float))
    cos_la = np.cos(la)
    return np.column_stack([cos_la * np.cos(lo), cos_la * np.sin(lo), np.sin(la)])


def unit_vector(lat: float, lon: float) -> np.ndarray:
    la, lo = math.radians(lat), math.radians(lon)
    cos_la = math.cos(la)
    return np.array((cos_la * math.cos(lo), cos_la * math.sin(lo), math.sin(la)))


def km_from_dot(dot: float) -> float:
    """Great-circle kilometres between two unit vectors with this dot product."""
    chord = math.sqrt(max(0.0, 2.0 - 2.0 * dot))
    return 2.0 * EARTH_KM * math.asin(min(1.0, chord / 2.0))


def km_to_dot(km: np.ndarray | float) -> np.ndarray | float:
    """The dot product of two unit vectors ``km`` apart (the inverse of ``km_from_dot``)."""
    return np.cos(np.minimum(np.asarray(km) / EARTH_KM, math.pi))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle kilometres by the haversine formula (a second way, for checks)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0
