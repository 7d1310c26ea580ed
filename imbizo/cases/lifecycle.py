"""A case's life: only valid transitions, each a service, audited, announced after commit.

logged → assigned (routing) → in_progress ⇄ on_hold (the SLA clock pauses) → resolved →
closed (the resident confirms, or says nothing for CASE_AUTOCLOSE_DAYS); a resolved case
can be reopened by its resident within CASE_REOPEN_DAYS; logged/assigned → rejected with
a reason; cancelled by the reporter while open.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.accounts.models import Department
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor

from . import sla
from .escalation import sla_schedule
from .limits import text_check
from .models import Case, CaseUpdate, Status, Team
from .representation import case_event_data
from .transitions import author_name, case_locked, case_move, is_reporter, may_work

REJECTION_REASONS = {
    "duplicate": gettext_lazy("It duplicates another report."),
    "not_municipal": gettext_lazy("It is not a municipal matter."),
    "invalid": gettext_lazy("It could not be verified."),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not change this case."))


@transaction.atomic
def case_start(*, actor: Actor, case: Case, note: str = "",
               expected_version: int | None = None) -> Case:
    text_check("note", note)
    case = case_locked(case, expected_version)
    _require(may_work(actor, case))
    fields = ()
    if case.acknowledged is None:
        case.acknowledged, fields = timezone.now(), ("acknowledged",)
    return case_move(actor, case, Status.IN_PROGRESS, text=note, fields=fields)


@transaction.atomic
def case_hold(*, actor: Actor, case: Case, reason: str,
              expected_version: int | None = None) -> Case:
    """Waiting on parts or a third party: the service-level clock stops."""
    text_check("reason", reason)
    case = case_locked(case, expected_version)
    _require(may_work(actor, case))
    if not reason.strip():
        raise ImbizoError("reason_required", _("Say what the case is waiting for."))
    case.paused = timezone.now()
    return case_move(actor, case, Status.ON_HOLD, text=reason.strip(), fields=("paused",))


@transaction.atomic
def case_resume(*, actor: Actor, case: Case, note: str = "",
                expected_version: int | None = None) -> Case:
    text_check("note", note)
    case = case_locked(case, expected_version)
    _require(may_work(actor, case))
    if case.status != Status.ON_HOLD:
        raise ImbizoError("invalid_transition", _("Only a case on hold can resume."), status=409)
    sla.resume(case, timezone.now())
    sla_schedule(case)
    return case_move(actor, case, Status.IN_PROGRESS, text=note,
                 fields=("paused", "ack_due", "resolve_due"))


@transaction.atomic
def case_resolve(*, actor: Actor, case: Case, note: str,
                 expected_version: int | None = None) -> Case:
    text_check("note", note)
    case = case_locked(case, expected_version)
    _require(may_work(actor, case))
    if not note.strip():
        raise ImbizoError("note_required", _("Tell the resident what was done."))
    now = timezone.now()
    case.resolved = now
    fields = ["resolved"]
    if case.acknowledged is None:
        case.acknowledged = now
        fields.append("acknowledged")
    if case.paused:
        case.paused = None
        fields.append("paused")
    _schedule_autoclose(case)
    return case_move(actor, case, Status.RESOLVED, text=note.strip(), fields=tuple(fields))


def _schedule_autoclose(case: Case) -> None:
    from .tasks import case_autoclose

    at = case.resolved + timedelta(days=settings.CASE_AUTOCLOSE_DAYS)
    resolved = case.resolved.isoformat()
    transaction.on_commit(
        lambda: case_autoclose.using(run_after=at).enqueue(case.pk, resolved))


@transaction.atomic
def case_close(*, actor: Actor, case: Case, expected_version: int | None = None) -> Case:
    """The resident confirms the fix, or the auto-close task finds them silent."""
    case = case_locked(case, expected_version)
    _require(is_reporter(actor, case) or actor.kind == "system"
             or may_work(actor, case, "case.assign"))
    if case.status != Status.RESOLVED:
        raise ImbizoError("invalid_transition",
                          _("%(ref)s is %(now)s: it can be confirmed fixed once it is resolved.")
                          % {"ref": case.reference, "now": Status(case.status).label},
                          status=409)
    case.closed = timezone.now()
    return case_move(actor, case, Status.CLOSED, fields=("closed",))


@transaction.atomic
def case_reopen(*, actor: Actor, case: Case, reason: str,
                expected_version: int | None = None) -> Case:
    text_check("reason", reason)
    case = case_locked(case, expected_version)
    _require(is_reporter(actor, case) or may_work(actor, case, "case.log"))
    window = timedelta(days=settings.CASE_REOPEN_DAYS)
    if case.status == Status.RESOLVED and case.resolved and timezone.now() - case.resolved > window:
        raise ImbizoError("reopen_window_passed",
                          _("A case can be reopened within %(days)s days of being resolved; "
                            "please report it again.") % {"days": settings.CASE_REOPEN_DAYS},
                          status=409)
    if not reason.strip():
        raise ImbizoError("reason_required", _("Say why the problem is not fixed."))
    now = timezone.now()
    case.ack_due, case.resolve_due = sla.deadlines(case.category, now)
    case.resolved, case.resolve_breached, case.escalation_level = None, False, 0
    sla_schedule(case)
    return case_move(actor, case, Status.REOPENED, text=reason.strip(),
                 fields=("ack_due", "resolve_due", "resolved", "resolve_breached",
                         "escalation_level"))


@transaction.atomic
def case_reject(*, actor: Actor, case: Case, reason: str, note: str = "",
                expected_version: int | None = None) -> Case:
    text_check("note", note)
    case = case_locked(case, expected_version)
    _require(may_work(actor, case) or may_work(actor, case, "case.log"))
    if reason not in REJECTION_REASONS:
        raise ImbizoError("invalid_reason", _("Reject for one of: %(reasons)s.")
                          % {"reasons": ", ".join(REJECTION_REASONS)})
    if case.status not in (Status.LOGGED, Status.ASSIGNED):
        raise ImbizoError("invalid_transition",
                          _("Only a new case can be rejected; this one is already %(now)s.")
                          % {"now": Status(case.status).label}, status=409)
    case.rejection_reason = reason
    text = str(REJECTION_REASONS[reason]) + (f" {note.strip()}" if note.strip() else "")
    return case_move(actor, case, Status.REJECTED, text=text, fields=("rejection_reason",))


@transaction.atomic
def case_cancel(*, actor: Actor, case: Case, note: str = "",
                expected_version: int | None = None) -> Case:
    """Withdrawn by the reporter (or an agent on the reporter's behalf)."""
    text_check("note", note)
    case = case_locked(case, expected_version)
    _require(is_reporter(actor, case) or may_work(actor, case, "case.log"))
    return case_move(actor, case, Status.CANCELLED, text=note.strip())


@transaction.atomic
def case_assign(*, actor: Actor, case: Case, department: Department | None = None,
                team: Team | None = None, assignee=None,
                expected_version: int | None = None) -> Case:
    """Send the case to another department, team or person."""
    case = case_locked(case, expected_version)
    _require(may_work(actor, case, "case.assign") or may_work(actor, case, "case.log"))
    department = department or (team.department if team else case.department)
    if department is None or department.municipality_id != case.municipality_id or (
            team is not None and team.department_id != department.pk):
        raise ImbizoError("invalid_assignment",
                          _("Choose a department (and team) of this municipality."))
    before = [case.department_id, case.team_id, case.assignee_id]
    case.department, case.team, case.assignee = department, team, assignee
    fields = ("department", "team", "assignee")
    CaseUpdate.objects.create(case=case, kind=CaseUpdate.Kind.ASSIGNMENT, actor=actor.label,
                              author=author_name(actor), text=str(department))
    if case.status == Status.LOGGED:
        return case_move(actor, case, Status.ASSIGNED, text=str(department), fields=fields)
    case.version += 1
    case.save(update_fields=["version", "updated", *fields])
    audit_record(actor=actor.label, channel=actor.channel, action="case.assign", obj=case,
                 municipality_code=case.municipality.code,
                 changes={"from": before, "to": [department.pk, getattr(team, "pk", None),
                                                 getattr(assignee, "pk", None)]})
    emit("case_assigned", municipality_id=case.municipality_id, case_id=case.pk,
         data=case_event_data(case))
    return case


@transaction.atomic
def case_comment(*, actor: Actor, case: Case, text: str, public: bool) -> CaseUpdate:
    """A public update residents hear about, or an internal note they never see."""
    text_check("text", text)
    case = case_locked(case, None)
    # Residents may add public words to their own case; staff write either kind.
    _require((public and is_reporter(actor, case)) or may_work(actor, case)
             or may_work(actor, case, "case.log"))
    if not text.strip():
        raise ImbizoError("text_required", _("Write something first."))
    kind = CaseUpdate.Kind.PUBLIC if public else CaseUpdate.Kind.INTERNAL
    update = CaseUpdate.objects.create(case=case, kind=kind, actor=actor.label,
                                       author=author_name(actor), text=text.strip())
    fields = ["updated"]
    if public and actor.kind == "staff" and case.acknowledged is None:
        case.acknowledged = timezone.now()
        fields.append("acknowledged")
    case.save(update_fields=fields)
    audit_record(actor=actor.label, channel=actor.channel, action=f"case.comment.{kind}",
                 obj=case, municipality_code=case.municipality.code, changes={"update": update.pk})
    if public:
        emit("case_commented", municipality_id=case.municipality_id, case_id=case.pk,
             update_id=update.pk, data=case_event_data(case))
    return update


@transaction.atomic
def case_rate(*, actor: Actor, case: Case, rating: int, comment: str = "") -> Case:
    """The resident's satisfaction, once the case is closed."""
    text_check("comment", comment)
    case = case_locked(case, None)
    _require(is_reporter(actor, case) or may_work(actor, case, "case.log"))
    if case.status != Status.CLOSED:
        raise ImbizoError("not_closed", _("You can rate a case once it is closed."), status=409)
    if case.rating is not None:
        raise ImbizoError("already_rated", _("%(ref)s has already been rated, %(n)s out of 5.")
                          % {"ref": case.reference, "n": case.rating}, status=409)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ImbizoError("invalid_rating", _("Give a rating from 1 to 5."))
    case.rating, case.feedback = rating, comment.strip()
    case.save(update_fields=["rating", "feedback", "updated"])
    audit_record(actor=actor.label, channel=actor.channel, action="case.rate", obj=case,
                 municipality_code=case.municipality.code, changes={"rating": rating})
    return case
