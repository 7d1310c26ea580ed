"""Who a news item is for: its target resolved to wards, and the residents it reaches.

Residents are placed by their home ward (``Citizen.ward``; a resident without one counts
for the whole municipality only), so every target but the municipality and a group is
kept as wards: the wards picked; the wards whose list of suburbs (``Ward.suburbs``)
names a suburb picked; and the wards a drawn zone overlaps (an overlap of some area: a
zone that only touches a ward's edge does not take it in). A zone reaches everyone in
each ward it overlaps, never fewer than the zone covers; the console shows the wards
before anything is sent.

A broadcast is sent only to residents who agreed to news and alerts (the ``broadcasts``
consent, given on their profile or by joining a group), never to an erased one.
"""

import json
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from shapely import make_valid
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from imbizo.accounts.models import Citizen, Consent
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality, Ward

from .models import InterestGroup, NewsItem

Target = NewsItem.Target
MAX_ZONE_POINTS = 5000  # a zone drawn by hand has tens; a pasted boundary, thousands
MAX_ZONE_TEXT = 200_000


@dataclass(frozen=True)
class Resolved:
    """A target as it is kept on the item."""

    target: str
    wards: list[Ward]
    suburbs: list[str]
    zone: dict | None
    group: InterestGroup | None


def _error(code: str, message: str, field: str) -> ImbizoError:
    return ImbizoError(code, message, field=field)


def zone_parse(value) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon (or a Feature, or a FeatureCollection of one
    feature, holding one) in longitude and latitude, repaired if its rings cross."""
    if isinstance(value, str):
        if len(value) > MAX_ZONE_TEXT:
            raise _error("zone_too_large", _("The zone is too large: draw it with fewer "
                                             "points."), "zone")
        try:
            value = json.loads(value)
        except ValueError:
            raise _error("invalid_zone", _("The zone is not GeoJSON."), "zone") from None
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        value = features[0] if len(features) == 1 else None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise _error("invalid_zone", _("Draw the zone as one polygon."), "zone")
    try:
        geometry = shape(value)
    except (ValueError, TypeError, AttributeError, IndexError):
        raise _error("invalid_zone", _("The zone's points are not a polygon."), "zone") \
            from None
    points = [point for ring in _rings(geometry) for point in ring.coords]
    if len(points) > MAX_ZONE_POINTS:
        raise _error("zone_too_large", _("The zone is too large: draw it with fewer "
                                         "points."), "zone")
    if not points or not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y, *_z in points):
        raise _error("invalid_zone", _("The zone's points must be longitude and latitude."),
                     "zone")
    if not geometry.is_valid:
        geometry = make_valid(geometry)
    if geometry.is_empty or geometry.area == 0:
        raise _error("invalid_zone", _("The zone has no area."), "zone")
    return geometry


def _rings(geometry: BaseGeometry):
    for polygon in getattr(geometry, "geoms", [geometry]):
        yield polygon.exterior
        yield from polygon.interiors


def zone_wards(municipality: Municipality, zone: BaseGeometry) -> list[Ward]:
    """The municipality's wards the zone overlaps, in number order."""
    found = []
    for ward in Ward.objects.filter(municipality=municipality, boundary__isnull=False) \
            .order_by("number"):
        boundary = ward.geometry
        if boundary is not None and boundary.intersects(zone) and \
                boundary.intersection(zone).area > 0:
            found.append(ward)
    return found


def _wards_numbered(municipality: Municipality, numbers) -> list[Ward]:
    try:
        wanted = sorted({int(str(n).strip()) for n in numbers or () if str(n).strip()})
    except ValueError:
        raise _error("invalid_ward", _("Give wards by their numbers."), "wards") from None
    wards = list(Ward.objects.filter(municipality=municipality, number__in=wanted)
                 .defer("boundary").order_by("number"))
    missing = sorted(set(wanted) - {w.number for w in wards})
    if missing:
        raise _error("unknown_ward", _("%(muni)s has no ward %(ward)s.")
                     % {"muni": municipality.name, "ward": missing[0]}, "wards")
    return wards


def _wards_of_suburbs(municipality: Municipality, names) -> tuple[list[str], list[Ward]]:
    wanted = list(dict.fromkeys(" ".join(str(n).split()) for n in names or () if str(n).strip()))
    wards = list(Ward.objects.filter(municipality=municipality).defer("boundary")
                 .order_by("number"))
    found: dict[int, Ward] = {}
    for name in wanted:
        hits = [w for w in wards
                if name.casefold() in {s.strip().casefold() for s in w.suburbs.splitlines()}]
        if not hits:
            raise _error("unknown_suburb", _("No ward of %(muni)s lists the suburb "
                                             "“%(suburb)s”.")
                         % {"muni": municipality.name, "suburb": name}, "suburbs")
        found |= {w.pk: w for w in hits}
    return wanted, sorted(found.values(), key=lambda w: w.number)


