"""News in conversations (flows/news.yaml): the latest three headlines for the resident's
communities, as numbered lines on USSD and SMS and a list on WhatsApp, then the one
picked: its short text (one SMS long, so it fits a USSD screen), and on channels that
open links its title and page too. Over the news selectors, like the site and the API;
reading it counts in the item's "read" figure. Looking registers no one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from imbizo.core.config_cache import config_cache
from imbizo.geo.selectors import municipalities_served
from imbizo.news.groups import news_read_record
from imbizo.news.models import NewsItem
from imbizo.news.selectors import access_published, news_for_resident, news_public

from .registry import action, source
from .texts import TEXTS

if TYPE_CHECKING:
    from .turn import Turn

HEADLINES = 3
NO_LINKS = frozenset({"ussd", "sms"})  # a feature phone opens no address

TEXTS.update({
    "news_pick": _("Latest news. Pick one to read:"),
    "news_none": _("No news for your area yet. We will let you know when there is."),
    "news_shown": "%(news_text)s",  # the item's own words, in the resident's language
    "news_more": _("More: %(link)s"),
})


@action("news_where")
def news_where(turn: Turn):
    """Whose news: the municipality already chosen, the resident's own, the only one
    served, or a question."""
    if turn.answers.get("municipality"):
        return "known", {}
    citizen = turn.citizen
    if citizen is not None and citizen.municipality_id:
        return "known", {"municipality": citizen.municipality_id}
    served = config_cache.get("conversation_municipalities", municipalities_served)
    if len(served) == 1:
        return "known", {"municipality": served[0].pk}
    return "ask", {}


@action("news_latest")
def news_latest(turn: Turn):
    """The newest headlines, kept in the session for the list (one query)."""
    municipality_id = int(turn.answers["municipality"])
    citizen = turn.citizen
    if citizen is not None and citizen.municipality_id == municipality_id:
        found = news_for_resident(citizen)
    else:
        found = news_public(municipality_id=municipality_id) \
            .filter(target=NewsItem.Target.MUNICIPALITY)
    language = translation.get_language() or "en"
    headlines = [[item.pk, item.text_in(language)[0]] for item in found[:HEADLINES]]
    return ("some" if headlines else "none"), {"municipality": municipality_id,
                                              "news_list": headlines}


@source("news_headlines")
def news_headlines(turn: Turn) -> list[tuple[str, str]]:
    return [(str(pk), title) for pk, title in turn.answers.get("news_list") or []]


@action("news_read")
def news_read(turn: Turn):
    """The item picked, in the resident's language, counted as read by them."""
    item = access_published(turn.answers.get("news"))
    news_read_record(actor=turn.actor(), item=item)
    title, _body, short = item.text_in(translation.get_language() or "en")
    if turn.channel in NO_LINKS:
        return "shown", {"news_text": short}
    link = settings.SITE_URL + reverse("web:news_item", args=[item.pk])
    more = TEXTS["news_more"] % {"link": link}
    return "shown", {"news_text": f"{title}\n{short}\n{more}"}
