"""The reporter's feedback link, sent with a case's resolution and its closing: on that
page (``imbizo/web/rating.py``, ``/r/<token>``) they say a resolved case is not fixed, or
rate a closed one.

The link is the proof that its holder reported the case: it is signed
(``django.core.signing``, with a salt of its own) and names the case and the resident it
was sent to. A reporter known only by the number left with the report has no resident
id: the number goes into the salt instead of the link, so it never shows in a URL and the
link stops working if the case's number is changed or erased. Links do not expire: what
may still be done (rate once, reopen within the window) is the services' to decide.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from imbizo.accounts.models import Citizen
from imbizo.cases.models import Case

SALT = "imbizo.notifications.feedback"


def _signer(phone: str = "") -> signing.Signer:
    return signing.Signer(salt=f"{SALT}:{phone}")


def feedback_token(case: Case, citizen: Citizen | None = None) -> str:
    """For the reporter ``citizen``, or without one for the number left with the case."""
    if citizen is not None:
        return _signer().sign(f"{case.pk}.{citizen.pk}")
    return _signer(case.contact_phone).sign(str(case.pk))


def feedback_url(case: Case, citizen: Citizen | None = None) -> str:
    return settings.SITE_URL + reverse("case_feedback", args=[feedback_token(case, citizen)])


@dataclass(frozen=True)
class Feedback:
    """Whose link it is: a resident, or (``citizen`` None) the number ``phone``."""

    case: Case
    citizen: Citizen | None
    phone: str


def feedback_read(token: str) -> Feedback | None:
    """The case and reporter a link was made for; None for a forged or altered link, or
    one whose resident or number is no longer the case's."""
    value = token.rpartition(":")[0]
    case_pk, _dot, citizen_pk = value.partition(".")
    if not case_pk.isdigit() or not (citizen_pk.isdigit() or citizen_pk == ""):
        return None
    if citizen_pk:
        try:
            _signer().unsign(token)  # checked before any query
        except signing.BadSignature:
            return None
    case = Case.objects.select_related("municipality", "category").filter(pk=case_pk).first()
    if case is None:
        return None
    if not citizen_pk:
        if not case.contact_phone:
            return None
        try:
            _signer(case.contact_phone).unsign(token)
        except signing.BadSignature:
            return None
        return Feedback(case=case, citizen=None, phone=case.contact_phone)
    citizen = Citizen.objects.filter(pk=citizen_pk, erased__isnull=True).first()
    if citizen is None or not (citizen.pk == case.reporter_id
                               or citizen.phone and citizen.phone == case.contact_phone):
        return None
    return Feedback(case=case, citizen=citizen, phone=citizen.phone)
