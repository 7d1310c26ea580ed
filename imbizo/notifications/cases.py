"""Residents hear about every public change of the cases they follow; staff hear of
escalations. Subscribers only enqueue a task: the messages are written by the worker.

A case may have ten thousand followers: their channels are read in two queries, each
text is rendered once per language, and the messages are written in batches
(``messaging.queue_many.messages_queue_many``), so the cost does not grow per follower."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from imbizo.accounts.models import Citizen
from imbizo.cases.models import Case, CaseUpdate, Status
from imbizo.core.events import subscribe
from imbizo.messaging.models import Channel
from imbizo.messaging.queue_many import Draft, messages_queue_many
from imbizo.messaging.reach import AddressBook, address_book
from imbizo.messaging.services import message_queue

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


class Renderer:
    """Each text once per language (and per feedback link: only reporters get one)."""

    def __init__(self, case: Case, update: CaseUpdate | None, kind: str) -> None:
        self.case, self.update, self.kind = case, update, kind
        self.template = settings.WHATSAPP_TEMPLATES.get("case_update")
        self.done: dict[tuple[str, str | None], tuple[str, dict | None]] = {}

    def __call__(self, language: str, link: str | None) -> tuple[str, dict | None]:
        """The body and, for WhatsApp outside its 24-hour window, the template."""
        if (language, link) not in self.done:
            args = (self.case, self.update, self.kind, link)
            with translation.override(language):
                body = texts.body(*args)
                template = {"name": self.template, "language": language,
                            "params": [self.case.reference, texts.template_text(*args)]} \
                    if self.template else None
            self.done[language, link] = (body, template)
        return self.done[language, link]


def _reach(recipient: Recipient, book: AddressBook) -> tuple[str, str, str] | None:
    """(channel, address, language) of a follower: a resident's first channel that
    reaches them; a number left without an account, by SMS unless it said STOP."""
    if recipient.citizen is None:
        if not book.allows(Channel.SMS, recipient.phone):
            return None
        return Channel.SMS, recipient.phone, settings.LANGUAGE_CODE
    if recipient.citizen.erased:
        return None
    reaches = book.reaches(recipient.citizen)
    return (*reaches[0], recipient.citizen.language) if reaches else None


@task()
def notify_followers(case_id: int, update_id: int | None, kind: str) -> int:
    """Queue one message per follower, in their language, on their channel; ``kind`` is
    "logged", "status", "comment" or "merged" (the case was joined to another). Returns
    how many were queued: none when run again."""
    case = Case.objects.select_related("category", "municipality", "merged_into").get(
        pk=case_id)
    update = CaseUpdate.objects.filter(pk=update_id).first() if update_id else None
    if not _worth_telling(case, update, kind):
        return 0
    key = f"case:{case.uuid}:{kind}:{update_id or 0}"
    followers = case_followers(case)
    book = address_book(Citizen.objects.filter(case_subscriptions__case=case),
                        phones=[r.phone for r in followers if r.citizen is None])
    render = Renderer(case, update, kind)
    drafts = []
    for recipient in followers:
        if (reach := _reach(recipient, book)) is None:
            continue
        channel, to, language = reach
        body, template = render(language, _link(case, update, recipient))
        drafts.append(Draft(to=to, channel=channel, body=body, language=language,
                            dedupe_key=f"{key}:{recipient.key}", template=template,
                            citizen_id=recipient.citizen.pk if recipient.citizen else None))
    return messages_queue_many(drafts=drafts, purpose="service", municipality=case.municipality)


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
