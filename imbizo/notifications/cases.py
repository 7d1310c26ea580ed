"""Residents hear about every public change of the cases they follow; staff hear of
escalations. Subscribers only enqueue a task: the messages are written by the worker."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.core.events import subscribe
from imbizo.messaging.services import citizen_notify, message_queue

from imbizo.cases.models import Case, CaseUpdate, Status

SMS_TEXT_LIMIT = 120  # leaves room for the reference and status in one 160-character SMS

LOGGED = _("Imbizo: we received your report %(ref)s (%(category)s). "
           "We will let you know at every step.")
CHANGED = _("Imbizo %(ref)s: %(status)s. %(text)s")
COMMENT = _("Imbizo %(ref)s: %(text)s")
ESCALATED = _("Imbizo escalation: %(ref)s (%(category)s, ward %(ward)s) is past its service "
              "level: %(what)s.")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SMS_TEXT_LIMIT else text[:SMS_TEXT_LIMIT - 1] + "…"


@task()
def notify_followers(case_id: int, update_id: int | None, kind: str) -> int:
    """Queue one message per follower (and to an anonymous reporter's number)."""
    case = Case.objects.select_related("category", "municipality").get(pk=case_id)
    update = CaseUpdate.objects.filter(pk=update_id).first() if update_id else None
    params = {"ref": case.reference, "category": case.category.name,
              "status": Status(case.status).label, "text": _short(update.text) if update else ""}
    template = {"logged": LOGGED, "status": CHANGED, "comment": COMMENT}[kind]
    key = f"case:{case.uuid}:{kind}:{update_id or 0}"
    sent = 0
    for subscription in case.subscriptions.select_related("citizen"):
        message = citizen_notify(citizen=subscription.citizen, purpose="service",
                                 text_for_language=template, params=params,
                                 municipality=case.municipality,
                                 dedupe_key=f"{key}:citizen:{subscription.citizen_id}")
        sent += message is not None
    if case.reporter_id is None and case.contact_phone:
        message_queue(to=case.contact_phone, channel="sms", body=str(template) % params,
                      purpose="service", municipality=case.municipality,
                      dedupe_key=f"{key}:contact")
        sent += 1
    return sent


@task()
def notify_staff(case_id: int, user_ids: list[int], what: str) -> int:
    case = Case.objects.select_related("category", "municipality", "ward").get(pk=case_id)
    body = str(ESCALATED) % {"ref": case.reference, "category": case.category.name,
                             "ward": case.ward.number if case.ward else "-", "what": what}
    users = get_user_model().objects.filter(pk__in=user_ids).exclude(email="")
    for user in users:
        message_queue(to=user.email, channel="email", body=body, purpose="service",
                      municipality=case.municipality,
                      dedupe_key=f"case:{case.uuid}:sla:{what}:user:{user.pk}")
    return len(users)


@subscribe("case_logged")
def on_case_logged(*, case_id: int, followers: bool, **_payload) -> None:
    if followers:  # an integrator's case with no one to tell needs no task
        notify_followers.enqueue(case_id, None, "logged")


@subscribe("case_status_changed")
def on_status_changed(*, case_id: int, update_id: int, **_payload) -> None:
    notify_followers.enqueue(case_id, update_id, "status")


@subscribe("case_commented")
def on_commented(*, case_id: int, update_id: int, **_payload) -> None:
    notify_followers.enqueue(case_id, update_id, "comment")


@subscribe("case_sla")
def on_sla(*, case_id: int, what: str, user_ids: list[int], **_payload) -> None:
    if user_ids:
        notify_staff.enqueue(case_id, user_ids, what)
