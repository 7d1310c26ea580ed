"""What residents are told about the cases they follow, rendered in their language.

Every function here runs under ``translation.override`` of the recipient's language
(``citizen_notify`` does it), so each template is translated when it is filled. Texts
written by staff (a note, a reason) come as they were written; every status change has a
sentence of its own as well, so no message is only a reference and a status label.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from imbizo.cases.models import Case, CaseUpdate, Status
from imbizo.cases.standard import category_name

SMS_TEXT_LIMIT = 120  # a staff note: with the sentence before it, about one 160-character SMS

LOGGED = _("Imbizo: we received your report %(ref)s (%(category)s). "
           "We will let you know at every step.")
CHANGED = _("Imbizo %(ref)s: %(status)s. %(say)s")
COMMENT = _("Imbizo %(ref)s: %(text)s")
MERGED = _("Imbizo: your report %(ref)s was joined to %(into)s, the same problem reported "
           "by others, which is being handled: %(status)s.")
RATE = _("How did we do? Rate it from 1 to 5: %(link)s")

# What a change means when staff wrote nothing with it...
SAY = {
    Status.LOGGED: _("We have received it."),
    Status.ASSIGNED: _("It has been passed to the department that deals with it."),
    Status.IN_PROGRESS: _("We have started work on it."),
    Status.ON_HOLD: _("It is on hold until we can go on with it."),
    Status.RESOLVED: _("It has been fixed."),
    Status.REOPENED: _("It has been reopened and will be looked at again."),
    Status.CLOSED: _("It is closed. Thank you for reporting it."),
    Status.REJECTED: _("It will not be taken further."),
    Status.CANCELLED: _("It has been cancelled."),
}
# ... and with what they wrote (an assignment's text is the department's name).
SAY_NOTE = {
    Status.LOGGED: _("We have received it: %(text)s"),
    Status.ASSIGNED: _("It has been passed to %(text)s."),
    Status.IN_PROGRESS: _("We have started work on it: %(text)s"),
    Status.ON_HOLD: _("It is on hold: %(text)s"),
    Status.RESOLVED: _("It has been fixed: %(text)s"),
    Status.REOPENED: _("It has been reopened: %(text)s"),
    Status.CLOSED: _("It is closed: %(text)s"),
    Status.REJECTED: _("It will not be taken further: %(text)s"),
    Status.CANCELLED: _("It has been cancelled: %(text)s"),
}


def short(text: str) -> str:
    """On one line, cut with "..." (a "…" is not in the GSM alphabet, and would make the
    whole SMS take UCS-2's 70 characters a part instead of 160)."""
    text = " ".join(text.split())
    return text if len(text) <= SMS_TEXT_LIMIT else text[:SMS_TEXT_LIMIT - 3] + "..."


def _sentence(text: str) -> str:
    return text if text[-1:] in ".!?" else text + "."


def _autoclose(link: str | None) -> str:
    days = settings.CASE_AUTOCLOSE_DAYS
    if link:
        return ngettext("It closes in %(days)s day unless you tell us it is not fixed: "
                        "%(link)s",
                        "It closes in %(days)s days unless you tell us it is not fixed: "
                        "%(link)s", days) % {"days": days, "link": link}
    return ngettext("It closes in %(days)s day unless the person who reported it says it "
                    "is not fixed.",
                    "It closes in %(days)s days unless the person who reported it says it "
                    "is not fixed.", days) % {"days": days}


def _say(update: CaseUpdate) -> str:
    note = short(update.text)
    status = update.to_status
    return _sentence(str(SAY_NOTE[status]) % {"text": note} if note else str(SAY[status]))


def _next_step(update: CaseUpdate, link: str | None) -> list[str]:
    """For the reporter, what they can do next on their feedback page (``link``): say a
    resolved case is not fixed, rate a closed one."""
    if update.to_status == Status.RESOLVED:
        return [_autoclose(link)]
    if update.to_status == Status.CLOSED and link:
        return [str(RATE) % {"link": link}]
    return []


def status_body(case: Case, update: CaseUpdate, link: str | None = None) -> str:
    """A status change: the label, what it means, and the reporter's next step."""
    changed = str(CHANGED) % {"ref": case.reference, "status": Status(update.to_status).label,
                              "say": _say(update)}
    return " ".join([changed, *_next_step(update, link)])


def body(case: Case, update: CaseUpdate | None, kind: str, link: str | None = None) -> str:
    if kind == "logged":
        return str(LOGGED) % {"ref": case.reference, "category": category_name(case.category.name)}
    if kind == "comment":
        return str(COMMENT) % {"ref": case.reference, "text": short(update.text)}
    if kind == "merged":
        into = case.merged_into
        return str(MERGED) % {"ref": case.reference, "into": into.reference,
                              "status": Status(into.status).label}
    return status_body(case, update, link)


def template_text(case: Case, update: CaseUpdate | None, kind: str,
                  link: str | None = None) -> str:
    """The sentence a WhatsApp template carries after the case's reference (its second
    parameter, docs/channels.md): the news of ``body`` without the reference before it."""
    if kind == "logged":
        return str(SAY[Status.LOGGED])
    if kind == "comment":
        return short(update.text)
    if kind == "merged":
        return body(case, update, kind)
    return " ".join([f"{Status(update.to_status).label}. {_say(update)}",
                     *_next_step(update, link)])
