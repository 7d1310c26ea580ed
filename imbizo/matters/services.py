"""Raising a matter with the ward councillor: the one function every channel calls.

A resident raises an issue or a suggestion on USSD, WhatsApp, the site or through a key
that acts for them; it gets its reference at once, a target time for the councillor to
acknowledge it (working days, cases/calendar.py), and a task that marks it overdue then
if nobody has (deadline.py).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_chain_hold, audit_record
from imbizo.cases.transitions import author_name
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor
from imbizo.geo.models import Ward

from .deadline import ack_check_schedule, ack_due_from
from .limits import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, title_from, words_check
from .models import Kind, Matter, MatterUpdate, Status
from .reference import matter_reference_issue


def _kind(kind: str) -> str:
    if kind not in Kind.values:
        raise ImbizoError("invalid_kind", _("Say whether it is an issue or a suggestion."),
                          field="kind")
    return kind


def _replayed(key: str) -> Matter | None:
    matter = Matter.objects.filter(idempotency_key=key).select_related("ward").first()
    if matter is not None:
        matter.replayed = True
    return matter


def matter_raise(*, actor: Actor, kind: str, ward: Ward, text: str, title: str = "",
                 public: bool | None = None, idempotency_key: str | None = None) -> Matter:
    """Raise a matter as the resident ``actor`` (signed in, on a phone channel, or acted
    for by a key or staff member). ``public`` defaults to True for a suggestion (so that
    neighbours can support it) and False for an issue. Raises ImbizoError, writing
    nothing, on bad input; a retry with the same ``idempotency_key`` returns the first
    matter, marked ``replayed``."""
    if actor.kind != "citizen":
        raise PermissionDenied(_("Only a resident raises a matter with their councillor."))
    kind = _kind(kind)
    text = words_check("text", text, TEXT_MAX_LENGTH,
                       missing=_("Please write what you want to raise with your councillor."))
    title = words_check("title", title, TITLE_MAX_LENGTH) or title_from(text)
    key = f"{actor.label}:{idempotency_key}"[:200] if idempotency_key else None
    if key and (existing := _replayed(key)):
        return existing
    try:
        return _write(actor, kind, ward, text, title,
                      kind == Kind.SUGGESTION if public is None else bool(public), key)
    except IntegrityError:
        if key and (existing := _replayed(key)):  # two retries of one request raced
            return existing
        raise


@transaction.atomic
def _write(actor: Actor, kind: str, ward: Ward, text: str, title: str, public: bool,
           key: str | None) -> Matter:
    # The audit chain first, then the month's counter: every raise takes them in this
    # order, also when a resident was registered (audited) earlier in the transaction.
    audit_chain_hold()
    now = timezone.now()
    via = getattr(actor, "via", None)
    matter = Matter.objects.create(
        municipality_id=ward.municipality_id, ward=ward, citizen=actor.citizen, kind=kind,
        title=title, text=text, public=public, channel=actor.channel,
        raised_via=via.label if via is not None else "", ack_due=ack_due_from(now),
        reference=matter_reference_issue(ward.municipality, now), idempotency_key=key)
    MatterUpdate.objects.create(matter=matter, actor=actor.label, author=author_name(actor),
                                to_status=Status.RECEIVED)
    ack_check_schedule(matter)
    emit("matter_raised", municipality_id=matter.municipality_id, matter_id=matter.pk,
         ward_id=ward.pk, kind=kind)
    audit_record(actor=actor.label, channel=actor.channel, action="matter.raise", obj=matter,
                 municipality_code=ward.municipality.code,
                 changes={"reference": matter.reference, "kind": kind, "ward": ward.code,
                          "public": public})
    return matter
