"""A resident hears what their councillor did with what they raised: acknowledged,
answered (the answer itself), referred to the municipality (the case's reference) and
closed; the councillor hears of each new matter in their ward, and again, with the
municipality's managers, when one was not acknowledged in time (docs/matters.md).

Subscribers only enqueue a task; the task writes the message through the outbox. The
resident's goes through ``citizen_notify`` (with the same text as the parameter of the
``matter_update`` WhatsApp template, when one is set): on the channel they raised it on if it
reaches them (else their first channel that does, never one they opted out of), in their
language, and after the quiet hours (20:00 to 07:00) as the billing notices do. Staff
are e-mailed, as for escalations. One message per change and person (``dedupe_key``),
however often an event is relayed or a task run.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Consent, Role
from imbizo.core.events import subscribe
from imbizo.matters.models import Kind, Matter, MatterUpdate, Status
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.services import citizen_notify, message_queue

from .billing import quiet_until

ACKNOWLEDGED = _("Imbizo %(ref)s: your ward councillor has read what you raised and will "
                 "answer you.")
ANSWERED = _("Imbizo %(ref)s: your ward councillor answered: %(text)s")
REFERRED = _("Imbizo %(ref)s: your ward councillor passed it to the municipality as case "
             "%(case)s. You will hear from us as it is worked on.")
CLOSED = _("Imbizo %(ref)s: your ward councillor has closed it. Thank you for raising it.")
CLOSED_NOTE = _("Imbizo %(ref)s: your ward councillor has closed it: %(text)s")
NOTE = _("Councillor's note: %(text)s")

RAISED_STAFF = _("Imbizo: a resident of ward %(ward)s raised %(kind)s %(ref)s: "
                 "\"%(title)s\". Please acknowledge it by %(due)s: %(link)s")
OVERDUE_STAFF = _("Imbizo: %(ref)s (%(kind)s, ward %(ward)s) was not acknowledged by "
                  "%(due)s. Please acknowledge and answer it: %(link)s")


def resident_text(matter: Matter, update: MatterUpdate) -> str:
    """What the resident is told of one change, in the active language."""
    params = {"ref": matter.reference, "text": update.text}
    if update.to_status == Status.ACKNOWLEDGED:
        return str(ACKNOWLEDGED) % params
    if update.to_status == Status.ANSWERED:
        return str(ANSWERED) % params
    if update.to_status == Status.CLOSED:
        return str(CLOSED_NOTE if update.text else CLOSED) % params
    text = str(REFERRED) % {**params, "case": matter.case.reference if matter.case_id else "-"}
    return f"{text} {NOTE % params}" if update.text else text


def _by_resident(update: MatterUpdate, matter: Matter) -> bool:
    """The resident's own step (a withdrawal): they know, nobody tells them."""
    label = f"citizen:{matter.citizen.uuid}"
    return update.actor == label or update.actor.endswith(f" for {label}")


@task()
def notify_resident(matter_id: int, update_id: int) -> int:
    """Queue the resident's message about one change of their matter; 1 if queued now."""
    matter = Matter.objects.select_related("citizen", "case", "municipality") \
        .defer("municipality__boundary").get(pk=matter_id)
    update = MatterUpdate.objects.get(pk=update_id, matter=matter)
    key = f"matter:{matter.uuid}:update:{update.pk}"
    if matter.citizen is None or update.kind != MatterUpdate.Kind.STATUS \
            or update.to_status == Status.RECEIVED or _by_resident(update, matter) \
            or OutboundMessage.objects.filter(dedupe_key=key).exists():
        return 0
    language = matter.citizen.language
    with translation.override(language):
        text = resident_text(matter, update)
    name = settings.WHATSAPP_TEMPLATES.get("matter_update")
    template = {"name": name, "language": language,
                "params": [matter.reference, text]} if name else None
    sent = citizen_notify(citizen=matter.citizen, purpose=Consent.Purpose.SERVICE,
                          text_for_language=text, municipality=matter.municipality,
                          dedupe_key=key, template=template, prefer=matter.channel)
    return int(sent is not None)


def staff_to_tell(matter: Matter, what: str):
    """The councillors of the matter's ward; when it is overdue, also the municipality's
    managers (those of the whole municipality, not of one department)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    councillors = users.filter(memberships__role=Role.COUNCILLOR, memberships__active=True,
                               memberships__ward_id=matter.ward_id)
    if what != "overdue":
        return councillors.distinct()
    managers = users.filter(memberships__role=Role.MANAGER, memberships__active=True,
                            memberships__municipality_id=matter.municipality_id,
                            memberships__department__isnull=True)
    return (councillors | managers).distinct()


@task()
def notify_councillor(matter_id: int, what: str) -> int:
    """E-mail the staff to tell of a new matter ("raised") or a missed acknowledgement
    ("overdue"), once each; returns how many were written now."""
    matter = Matter.objects.select_related("ward", "municipality") \
        .defer("ward__boundary", "municipality__boundary").get(pk=matter_id)
    body = str(RAISED_STAFF if what == "raised" else OVERDUE_STAFF) % {
        "ward": matter.ward.number, "kind": str(Kind(matter.kind).label).lower(),
        "ref": matter.reference, "title": matter.title,
        "due": f"{timezone.localtime(matter.ack_due):%Y-%m-%d %H:%M}",
        "link": settings.SITE_URL + reverse("console:matter", args=[matter.reference])}
    written = 0
    for user in staff_to_tell(matter, what):
        key = f"matter:{matter.uuid}:{what}:user:{user.pk}"
        if OutboundMessage.objects.filter(dedupe_key=key).exists():
            continue
        message_queue(to=user.email, channel="email", body=body, purpose="service",
                      municipality=matter.municipality, dedupe_key=key)
        written += 1
    return written


@subscribe("matter_raised")
def on_matter_raised(*, matter_id: int, **_payload) -> None:
    notify_councillor.enqueue(matter_id, "raised")


@subscribe("matter_ack_overdue")
def on_matter_ack_overdue(*, matter_id: int, **_payload) -> None:
    notify_councillor.enqueue(matter_id, "overdue")


@subscribe("matter_status_changed")
def on_matter_status_changed(*, matter_id: int, update_id: int, **_payload) -> None:
    later = quiet_until(timezone.now())
    (notify_resident.using(run_after=later) if later else notify_resident).enqueue(
        matter_id, update_id)
