"""A matter's life, each step a service: checked, recorded, audited and announced.

received → acknowledged → answered (again, as often as the councillor writes) → closed;
from any open status the councillor may refer it to a department, which logs a case
through ``cases.services.case_log`` in the resident's name, and may close it; the
resident may close (withdraw) their own. The first step the councillor takes counts as
the acknowledgement.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.cases.services import Location, case_log
from imbizo.cases.transitions import ActingFor, author_name
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor

from .access import may_answer, require_answer, require_answer_or_owner
from .limits import ANSWER_MAX_LENGTH, NOTE_MAX_LENGTH, words_check
from .models import Matter, MatterUpdate, Status

S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.ANSWERED, S.REFERRED, S.CLOSED}),
    S.ACKNOWLEDGED: frozenset({S.ANSWERED, S.REFERRED, S.CLOSED}),
    S.ANSWERED: frozenset({S.ANSWERED, S.REFERRED, S.CLOSED}),
    S.REFERRED: frozenset({S.ANSWERED, S.CLOSED}),
}


def matter_locked(matter: Matter) -> Matter:
    """The current row, locked against a second councillor acting at once."""
    return Matter.objects.select_for_update(of=("self",)).select_related(
        "municipality", "ward", "citizen", "case").get(pk=matter.pk)


def _check(matter: Matter, to: str) -> None:
    if to not in TRANSITIONS.get(matter.status, ()):
        raise ImbizoError("invalid_transition",
                          _("%(ref)s is %(now)s: it cannot be %(to)s now.")
                          % {"ref": matter.reference, "now": Status(matter.status).label,
                             "to": Status(to).label.lower()}, status=409)


def _move(actor: Actor, matter: Matter, to: str, *, text: str = "",
          fields: tuple[str, ...] = ()) -> Matter:
    """Apply one transition already checked for permission; record, announce, audit."""
    _check(matter, to)
    before = matter.status
    if matter.acknowledged is None and may_answer(actor, matter):
        matter.acknowledged = timezone.now()
        fields += ("acknowledged",)
    matter.status = to
    matter.save(update_fields=["status", "updated", *fields])
    update = MatterUpdate.objects.create(matter=matter, actor=actor.label,
                                         author=author_name(actor), from_status=before,
                                         to_status=to, text=text)
    emit("matter_status_changed", municipality_id=matter.municipality_id,
         matter_id=matter.pk, update_id=update.pk, from_status=before, status=to)
    audit_record(actor=actor.label, channel=actor.channel, action=f"matter.{to}", obj=matter,
                 municipality_code=matter.municipality.code,
                 changes={"status": [before, to], "fields": list(fields)})
    return matter


@transaction.atomic
def matter_acknowledge(*, actor: Actor, matter: Matter) -> Matter:
    matter = matter_locked(matter)
    require_answer(actor, matter)
    return _move(actor, matter, Status.ACKNOWLEDGED)


@transaction.atomic
def matter_answer(*, actor: Actor, matter: Matter, text: str) -> Matter:
    """The councillor's public answer: the resident is told it, and so are neighbours
    when the matter is public."""
    text = words_check("answer", text, ANSWER_MAX_LENGTH,
                       missing=_("Write the answer the resident will read."))
    matter = matter_locked(matter)
    require_answer(actor, matter)
    matter.answer, matter.answered = text, timezone.now()
    return _move(actor, matter, Status.ANSWERED, text=text, fields=("answer", "answered"))


@transaction.atomic
def matter_refer(*, actor: Actor, matter: Matter, category: str, note: str = "") -> Matter:
    """Pass the matter to a department as a case of ``category`` (a code), logged with
    ``case_log`` in the resident's name (they follow it and hear of every step), where
    the matter is and as public as it is. The resident is told the case's reference."""
    note = words_check("note", note, NOTE_MAX_LENGTH)
    matter = matter_locked(matter)
    require_answer(actor, matter)
    _check(matter, Status.REFERRED)
    if matter.case_id:
        raise ImbizoError("already_referred", _("%(ref)s was already referred as %(case)s.")
                          % {"ref": matter.reference, "case": matter.case.reference}, status=409)
    on_behalf = ActingFor(kind="citizen", channel=matter.channel, citizen=matter.citizen,
                          via=actor) if matter.citizen is not None else \
        Actor(kind="system", channel=matter.channel)
    matter.case = case_log(actor=on_behalf, category=category, description=matter.text,
                           municipality=matter.municipality,
                           location=Location(ward=matter.ward), public=matter.public)
    return _move(actor, matter, Status.REFERRED, text=note, fields=("case",))


@transaction.atomic
def matter_close(*, actor: Actor, matter: Matter, note: str = "") -> Matter:
    """Closed by the councillor (with an optional word to the resident), or withdrawn by
    the resident who raised it."""
    note = words_check("note", note, NOTE_MAX_LENGTH)
    matter = matter_locked(matter)
    require_answer_or_owner(actor, matter)
    matter.closed = timezone.now()
    return _move(actor, matter, Status.CLOSED, text=note, fields=("closed",))
