"""Residents hear about every public change of the cases they follow; staff hear of
escalations. Subscribers only enqueue a task: the messages are written by the worker."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Citizen
from imbizo.cases.models import Case, CaseUpdate, Status
from imbizo.core.events import subscribe
from imbizo.messaging.services import citizen_notify, message_queue

from . import texts
from .links import feedback_url

ESCALATED = _("Imbizo escalation: %(ref)s (%(category)s, ward %(ward)s) is past its service "
              "level: %(what)s.")


@dataclass(frozen=True)
class Recipient:
    citizen: Citizen | None  # None: a number left with a report by someone with no account
    phone: str
    reporter: bool  # may reopen and rate the case, so is sent the feedback link
    key: str  # its part of each message's dedupe key


def _merged_contacts(case: Case) -> list[tuple[int, str]]:
    """(case id, number) of reports merged into ``case``, at any remove, whose reporter
    left only a number: a merge moves subscribers, and these have none to move."""
    found, frontier = [], [case.pk]
    while frontier:
        rows = list(Case.objects.filter(merged_into__in=frontier)
                    .values_list("pk", "reporter_id", "contact_phone"))
        found += [(pk, phone) for pk, reporter, phone in rows if reporter is None and phone]
        frontier = [pk for pk, _reporter, _phone in rows]
    return found


def case_followers(case: Case) -> list[Recipient]:
    """Everyone who hears about ``case``: its subscribers (a merge made the duplicates'
    followers subscribers too), the number left with it by a reporter with no account,
    and the numbers left with reports merged into it. One recipient per number."""
    recipients: list[Recipient] = []
    phones: set[str] = set()
    for subscription in case.subscriptions.select_related("citizen"):
        citizen = subscription.citizen
        reporter = citizen.pk == case.reporter_id or bool(
            citizen.phone and citizen.phone == case.contact_phone)
        recipients.append(Recipient(citizen, citizen.phone or "", reporter,
                                    f"citizen:{citizen.pk}"))
        phones.add(citizen.phone)
    contacts = [(None, case.contact_phone)] if case.reporter_id is None and case.contact_phone \
        else []
    for merged_id, phone in contacts + _merged_contacts(case):
        if phone not in phones:
            phones.add(phone)
            recipients.append(Recipient(None, phone, merged_id is None,
                                        f"contact:{merged_id}" if merged_id else "contact"))
    return recipients


def _worth_telling(case: Case, update: CaseUpdate | None, kind: str) -> bool:
    if kind == "logged":
        return True
    if kind == "merged":
        return case.merged_into_id is not None
    if update is None or not update.public:
        return False
    if kind == "comment":
        return bool(update.text.strip())  # a resident's words erased since are not sent
    # A merge's own step (rejected or cancelled as a duplicate) is told as "merged".
    return not (case.merged_into_id and update.to_status in (Status.REJECTED, Status.CANCELLED))


def _link(case: Case, update: CaseUpdate | None, recipient: Recipient) -> str | None:
    """The feedback page, for the reporter of a case resolved (to say it is not fixed)
    or closed (to rate it)."""
    if not recipient.reporter or update is None or update.kind != CaseUpdate.Kind.STATUS \
            or update.to_status not in (Status.RESOLVED, Status.CLOSED):
        return None
    return feedback_url(case, recipient.citizen)


@task()
def notify_followers(case_id: int, update_id: int | None, kind: str) -> int:
    """Queue one message per follower, in their language; ``kind`` is "logged",
    "status", "comment" or "merged" (the case was joined to another)."""
    case = Case.objects.select_related("category", "municipality", "merged_into").get(
        pk=case_id)
    update = CaseUpdate.objects.filter(pk=update_id).first() if update_id else None
    if not _worth_telling(case, update, kind):
        return 0
    key = f"case:{case.uuid}:{kind}:{update_id or 0}"
    sent = 0
    for recipient in case_followers(case):
        render = partial(texts.body, case, update, kind, _link(case, update, recipient))
        if recipient.citizen is not None:
            message = citizen_notify(citizen=recipient.citizen, purpose="service",
                                     text_for_language=render, municipality=case.municipality,
                                     dedupe_key=f"{key}:{recipient.key}")
        else:
            with translation.override(settings.LANGUAGE_CODE):
                body = render()
            message = message_queue(to=recipient.phone, channel="sms", body=body,
                                    purpose="service", municipality=case.municipality,
                                    dedupe_key=f"{key}:{recipient.key}")
        sent += message is not None
    return sent


@task()
def notify_staff(case_id: int, user_ids: list[int], what: str, event: str = "") -> int:
    """E-mail the staff an SLA event names, once per event and person: each rung of the
    ladder, and each escalation after a reopen, is an event of its own."""
    case = Case.objects.select_related("category", "municipality", "ward").get(pk=case_id)
    body = str(ESCALATED) % {"ref": case.reference, "category": case.category.name,
                             "ward": case.ward.number if case.ward else "-", "what": what}
    users = get_user_model().objects.filter(pk__in=user_ids).exclude(email="")
    for user in users:
        message_queue(to=user.email, channel="email", body=body, purpose="service",
                      municipality=case.municipality,
                      dedupe_key=f"case:{case.uuid}:sla:{what}:{event}:user:{user.pk}")
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


@subscribe("case_merged")
def on_merged(*, merged_id: int, **_payload) -> None:
    """The duplicate's followers are told which case theirs was joined to."""
    notify_followers.enqueue(merged_id, None, "merged")


@subscribe("case_sla")
def on_sla(*, case_id: int, what: str, user_ids: list[int], event_id, **_payload) -> None:
    if user_ids:
        notify_staff.enqueue(case_id, user_ids, what, str(event_id))