def target_resolve(*, municipality: Municipality, target: str, wards=(), suburbs=(),
                   zone=None, group=None) -> Resolved:
    """The target checked and kept as wards (or a group); each mistake names its field.
    ``wards`` are ward numbers, ``group`` an interest group (or its id)."""
    if target not in Target.values:
        raise _error("invalid_target", _("Choose who the news is for."), "target")
    if target == Target.MUNICIPALITY:
        return Resolved(target, [], [], None, None)
    if target == Target.GROUP:
        return Resolved(target, [], [], None, _group(municipality, group))
    if target == Target.WARDS:
        picked = _wards_numbered(municipality, wards)
        if not picked:
            raise _error("no_wards", _("Choose one or more wards."), "wards")
        return Resolved(target, picked, [], None, None)
    if target == Target.SUBURBS:
        names, picked = _wards_of_suburbs(municipality, suburbs)
        if not names:
            raise _error("no_suburbs", _("Choose one or more suburbs."), "suburbs")
        return Resolved(target, picked, names, None, None)
    if zone in (None, "", {}):
        raise _error("no_zone", _("Draw the zone, or paste it as GeoJSON."), "zone")
    geometry = zone_parse(zone)
    picked = zone_wards(municipality, geometry)
    if not picked:
        raise _error("zone_outside", _("The zone lies outside every ward of %(muni)s.")
                     % {"muni": municipality.name}, "zone")
    return Resolved(target, picked, [], mapping(geometry), None)


def _group(municipality: Municipality, group) -> InterestGroup:
    if isinstance(group, InterestGroup):
        group = group.pk
    try:
        pk = int(group)
    except (TypeError, ValueError):
        pk = 0
    found = InterestGroup.objects.filter(municipality=municipality, pk=pk, active=True).first()
    if found is None:
        raise _error("unknown_group", _("Choose one of the municipality's interest groups."),
                     "group")
    return found


# --- the residents a target reaches ---------------------------------------------------
def consent_to_broadcasts(after: int = 0) -> Exists:
    """The resident agreed to news messages. ``after``: only residents after that id are
    asked about, said to the subquery too: PostgreSQL may join the consents in resident
    order, and without it reads every consent before the batch's first resident, batch
    after batch (a 100,000-resident broadcast read five million)."""
    consents = Consent.objects.filter(citizen=OuterRef("pk"),
                                      purpose=Consent.Purpose.BROADCASTS,
                                      withdrawn__isnull=True)
    return Exists(consents.filter(citizen_id__gt=after) if after else consents)


def residents_in(*, municipality_id: int, target: str, ward_ids: list[int],
                 group_id: int | None, after: int = 0) -> QuerySet[Citizen]:
    """Every resident (not erased) the target takes in, consenting or not; with
    ``after``, those after that id only."""
    found = Citizen.objects.filter(erased__isnull=True)
    if after:
        found = found.filter(pk__gt=after)
    if target == Target.MUNICIPALITY:
        return found.filter(municipality_id=municipality_id)
    if target == Target.GROUP:
        members = {"news_memberships__group_id": group_id,
                   "news_memberships__left__isnull": True}
        if after:  # as for the consents, said to the joined table too
            members["news_memberships__citizen_id__gt"] = after
        return found.filter(**members)
    return found.filter(municipality_id=municipality_id, ward_id__in=ward_ids)


def recipients(item: NewsItem, ward_ids: list[int], after: int = 0) -> QuerySet[Citizen]:
    """The residents a broadcast of ``item`` is sent to: in its target, and agreed (after
    the resident id ``after``)."""
    return residents_in(municipality_id=item.municipality_id, target=item.target,
                        ward_ids=ward_ids, group_id=item.group_id, after=after) \
        .filter(consent_to_broadcasts(after))


@dataclass(frozen=True)
class Reach:
    """How many residents a target takes in, and how many of them a broadcast reaches
    (those who agreed to news and alerts)."""

    residents: int
    consenting: int
    wards: list[int]  # the numbers of the wards it was resolved to


def reach_count(*, municipality_id: int, resolved: Resolved) -> Reach:
    """Two counts. The consents are counted as a join of their own: asked of each
    resident in one aggregate, the plan's estimated cost (a subquery a row) crossed
    PostgreSQL's threshold for compiling it, which took longer than the count."""
    residents = residents_in(municipality_id=municipality_id, target=resolved.target,
                             ward_ids=[w.pk for w in resolved.wards],
                             group_id=resolved.group.pk if resolved.group else None)
    consenting = Consent.objects.filter(purpose=Consent.Purpose.BROADCASTS,
                                        withdrawn__isnull=True,
                                        citizen__in=residents.values("pk"))
    return Reach(residents.count(), consenting.count(), [w.number for w in resolved.wards])
