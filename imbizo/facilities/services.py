"""Writes of facilities: a municipality's own entries (offices, pay points, libraries, water
points), entered in the admin through these services, and the version every change bumps
so each process's nearest-facility index reloads. Imports are in importer.py."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.changes import fields_assign
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality, Ward

from .catalogue import SourceSpec
from .kinds import kind_get
from .models import Facility, FacilitySource, FacilityVersion
from .sphere import in_south_africa

MANAGE = "facilities.manage"
OWN_FIELDS = ("kind", "name", "latitude", "longitude", "address", "phone", "hours", "details",
              "active")


def facilities_changed() -> None:
    """Bump the version (other processes reload within FACILITY_INDEX_CHECK_SECONDS) and
    tell this process's index after the commit."""
    updated = FacilityVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        FacilityVersion.objects.create(pk=1, version=1)
    emit("facilities_changed")


def facility_source_ensure(*, spec: SourceSpec) -> FacilitySource:
    """The source's row, created or brought up to date with its terms (importer only)."""
    source, created = FacilitySource.objects.get_or_create(key=spec.key,
                                                           defaults=spec.as_fields())
    if not created:
        moved = fields_assign(source, spec.as_fields(), tuple(spec.as_fields()))
        if moved:
            source.full_clean()
            source.save(update_fields=[*moved, "updated"])
    return source


def _ward_at(facility: Facility) -> Ward:
    """The ward of an own entry's point, which must lie in its municipality."""
    place = ward_index.locate(facility.latitude, facility.longitude) \
        if in_south_africa(facility.latitude, facility.longitude) else None
    ward = Ward.objects.defer("boundary").filter(code=place.ward["code"]).first() \
        if place else None
    if ward is None or ward.municipality_id != facility.municipality_id:
        raise ImbizoError("outside_municipality", _(
            "That point (%(lat).5f, %(lon).5f) is not in %(municipality)s.") % {
            "lat": facility.latitude, "lon": facility.longitude,
            "municipality": facility.municipality.name}, field="latitude")
    return ward


def _checked(facility: Facility) -> None:
    kind_get(facility.kind)
    try:
        facility.full_clean(exclude=["municipality", "ward", "source"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ImbizoError("invalid_facility", messages[0], field=name) from None
    facility.ward = _ward_at(facility)


@transaction.atomic
def facility_create(*, actor: Actor, municipality: Municipality, kind: str, name: str,
                    latitude: float, longitude: float, address: str = "", phone: str = "",
                    hours: str = "", details: dict | None = None,
                    active: bool = True) -> Facility:
    """A municipality's own facility, placed in the ward under its point (which must be
    in the municipality). Its staff holding ``facilities.manage`` only."""
    require(actor, MANAGE, municipality.pk)
    facility = Facility(municipality=municipality, kind=kind, name=" ".join(name.split()),
                        latitude=latitude, longitude=longitude, address=address.strip(),
                        phone=phone.strip(), hours=hours.strip(), details=details or {},
                        active=active)
    _checked(facility)
    facility.save()
    facilities_changed()
    audit_record(actor=actor.label, channel=actor.channel, action="facilities.create",
                 obj=facility, municipality_code=municipality.code,
                 changes={"kind": facility.kind, "name": facility.name})
    return facility


@transaction.atomic
def facility_update(*, actor: Actor, facility: Facility, **changes) -> Facility:
    """Change some of ``OWN_FIELDS`` of a municipality's own facility; an imported one
    changes only by importing its source again."""
    facility = Facility.objects.select_for_update(of=("self",)).select_related(
        "municipality").get(pk=facility.pk)
    require(actor, MANAGE, facility.municipality_id)
    if facility.source_id is not None:
        raise ImbizoError("imported_facility", _(
            "This facility comes from a published data set; it changes when that set is "
            "imported again."))
    before = {name: getattr(facility, name) for name in OWN_FIELDS}
    moved = fields_assign(facility, changes, OWN_FIELDS)
    if not moved:
        return facility
    _checked(facility)
    facility.save(update_fields=[*moved, "ward", "updated"])
    facilities_changed()
    audit_record(actor=actor.label, channel=actor.channel, action="facilities.update",
                 obj=facility, municipality_code=facility.municipality.code,
                 changes={name: {"from": str(before[name]), "to": str(getattr(facility, name))}
                          for name in moved})
    return facility
