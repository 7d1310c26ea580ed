"""Writes of the stage in force: set by staff (``stage_set``) or imported from a stage
history (``stages_import``). Each bumps the schedule version, so that every process's memo
reloads, and announces a new stage with the domain event ``loadshedding_stage_changed``
(``STAGE_EVENT``), which the alerts to residents listen to.

Scope: a change with no municipality is national; one with a municipality applies to the
areas whose schedule that municipality runs itself (``Area.municipality``: Cape Town's
own areas, not Eskom's direct customers in it). The stage of such an area at a moment is
the latest change at or before it of either scope, its own winning at the same moment:
a municipality that runs a stage of its own announces it after each national change.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .importer import MANAGE, SHOWN_PROBLEMS
from .models import MAX_STAGE, StageChange
from .stage_file import stages_read
from .writing import schedule_version_bump

STAGE_EVENT = "loadshedding_stage_changed"
BACKDATE = timedelta(hours=1)  # staff announce stages now or ahead; history is imported
NOTE_MAX = 200


def stage_checked(stage) -> int:
    """``stage`` as a whole number from 0 (suspended) to 8, or a 400 saying so."""
    text = str(stage).strip()
    if isinstance(stage, bool) or not text.lstrip("-").isdigit() or \
            not 0 <= int(text) <= MAX_STAGE:
        raise ImbizoError("stage_out_of_range",
                          _("The stage must be a whole number from 0 (suspended) to "
                            "%(max)d.") % {"max": MAX_STAGE}, field="stage")
    return int(text)


def _require_scope(actor: Actor, municipality: Municipality | None) -> None:
    if municipality is None:
        if not actor.is_global(MANAGE):
            raise PermissionDenied(_("Only platform administrators set the national stage."))
    else:
        require(actor, MANAGE, municipality.pk)


def _scope(municipality: Municipality | None) -> Q:
    return Q(municipality=municipality) if municipality else Q(municipality__isnull=True)


def _stage_before(municipality: Municipality | None, at: datetime) -> int:
    """The stage in force for the scope just before ``at`` (0 before any change)."""
    scopes = Q(municipality__isnull=True) | (_scope(municipality) if municipality else Q())
    found = StageChange.objects.filter(scopes, at__lt=at).order_by(
        "-at", F("municipality").desc(nulls_last=True)).values_list("stage", flat=True).first()
    return found or 0


def _announce(change: StageChange, previous: int) -> None:
    municipality = change.municipality
    emit(STAGE_EVENT, municipality_id=municipality.pk if municipality else None,
         scope=municipality.code if municipality else "national", stage=change.stage,
         previous_stage=previous, at=change.at.isoformat(), source=change.source,
         change_id=change.pk)


@transaction.atomic
def stage_set(*, actor: Actor, stage, municipality: Municipality | None = None,
              at: datetime | None = None, note: str = "") -> StageChange:
    """From ``at`` (now by default; a known change ahead may be announced), ``stage`` is
    in force nationally, or for the areas ``municipality`` runs. National: platform
    administrators; a municipality's own: its administrators (``loadshedding.manage``)."""
    stage = stage_checked(stage)
    _require_scope(actor, municipality)
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at < now - BACKDATE:
        raise ImbizoError("stage_backdated", _("A stage can be set from an hour ago at the "
                                               "earliest; load older ones as a stage history."),
                          field="at")
    note = " ".join(str(note or "").split())
    if len(note) > NOTE_MAX:
        raise ImbizoError("note_too_long", _("Keep the note within %(max)d characters.")
                          % {"max": NOTE_MAX}, field="note")
    change = StageChange.objects.select_for_update().filter(_scope(municipality), at=at).first()
    previous = change.stage if change else _stage_before(municipality, at)
    try:
        with transaction.atomic():
            if change is None:
                change = StageChange.objects.create(at=at, stage=stage, municipality=municipality,
                                                    source=StageChange.Source.STAFF, note=note)
            else:
                change.stage, change.source, change.note = stage, StageChange.Source.STAFF, note
                change.save(update_fields=["stage", "source", "note", "updated"])
    except IntegrityError:  # another change of this scope at this moment committed first
        raise ImbizoError("stage_changed", _("Someone else set a stage for that moment at "
                                             "the same time. Look again."), status=409) from None
    schedule_version_bump()
    _announce(change, previous)
    audit_record(actor=actor.label, channel=actor.channel, action="loadshedding.stage_set",
                 obj=change, municipality_code=municipality.code if municipality else "",
                 changes={"stage": {"from": previous, "to": stage}, "at": at.isoformat(),
                          "scope": municipality.code if municipality else "national"})
    return change


@dataclass(frozen=True)
class StagesReport:
    created: int
    updated: int
    unchanged: int
    newest: datetime | None
    announced: bool  # the newest change is newer than any before: announced


def stages_import(*, actor: Actor, path: Path) -> StagesReport:
    """Load a national stage history (stage_file.py), all or nothing: a change at a moment
    already recorded takes the file's stage, others are added, none removed. Running it
    again writes nothing. A change newer than every one before is announced."""
    if not actor.is_global(MANAGE):
        raise PermissionDenied(_("Only platform administrators import the stage history."))
    path = Path(path)
    found, problems = stages_read(path, path.name)
    if problems:
        raise ImbizoError(
            "import_invalid",
            _("%(count)d problems; nothing was loaded.") % {"count": len(problems)}
            + "\n" + "\n".join(problems[:SHOWN_PROBLEMS]), problems=problems)
    with transaction.atomic():
        existing = {change.at: change for change in StageChange.objects
                    .select_for_update().filter(municipality__isnull=True)}
        newest_before = max(existing, default=None)
        new = [StageChange(at=at, stage=stage, source=StageChange.Source.IMPORT)
               for at, stage in found.items() if at not in existing]
        moved = [existing[at] for at, stage in found.items()
                 if at in existing and existing[at].stage != stage]
        now = timezone.now()
        for change in moved:
            change.stage, change.source = found[change.at], StageChange.Source.IMPORT
            change.updated = now
        StageChange.objects.bulk_create(new, batch_size=1000)
        StageChange.objects.bulk_update(moved, ["stage", "source", "updated"], batch_size=500)
        newest = max(found, default=None)
        announced = newest is not None and (newest_before is None or newest > newest_before)
        if new or moved:
            schedule_version_bump()
        if announced:
            change = StageChange.objects.get(municipality__isnull=True, at=newest)
            _announce(change, _stage_before(None, newest))
        if new or moved:  # nothing changed: nothing to audit
            audit_record(actor=actor.label, channel=actor.channel,
                         action="loadshedding.stages_import",
                         object_type="loadshedding.stagechange", object_id=path.name[:64],
                         changes={"created": len(new), "updated": len(moved),
                                  "newest": newest.isoformat() if newest else None})
    return StagesReport(created=len(new), updated=len(moved),
                        unchanged=len(found) - len(new) - len(moved), newest=newest,
                        announced=announced)
