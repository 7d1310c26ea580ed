"""Finding a resident's area: by a suburb's name, by their municipality, or by a point
(the municipality the point is in, then its areas; those that list the suburbs of the
point's ward first). Public data: no actor scoping."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.index import Place
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import locate, municipality_by_code, ward_by_code

from .models import Area, AreaMunicipality, AreaSuburb
from .names import normalise

MIN_QUERY = 2
SEARCH_LIMIT = 20
CANDIDATES = 500  # suburb rows read for one search, before grouping by area


@dataclass(frozen=True)
class AreaHit:
    key: str
    name: str
    provider: str
    suburb: str = ""  # the suburb that matched, or the ward's suburb it lists
    has_schedule: bool = True


def areas_search(*, q: str, limit: int = SEARCH_LIMIT) -> list[AreaHit]:
    """Areas listing a suburb whose name starts with ``q`` (or has a word that does),
    compared in normal form (names.normalise): exact names first, then the shortest."""
    wanted = normalise(q)[:200]
    if len(wanted) < MIN_QUERY:
        raise ImbizoError("query_too_short", _("Type at least %(count)d letters of the "
                                               "suburb's name.") % {"count": MIN_QUERY},
                          field="q")
    rows = list(AreaSuburb.objects.filter(normalised__startswith=wanted)
                .values_list("area_id", "name", "normalised")[:CANDIDATES])
    if len(rows) < limit:
        rows += AreaSuburb.objects.filter(normalised__contains=" " + wanted) \
            .values_list("area_id", "name", "normalised")[:CANDIDATES]
    rows.sort(key=lambda row: (row[2] != wanted, not row[2].startswith(wanted), len(row[2]),
                               row[2]))
    best: dict[int, str] = {}
    for area_id, name, _normal in rows:
        if area_id not in best:
            best[area_id] = name
            if len(best) == limit:
                break
    return _hits(best)


def areas_in_municipality(*, municipality: Municipality,
                          suburbs: list[str] | None = None) -> list[AreaHit]:
    """The areas the metadata says cover the municipality, by name; those listing one of
    ``suburbs`` first, each with the suburb it lists. (A calendar merely run by the
    municipality, such as Cape Town's whole-day "when load-shedding is on", is no area of
    a resident's and is not listed.)"""
    ids = set(AreaMunicipality.objects.filter(municipality=municipality)
              .values_list("area_id", flat=True))
    listed: dict[int, str] = {}
    wanted = {normalise(s): s for s in suburbs or [] if normalise(s)}
    if wanted and ids:
        for area_id, name in AreaSuburb.objects.filter(
                area_id__in=ids, normalised__in=list(wanted)).values_list("area_id", "name"):
            listed.setdefault(area_id, name)
    hits = _hits({pk: listed.get(pk, "") for pk in ids})
    return sorted(hits, key=lambda hit: (not hit.suburb, hit.name))


def areas_at_point(*, lat: float, lon: float) -> tuple[Place, list[AreaHit]]:
    """The place at the point and the areas of its municipality (several: the resident
    picks). Outside every ward, or in a municipality without areas: a 404 saying so."""
    place = locate(lat=lat, lon=lon)
    municipality = municipality_by_code(place.municipality["code"])
    ward = ward_by_code(place.ward["code"])
    suburbs = ward.suburbs.splitlines() if ward is not None else []
    hits = areas_in_municipality(municipality=municipality, suburbs=suburbs)
    if not hits:
        raise NotFound("no_area_here", _("We have no load-shedding area on record for "
                                         "%(municipality)s.") % {"municipality": municipality.name})
    return place, hits


def municipalities_with_areas() -> QuerySet[Municipality]:
    """The municipalities some area covers, by name (for a resident to pick)."""
    return Municipality.objects.filter(
        pk__in=AreaMunicipality.objects.filter(municipality__isnull=False)
        .values("municipality_id")).defer("boundary").order_by("name")


def areas_affected(*, municipality_id: int | None) -> QuerySet[Area]:
    """The areas whose stage a change of this scope decides: every area for a national
    change (the latest change wins, and it is the latest), the areas a municipality runs
    for its own. For the alerts of a stage change."""
    if municipality_id is None:
        return Area.objects.all()
    return Area.objects.filter(municipality_id=municipality_id)


def _hits(names: dict[int, str]) -> list[AreaHit]:
    """AreaHits in the order of ``names`` (area id -> the suburb to show)."""
    if not names:
        return []
    rows = {pk: (key, name, provider, has) for pk, key, name, provider, has in
            Area.objects.filter(pk__in=list(names)).values_list(
                "pk", "key", "name", "provider", "has_schedule")}
    return [AreaHit(key=rows[pk][0], name=rows[pk][1], provider=rows[pk][2], suburb=suburb,
                    has_schedule=rows[pk][3]) for pk, suburb in names.items() if pk in rows]
