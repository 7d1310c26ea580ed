"""A resident's answer to a meeting: yes, no or maybe, one per resident, changeable until
the meeting starts; the same function on every channel. A meeting that has started, is
over or was cancelled takes no answer, and says so."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen, Consent
from imbizo.accounts.phone import normalise_phone
from imbizo.accounts.services import citizen_register, consent_give
from imbizo.audit.services import audit_record
from imbizo.cases.transitions import ActingFor
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor, allows

from .meeting_models import Meeting, Rsvp

ACT_FOR = "case.log"  # who acts for residents on the API, as for their steps on cases


def meeting_open_check(meeting: Meeting) -> None:
    """Refuse an answer to a cancelled meeting, or one that has started or is over."""
    now = timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        raise ImbizoError("meeting_cancelled", _("This meeting was cancelled."), status=409)
    if meeting.ends <= now:
        raise ImbizoError("meeting_over", _("This meeting is over: answers are closed."),
                          status=409)
    if meeting.starts <= now:
        raise ImbizoError("meeting_started", _("This meeting has started: answers are "
                                               "closed."), status=409)


def rsvp_give(*, actor: Actor, meeting: Meeting, answer: str) -> Rsvp:
    """The resident's answer (a new one replaces theirs), on the actor's channel."""
    if actor.kind != "citizen" or actor.citizen is None:
        raise PermissionDenied(_("Only a resident can answer for themselves."))
    if answer not in Rsvp.Answer.values:
        raise ImbizoError("invalid_answer", _("Answer yes, no or maybe."), field="answer")
    citizen, channel = actor.citizen, actor.channel[:10]
    with transaction.atomic():
        current = Meeting.objects.select_related("municipality").only(
            "status", "starts", "ends", "municipality__code").get(pk=meeting.pk)
        meeting_open_check(current)
        rsvp = Rsvp.objects.select_for_update().filter(meeting=meeting, citizen=citizen).first()
        before = rsvp.answer if rsvp else None
        if rsvp is None:
            try:
                with transaction.atomic():
                    rsvp = Rsvp.objects.create(meeting=meeting, citizen=citizen, answer=answer,
                                               channel=channel)
            except IntegrityError:  # the same resident answered at the same moment
                rsvp = Rsvp.objects.select_for_update().get(meeting=meeting, citizen=citizen)
        if rsvp.answer != answer or rsvp.channel != channel:
            rsvp.answer, rsvp.channel = answer, channel
            rsvp.save(update_fields=["answer", "channel", "updated"])
        audit_record(actor=actor.label, channel=actor.channel, action="community.rsvp",
                     obj=meeting, municipality_code=current.municipality.code,
                     changes={"answer": answer, "before": before})
    return rsvp


def rsvp_resident(*, actor: Actor, meeting: Meeting, phone: str = "") -> Actor:
    """The resident an integrator's key or a staff member answers for, named by phone, as
    a case's resident steps are (``cases.transitions.resident_for``): the caller must be
    able to act for residents (``case.log``) where the meeting is. A number new to Imbizo
    registers its resident, of the meeting's municipality, who consents to messages about
    their answer through the caller's channel."""
    if actor.kind == "citizen":
        return actor
    if not allows(actor, ACT_FOR, municipality_id=meeting.municipality_id):
        raise PermissionDenied(_("You may not answer for residents of this municipality."))
    if not (phone or "").strip():
        raise ImbizoError("phone_required", _("Give the phone number of the resident you "
                                              "answer for."), field="phone")
    e164 = normalise_phone(phone)
    citizen = Citizen.objects.filter(phone=e164, erased__isnull=True).first()
    if citizen is not None:
        return ActingFor(kind="citizen", channel=actor.channel, citizen=citizen, via=actor)
    with transaction.atomic():
        citizen = citizen_register(actor=actor, phone=e164, municipality=meeting.municipality)
        resident = ActingFor(kind="citizen", channel=actor.channel, citizen=citizen, via=actor)
        consent_give(actor=resident, citizen=citizen, purpose=Consent.Purpose.SERVICE)
    return resident
