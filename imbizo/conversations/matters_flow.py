"""Matters in conversations (flows/matters.yaml): raising an issue or a suggestion with the
ward councillor and reading what became of one's own, on every channel, through the
matters services the site and the API call. Its actions, option sources and texts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.matters.models import Kind, Status
from imbizo.matters.selectors import access_matter, matter_ward, matters_mine, ward_places
from imbizo.matters.services import matter_raise

from .registry import action, source
from .texts import SAY, TEXTS

if TYPE_CHECKING:
    from .turn import Turn

PREVIEW = 40  # characters of the resident's words read back before "Send it?"
ANSWER_SHOWN = 90  # of the councillor's answer in the status line (USSD: 182 in all)
MINE_LISTED = 20

TEXTS.update({
    "matters_menu": gettext_lazy("Your ward councillor. What would you like to do?"),
    "matters_raise": gettext_lazy("Raise something"),
    "matters_mine": gettext_lazy("My matters"),
    "matter_kind_ask": gettext_lazy("Is it an issue (something wrong) or a suggestion (an "
                                    "idea)?"),
    "matter_place_ask": gettext_lazy("Which place is it about?"),
    "matter_text_ask": gettext_lazy("Write what you want to tell your councillor:"),
    "matter_public_ask": gettext_lazy("May neighbours see your suggestion (without your "
                                      "name) and support it?"),
    "matter_confirm": gettext_lazy("%(matter_kind_name)s, %(matter_place)s: "
                                   "%(matter_preview)s Send it?"),
    "matter_raised": gettext_lazy("Sent to your councillor. Your reference is "
                                  "%(reference)s. We will tell you when they answer."),
    "matters_pick": gettext_lazy("Which matter?"),
    "matter_status": gettext_lazy("%(reference)s: %(status)s. %(detail)s"),
    "matters_none": gettext_lazy("You have not raised anything with your councillor yet."),
})
KINDS = {Kind.ISSUE: gettext_lazy("An issue"), Kind.SUGGESTION: gettext_lazy("A suggestion")}
MY_WARD = gettext_lazy("My ward")
VISIBILITY = (("public", gettext_lazy("Yes, public")),
              ("private", gettext_lazy("No, keep it private")))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


@source("matter_kinds")
def matter_kinds(turn: Turn) -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in KINDS.items()]


@source("matter_places")
def matter_places(turn: Turn) -> list[tuple[str, str]]:
    """The resident's home ward first, then every suburb (or ward) of the municipality;
    the value is the ward's code."""
    places = ward_places(turn.municipality())
    home_id = turn.citizen.ward_id if turn.citizen is not None else None
    home = [(code, str(MY_WARD)) for pk, code, _n, _s in places if pk == home_id][:1]
    return home + [(code, suburb or str(SAY["ward_place"]).split(" (")[0] % {"ward": number})
                   for _pk, code, number, suburb in places]


@source("matter_visibility")
def matter_visibility(turn: Turn) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in VISIBILITY]


@action("matter_prepare")
def matter_prepare(turn: Turn):
    """What the confirmation reads back; a suggestion goes on to ask whether it is public."""
    answers = turn.answers
    ward = matter_ward(answers["matter_ward"])
    label = answers.get("matter_ward_label", "")
    suburb = "" if label == str(MY_WARD) else label
    if not suburb:
        suburb = next((s for pk, _c, _n, s in ward_places(turn.municipality())
                       if pk == ward.pk and s), "")
    place = SAY["ward_place"] % {"ward": ward.number, "suburb": suburb} if suburb \
        else str(SAY["ward_place"]).split(" (")[0] % {"ward": ward.number}
    kind = answers["matter_kind"]
    return kind, {"matter_kind_name": str(Kind(kind).label), "matter_place": place,
                  "matter_preview": _shorten(answers["matter_text"], PREVIEW)}


@action("matter_raise")
def raise_matter(turn: Turn):
    """Through ``matter_raise``; a retried message or USSD hop raises it once."""
    turn.resident()
    answers = turn.answers
    kind = answers["matter_kind"]
    matter = matter_raise(actor=turn.actor(), kind=kind, ward=matter_ward(answers["matter_ward"]),
                          text=answers["matter_text"],
                          public=kind == Kind.SUGGESTION
                          and answers.get("matter_visibility") == "public",
                          idempotency_key=turn.idempotency_key)
    return "raised", {"reference": matter.reference}


@action("matters_count")
def matters_count(turn: Turn):
    if turn.citizen is None:
        return "none", {}
    return ("some" if matters_mine(actor=turn.actor()) else "none"), {}


@source("my_matters")
def my_matters(turn: Turn) -> list[tuple[str, str]]:
    return [(m.reference, f"{m.reference} {m.title}")
            for m in matters_mine(actor=turn.actor())[:MINE_LISTED]]


@action("matter_status")
def matter_status(turn: Turn):
    matter = access_matter(turn.actor(), turn.answers["matter_reference"])
    if matter.status == Status.ANSWERED:
        detail = _("Answer: %(answer)s") % {"answer": _shorten(matter.answer, ANSWER_SHOWN)}
    elif matter.status == Status.REFERRED and matter.case_id:
        detail = _("Passed to the municipality as case %(case)s.") % {
            "case": matter.case.reference}
    elif matter.status == Status.CLOSED:
        detail = _("It is closed.")
    else:
        detail = _("We will tell you when your councillor answers.")
    return "found", {"reference": matter.reference, "status": str(Status(matter.status).label),
                     "detail": detail}
