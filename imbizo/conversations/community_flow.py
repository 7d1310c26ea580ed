"""Community in conversations: meetings (flows/meetings.yaml), the directory
(flows/directory.yaml) and sharing (flows/share.yaml), over the community services as the
API and the site use them. Texts are added to ``texts.TEXTS``; labels of options stay
within 20 characters in every language (a WhatsApp button or list row), and every screen
within its channel (USSD: 182 characters, options included)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from imbizo.community.share import share_code_for, share_given, share_text
from imbizo.core.config_cache import config_cache
from imbizo.geo.selectors import municipalities_served

from .registry import action
from .texts import TEXTS

if TYPE_CHECKING:
    from .turn import Turn

COMMUNITY_TEXTS = {
    # meetings (community_meetings_flow.py)
    "meetings_none": _("No community meetings are coming up in your area."),
    "meetings_choose": _("Community meetings coming up. Which one?"),
    "meeting_details": _("%(meeting_summary)s Will you come?"),
    "rsvp_yes": _("Yes, I will come"),
    "rsvp_no": _("No"),
    "rsvp_maybe": _("Maybe"),
    "rsvp_saved": _("Thank you. Your answer: %(answer_label)s. You can change it until the "
                    "meeting starts."),
    # the directory (community_directory_flow.py)
    "directory_ask": _("Contacts and forms: type a word, like water, clinic or rates."),
    "directory_none": _("Nothing found for \"%(words)s\". Type another word."),
    "directory_results": _("%(directory_results)s"),
    "directory_pick_form": _("%(directory_results)s Get a form:"),
    "directory_no_form": _("No form, thanks"),
    "directory_form_sent": _("Here is the form: %(form_label)s."),
    "directory_done": _("Thank you."),
    # sharing
    "share_shown": _("Send this to a neighbour: %(share_text)s"),
    "share_shown_forward": _("Send this to a neighbour: %(share_text)s Tap to forward it: "
                             "%(share_forward)s"),
}
TEXTS.update(COMMUNITY_TEXTS)


@action("community_where")
def community_where(turn: Turn):
    """The municipality the resident asks about: theirs, the one picked before, or the only
    one served; else ask. Nobody is registered for looking around."""
    if turn.answers.get("municipality"):
        turn.answers["municipality"] = int(turn.answers["municipality"])
        return "known", {}
    if turn.citizen is not None and turn.citizen.municipality_id:
        return "known", {"municipality": turn.citizen.municipality_id}
    served = config_cache.get("conversation_municipalities", municipalities_served)
    if len(served) == 1:
        return "known", {"municipality": served[0].pk}
    return "ask", {}


@action("share_give")
def share_give(turn: Turn):
    """The text to forward: the municipality's short link and USSD code; on WhatsApp also
    a link that opens it ready to forward. Each hand-out is counted (no number kept)."""
    municipality = turn.municipality()
    found = share_code_for(municipality)
    share_given(found)
    text = share_text(found, municipality)
    values = {"share_text": text}
    if turn.channel == "whatsapp":
        values["share_forward"] = "https://wa.me/?text=" + quote(text)
        return "forward", values
    return "shown", values


# Registered with the others: meetings and the directory.
from . import community_directory_flow, community_meetings_flow  # noqa: E402,F401
