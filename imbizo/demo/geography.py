"""The demo municipality's shapes, generated from a seed (pure: no database).

An irregular outline round a point inland in the Eastern Cape; seeded ward centres,
close together in the town and far apart in the countryside, whose Voronoi cells,
clipped to the outline, tile the municipality without gap or overlap; and a
traditional authority made of whole, touching rural wards. The same seed always
gives the same shapes, codes and names.
"""

import math
from dataclasses import dataclass
from random import Random

import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from .names import authority_name, place_names, town_name

DEFAULT_SEED = 2021
PROVINCE_CODE, PROVINCE_NAME = "EC", "Eastern Cape"  # real; its boundary is not generated
DISTRICT_CODE, DISTRICT_NAME = "DC99", "Demo District Municipality"  # fictional
MUNICIPALITY_CODE, MUNICIPALITY_NAME = "DMO", "Demo Local Municipality"  # fictional
# Demarcation Board form: province digit 2 (EC), district 99, municipality 01, then the
# three-digit ward number. Real districts stop at DC48, so no real ward id starts 29901.
WARD_PREFIX = "29901"
WARD_COUNT = 32
TOWN_WARDS = 12
AUTHORITY_WARDS = 8
CENTRE = (27.6, -31.8)  # lon, lat: inland Eastern Cape, between Komani (Queenstown) and Mthatha
RADIUS_KM = 28.0
OUTLINE_VERTICES = 96
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON = 111.320 * math.cos(math.radians(CENTRE[1]))


@dataclass(frozen=True)
class DemoWard:
    number: int
    code: str
    polygon: Polygon
    urban: bool
    suburbs: tuple[str, ...]


@dataclass(frozen=True)
class DemoAuthority:
    code: str
    name: str
    polygon: Polygon
    ward_numbers: tuple[int, ...]


@dataclass(frozen=True)
class DemoGeography:
    town: str
    outline: Polygon
    wards: tuple[DemoWard, ...]
    authority: DemoAuthority


def _lonlat(x_km: float, y_km: float) -> tuple[float, float]:
    return CENTRE[0] + x_km / _KM_PER_DEG_LON, CENTRE[1] + y_km / _KM_PER_DEG_LAT


def _outline_km(rng: Random) -> Polygon:
    """A star-shaped outline: a circle bent by a few random harmonics and roughened."""
    harmonics = [(k, rng.uniform(0.04, 0.10), rng.uniform(0, 2 * math.pi)) for k in range(2, 6)]
    points = []
    for i in range(OUTLINE_VERTICES):
        angle = 2 * math.pi * i / OUTLINE_VERTICES
        bend = sum(a * math.cos(k * angle + phase) for k, a, phase in harmonics)
        radius = RADIUS_KM * (1 + bend) * rng.uniform(0.97, 1.03)
        points.append((radius * math.cos(angle), radius * math.sin(angle)))
    return Polygon(points)


def _scatter(count: int, sample, spacing: float, sites: list) -> list:
    """Add ``count`` points from ``sample()`` at least ``spacing`` km from every site."""
    added: list[tuple[float, float]] = []
    attempts = 0
    while len(added) < count:
        x, y = sample()
        attempts += 1
        if attempts % 2000 == 0:
            spacing *= 0.9  # crowded: relax, still deterministically
        if all(math.dist((x, y), s) >= spacing for s in sites + added):
            added.append((x, y))
    return added


def _sites(rng: Random, outline: Polygon) -> tuple[tuple[float, float], list, list]:
    """The town centre, the town's ward centres and the countryside's, in km."""
    angle = rng.uniform(0, 2 * math.pi)
    town = (0.3 * RADIUS_KM * math.cos(angle), 0.3 * RADIUS_KM * math.sin(angle))
    minx, miny, maxx, maxy = outline.bounds
    inner = outline.buffer(-2.0)

    def near_town() -> tuple[float, float]:
        while True:
            x, y = rng.gauss(town[0], 3.0), rng.gauss(town[1], 3.0)
            if inner.contains(Point(x, y)):
                return x, y

    def countryside() -> tuple[float, float]:
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if inner.contains(Point(x, y)) and math.dist((x, y), town) > 9.0:
                return x, y

    in_town = _scatter(TOWN_WARDS, near_town, 1.8, [])
    rural = _scatter(WARD_COUNT - TOWN_WARDS, countryside, 7.5, in_town)
    return town, in_town, rural


