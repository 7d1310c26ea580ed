"""The transitions a case page offers: each with its form, when the actor's role and
the case's status allow it (the same checks the lifecycle services make, so a button is
never shown that would only be refused), and the service it calls."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from imbizo.cases import lifecycle
from imbizo.cases.models import Case, Status
from imbizo.cases.transitions import TRANSITIONS, may_work
from imbizo.core.permissions import Actor, allows

from .forms import NoteForm, ReasonForm, RejectForm, RequiredNoteForm


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    form: type
    allowed: Callable[[Actor, Case], bool]
    perform: Callable[[Actor, Case, dict], Case]


def _can(to: str) -> Callable[[Case], bool]:
    return lambda case: to in TRANSITIONS.get(case.status, ())


def _work(actor: Actor, case: Case) -> bool:
    return may_work(actor, case)


def _log(actor: Actor, case: Case) -> bool:
    return may_work(actor, case, "case.log")


TRANSITIONS_OFFERED = [
    Transition("start", _("Start work"), NoteForm,
               lambda a, c: c.status != Status.ON_HOLD and _can(Status.IN_PROGRESS)(c)
               and _work(a, c),
               lambda a, c, d: lifecycle.case_start(actor=a, case=c, note=d["note"],
                                                    expected_version=d["expected_version"])),
    Transition("resume", _("Resume"), NoteForm,
               lambda a, c: c.status == Status.ON_HOLD and _work(a, c),
               lambda a, c, d: lifecycle.case_resume(actor=a, case=c, note=d["note"],
                                                     expected_version=d["expected_version"])),
    Transition("hold", _("Put on hold"), ReasonForm,
               lambda a, c: _can(Status.ON_HOLD)(c) and _work(a, c),
               lambda a, c, d: lifecycle.case_hold(actor=a, case=c, reason=d["reason"],
                                                   expected_version=d["expected_version"])),
    Transition("resolve", _("Resolve"), RequiredNoteForm,
               lambda a, c: _can(Status.RESOLVED)(c) and _work(a, c),
               lambda a, c, d: lifecycle.case_resolve(actor=a, case=c, note=d["note"],
                                                      expected_version=d["expected_version"])),
    Transition("close", _("Close"), NoteForm,
               lambda a, c: c.status == Status.RESOLVED and may_work(a, c, "case.assign"),
               lambda a, c, d: lifecycle.case_close(actor=a, case=c,
                                                    expected_version=d["expected_version"])),
    Transition("reopen", _("Reopen"), ReasonForm,
               lambda a, c: _can(Status.REOPENED)(c) and _log(a, c),
               lambda a, c, d: lifecycle.case_reopen(actor=a, case=c, reason=d["reason"],
                                                     expected_version=d["expected_version"])),
    Transition("reject", _("Reject"), RejectForm,
               lambda a, c: _can(Status.REJECTED)(c) and (_work(a, c) or _log(a, c)),
               lambda a, c, d: lifecycle.case_reject(actor=a, case=c, reason=d["reason"],
                                                     note=d["note"],
                                                     expected_version=d["expected_version"])),
    Transition("cancel", _("Cancel the case"), NoteForm,
               lambda a, c: _can(Status.CANCELLED)(c) and _log(a, c),
               lambda a, c, d: lifecycle.case_cancel(actor=a, case=c, note=d["note"],
                                                     expected_version=d["expected_version"])),
]
BY_NAME = {t.name: t for t in TRANSITIONS_OFFERED}


def offered(actor: Actor, case: Case) -> list[Transition]:
    return [t for t in TRANSITIONS_OFFERED if t.allowed(actor, case)]


@dataclass(frozen=True)
class Powers:
    """What else the actor may do on this case page."""

    see_internal: bool  # internal notes and work-order history: case.work only
    comment_public: bool
    comment_internal: bool
    assign: bool
    work_orders: bool
    merge: bool
    see_reporter: bool


def powers(actor: Actor, case: Case) -> Powers:
    work, log = _work(actor, case), _log(actor, case)
    return Powers(
        see_internal=work, comment_public=work or log, comment_internal=work,
        assign=may_work(actor, case, "case.assign") or log,
        work_orders=work, merge=work or may_work(actor, case, "case.assign"),
        see_reporter=allows(actor, "citizen.view", municipality_id=case.municipality_id,
                            department_id=case.department_id, ward_id=case.ward_id),
    )
