"""The steps every change to a case shares: who may work it, its current row locked
against a stale caller, and one checked transition, recorded, audited and announced.
The lifecycle services, duplicates, work orders and attachments are built from them."""

from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, allows

from .models import Case, CaseUpdate, Status
from .representation import case_event_data

S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.LOGGED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.REJECTED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.REJECTED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
}


def may_work(actor: Actor, case: Case, permission: str = "case.work") -> bool:
    return actor.kind in ("staff", "integrator", "system") and allows(
        actor, permission, municipality_id=case.municipality_id,
        department_id=case.department_id, ward_id=case.ward_id)


def is_reporter(actor: Actor, case: Case) -> bool:
    return actor.kind == "citizen" and case.reporter_id == actor.citizen.pk


def case_locked(case: Case, expected_version: int | None) -> Case:
    """The current row, locked; a caller holding an older version gets a 409."""
    current = Case.objects.select_for_update(of=("self",)).select_related(
        "category", "municipality", "department", "ward", "reporter").get(pk=case.pk)
    if expected_version is not None and expected_version != current.version:
        raise ImbizoError("stale_case",
                          _("Someone else changed %(ref)s since you loaded it (version "
                            "%(theirs)s, yours %(yours)s). Reload it and try again.")
                          % {"ref": current.reference, "theirs": current.version,
                             "yours": expected_version},
                          status=409, current_version=current.version)
    return current


def case_move(actor: Actor, case: Case, to: str, *, text: str = "", fields: tuple = ()) -> Case:
    """Apply one transition already checked for permission; audit and announce it."""
    if to not in TRANSITIONS.get(case.status, ()):
        raise ImbizoError("invalid_transition",
                          _("A case that is %(now)s cannot become %(to)s.")
                          % {"now": Status(case.status).label, "to": Status(to).label},
                          status=409)
    before = case.status
    case.status = to
    case.version += 1
    case.save(update_fields=["status", "version", "updated", *fields])
    update = CaseUpdate.objects.create(case=case, kind=CaseUpdate.Kind.STATUS,
                                       actor=actor.label, author=author_name(actor),
                                       from_status=before, to_status=to, text=text)
    audit_record(actor=actor.label, channel=actor.channel, action=f"case.{to}", obj=case,
                 municipality_code=case.municipality.code,
                 changes={"status": [before, to], "fields": list(fields)})
    emit("case_status_changed", municipality_id=case.municipality_id, case_id=case.pk,
         update_id=update.pk, from_status=before, data=case_event_data(case))
    return case


def author_name(actor: Actor) -> str:
    if actor.kind == "staff":
        return actor.user.get_full_name() or actor.user.get_username()
    if actor.kind == "integrator":
        return actor.api_key.name
    return _("Resident") if actor.kind == "citizen" else _("Imbizo")