def _polygons(geometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geometry) if g.geom_type == "Polygon" and g.area > 0]


def _one_piece_each(cells: list) -> list[Polygon]:
    """A cell clipped by a concave outline may fall apart; give each stray piece to the
    neighbour it shares the longest border with, so every ward is one Polygon."""
    cells = list(cells)
    while True:
        split = next((i for i, c in enumerate(cells) if len(_polygons(c)) > 1), None)
        if split is None:
            return [_polygons(c)[0] for c in cells]
        main, *strays = sorted(_polygons(cells[split]), key=lambda p: p.area, reverse=True)
        cells[split] = main
        for piece in strays:
            other = max((j for j in range(len(cells)) if j != split),
                        key=lambda j: piece.boundary.intersection(cells[j].boundary).length)
            cells[other] = shapely.union(cells[other], piece)


def _shared_border(a: Polygon, b: Polygon) -> float:
    return a.boundary.intersection(b.boundary).length


def _authority_wards(wards: list[DemoWard], town: Point) -> tuple[int, ...]:
    """Grow a block of touching rural wards from the one farthest from town."""
    rural = [w for w in wards if not w.urban]
    far = lambda w: w.polygon.centroid.distance(town)  # noqa: E731
    chosen = [max(rural, key=far)]
    while len(chosen) < AUTHORITY_WARDS:
        touching = [w for w in rural if w not in chosen
                    and any(_shared_border(w.polygon, c.polygon) > 0 for c in chosen)]
        if not touching:
            break
        chosen.append(max(touching, key=far))
    return tuple(sorted(w.number for w in chosen))


def generate_geography(seed: int = DEFAULT_SEED) -> DemoGeography:
    """Generate the whole demo geography; the same seed gives identical output."""
    shape_rng, name_rng = Random(f"{seed}:shape"), Random(f"{seed}:names")
    outline_km = _outline_km(shape_rng)
    town_km, town_sites, rural_sites = _sites(shape_rng, outline_km)
    outline = Polygon([_lonlat(x, y) for x, y in outline_km.exterior.coords])
    town = Point(_lonlat(*town_km))
    # Town wards first, numbered outwards from the centre; then the countryside clockwise.
    town_sites.sort(key=lambda s: math.dist(s, town_km))
    rural_sites.sort(key=lambda s: -math.atan2(s[1], s[0]))
    sites = [_lonlat(*s) for s in town_sites + rural_sites]
    cells = shapely.voronoi_polygons(MultiPoint(sites), extend_to=outline.envelope.buffer(1.0),
                                     ordered=True)
    clipped = _one_piece_each([shapely.intersection(c, outline) for c in cells.geoms])
    taken: set[str] = set()
    town_label = town_name(name_rng)
    wards = []
    for number, polygon in enumerate(clipped, start=1):
        urban = number <= TOWN_WARDS
        suburbs = place_names(name_rng, name_rng.randint(2, 4) if urban else
                              name_rng.randint(3, 5), urban=urban, taken=taken)
        if number == 1:
            suburbs = [f"{town_label} CBD", *suburbs]
        wards.append(DemoWard(number, f"{WARD_PREFIX}{number:03d}", polygon, urban,
                              tuple(suburbs)))
    numbers = _authority_wards(wards, town)
    authority = DemoAuthority(
        code=f"{MUNICIPALITY_CODE}-TA1",
        name=authority_name(name_rng),
        polygon=shapely.union_all([w.polygon for w in wards if w.number in numbers]),
        ward_numbers=numbers,
    )
    return DemoGeography(town_label, outline, tuple(wards), authority)
