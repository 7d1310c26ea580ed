"""``facilities_import``: a published facilities file into the database, all or nothing.

Every row is read and checked first (rows.py); a bad row refuses the file, each named
with its reason, and nothing is written. Then, in one transaction: the source's terms,
each facility created or updated by (source, kind, reference), those of the same source
and kind that the file no longer lists withdrawn (no longer shown), the version bumped
and one audit entry. Importing the same file again changes nothing.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor

from .catalogue import SourceSpec, recognise
from .kinds import kind_get
from .mapping import columns_map, columns_parse
from .models import Facility
from .placing import places_find
from .readers import read_file
from .rows import Candidate, rows_check
from .services import MANAGE, facilities_changed, facility_source_ensure

SHOWN = 30  # bad rows named in the refusal's message (all are in its ``problems``)
BATCH = 500
COMPARED = ("name", "latitude", "longitude", "address", "phone", "hours", "details",
            "municipality_id", "ward_id", "active")


@dataclass
class ImportReport:
    source: str
    kind: str
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    unplaced: int = 0  # loaded without a ward: farther than SNAP_KM from every ward held
    skipped: list[str] = field(default_factory=list)
    snapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.updated + self.unchanged


def facilities_import(*, actor: Actor, kind: str, path: Path, columns: str = "",
                      source: SourceSpec | None = None, encoding: str = "utf-8-sig",
                      skip_invalid: bool = False) -> ImportReport:
    """Load ``path`` as facilities of ``kind`` from ``source`` (else the known set the
    file is recognised as). Platform-wide data: a global ``facilities.manage`` only."""
    kind = kind_get(kind).code
    if not actor.is_global(MANAGE):
        raise PermissionDenied("Only platform administrators import published facilities.")
    raw = read_file(path, encoding)
    spec = source or recognise(raw.columns, raw.shapefile)
    if spec is None:
        raise ImbizoError("unknown_source", (
            f"{raw.name} is not one of the data sets Imbizo knows; name its source and terms "
            "(--source KEY --source-name ... --licence ... --attribution ...)."))
    checked = rows_check(raw, columns_map(raw.columns, columns_parse(columns),
                                          shapefile=raw.shapefile))
    if checked.bad and not skip_invalid:
        listed = "\n".join(checked.bad[:SHOWN]) + (
            f"\n... and {len(checked.bad) - SHOWN} more" if len(checked.bad) > SHOWN else "")
        raise ImbizoError("invalid_rows", (
            f"{raw.name}: {len(checked.bad)} bad row(s); nothing was loaded. Fix them, or "
            f"leave them out with --skip-invalid:\n{listed}"), problems=checked.bad)
    if not checked.candidates:
        raise ImbizoError("nothing_to_import", f"{raw.name} has no row that can be loaded.",
                          problems=checked.bad + checked.skipped)
    report = ImportReport(spec.key, kind, raw.name, warnings=checked.warnings,
                          skipped=[f"{line} (left out)" for line in checked.bad]
                          + checked.skipped)
    _write(actor, spec, kind, checked.candidates, report)
    return report


def _write(actor: Actor, spec: SourceSpec, kind: str, candidates: list[Candidate],
           report: ImportReport) -> None:
    places = places_find([c.latitude for c in candidates], [c.longitude for c in candidates])
    with transaction.atomic():
        source = facility_source_ensure(spec=spec)
        existing = {f.source_ref: f for f in Facility.objects.filter(source=source, kind=kind)}
        new, changed = [], []
        for found, place in zip(candidates, places, strict=True):
            values = {"name": found.name, "latitude": found.latitude,
                      "longitude": found.longitude, "address": found.address,
                      "phone": found.phone, "hours": found.hours, "details": found.details,
                      "municipality_id": place.municipality_id, "ward_id": place.ward_id,
                      "active": True}
            report.unplaced += place.ward_id is None
            if place.snapped_km is not None:
                report.snapped.append(f"{found.name}: {place.snapped_km:.1f} km outside the "
                                      "nearest ward, placed in it")
            row = existing.pop(found.ref, None)
            if row is None:
                new.append(Facility(source=source, kind=kind, source_ref=found.ref, **values))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        gone = [row for row in existing.values() if row.active]
        for row in gone:
            row.active = False
        now = timezone.now()  # bulk_update does not stamp auto_now fields
        for row in (*changed, *gone):
            row.updated = now
        Facility.objects.bulk_create(new, batch_size=BATCH)
        Facility.objects.bulk_update(changed, [*COMPARED, "updated"], batch_size=BATCH)
        Facility.objects.bulk_update(gone, ["active", "updated"], batch_size=BATCH)
        report.created, report.updated, report.withdrawn = len(new), len(changed), len(gone)
        report.unchanged = len(candidates) - len(new) - len(changed)
        if new or changed or gone:
            facilities_changed()
        audit_record(actor=actor.label, channel=actor.channel, action="facilities.import",
                     object_type="facilities.facilitysource", object_id=source.key,
                     changes={"kind": kind, "file": report.file, "created": report.created,
                              "updated": report.updated, "unchanged": report.unchanged,
                              "withdrawn": report.withdrawn,
                              "skipped": len(report.skipped)})
