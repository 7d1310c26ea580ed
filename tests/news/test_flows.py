"""News on the phone channels: "My community" > "News" lists the three newest headlines
for the resident's communities (a USSD screen within 182 characters; a WhatsApp list),
and the one picked is read: its short text on USSD; title, text and page on WhatsApp."""

import pytest
from django.conf import settings
from django.utils.translation import override

from imbizo.accounts.permissions import citizen_actor
from imbizo.conversations.flowdefs import shipped_flows
from imbizo.conversations.sources import LANGUAGES
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import numbered_text
from imbizo.news.groups import interest_group_create, interest_group_join
from imbizo.news.models import NewsRead
from tests.conversations.conftest import Chat, Dialler, choice_key

from .conftest import broadcast

PHONE = "+27821234567"
LONG = "A very long headline about the water supply to every suburb of the town and beyond"


@pytest.fixture
def items(publisher, aaa):
    """Four of AAA's, oldest first: whole, ward 2's, whole (long title), a group's; and
    one of BBB's."""
    group = interest_group_create(actor=publisher, municipality=aaa, name="Youth jobs")
    made = {name: broadcast(publisher, aaa, kind="news", **spec) for name, spec in (
        ("budget", {"title": "Budget meeting", "short": "Budget at the town hall Thu 18:00.",
                    "translations": {"zu": {"title": "Umhlangano wesabelomali",
                                            "body": "NgoLwesine 18:00.",
                                            "short": "Isabelomali ehholo ngoLwesine 18:00."}}}),
        ("road", {"title": "Road closed", "target": "wards", "wards": [2]}),
        ("water", {"title": LONG, "short": "Water off Tue 09:00-15:00 for repairs."}),
        ("jobs", {"title": "Job fair", "target": "group", "group": group.pk}))}
    return made | {"group": group}


@pytest.fixture
def resident(make_resident):
    return make_resident(PHONE, 1)


def key_to(flow: str, target: str) -> str:
    """The number of the option leading to ``target`` (numbers go on across pages)."""
    options = shipped_flows()[flow].nodes["menu"].options
    return str([o.next for o in options].index(target) + 1)


def to_news(screen_of, send):
    screen_of()
    send(key_to("main", "@community"))
    return send(key_to("community", "@news"))


def ussd_news(phone: Dialler):
    return to_news(phone.dial, phone.send)


def test_on_ussd_the_three_newest_headlines_of_their_communities_then_one(
        items, resident, settings, django_assert_max_num_queries):
    interest_group_join(actor=citizen_actor(resident, channel="web"), group=items["group"])
    phone = Dialler(plugin_for("ussd/africastalking"), PHONE)
    headlines = ussd_news(phone)
    assert [c.label for c in headlines.choices] == ["Job fair", LONG[:39] + "…",
                                                    "Budget meeting"]
    assert len(numbered_text(headlines)) <= 182 and not headlines.end
    settings.CONFIG_CHECK_SECONDS = 60  # as a server trusts its memo
    # the session, the resident, the item, the read, the session
    with django_assert_max_num_queries(5):
        read = phone.send(choice_key(headlines, "Budget meeting"))
    assert read.end and read.text == "Budget at the town hall Thu 18:00."
    assert NewsRead.objects.get().channel == "ussd"


def test_the_headlines_hop_keeps_to_a_few_queries(items, resident, settings,
                                                  django_assert_max_num_queries):
    phone = Dialler(plugin_for("ussd/africastalking"), PHONE)
    phone.dial()
    phone.send(key_to("main", "@community"))
    settings.CONFIG_CHECK_SECONDS = 60  # as a server trusts its memo
    # The session read and written, the resident, their headlines.
    with django_assert_max_num_queries(4):
        headlines = phone.send(key_to("community", "@news"))
    assert len(headlines.choices) == 2  # the whole municipality's: not ward 2's


def test_on_ussd_a_number_not_known_picks_a_municipality_and_gets_its_news_for_all(items):
    phone = Dialler(plugin_for("ussd/africastalking"), "+27829999999")
    which = ussd_news(phone)
    assert "municipality" in which.text.lower()
    headlines = phone.send(choice_key(which, "Aaa Local"))
    assert [c.label for c in headlines.choices] == [LONG[:39] + "…", "Budget meeting"]
    assert phone.send("2").text == "Budget at the town hall Thu 18:00."
    assert not NewsRead.objects.exists()  # nobody known read it


def test_with_no_news_it_says_so(aaa, places, make_resident):
    make_resident(PHONE, 1)
    phone = Dialler(plugin_for("ussd/africastalking"), PHONE)
    said = ussd_news(phone)
    assert said.end and said.text == "No news for your area yet. We will let you know when " \
                                     "there is."


def test_on_whatsapp_the_headlines_are_a_list_and_the_item_comes_with_its_page(items,
                                                                             resident):
    resident.language = "zu"
    resident.save(update_fields=["language"])
    wa = Chat("whatsapp", PHONE)
    wa.screen("hi")
    wa.screen(key_to("main", "@community"), kind="choice")
    headlines = wa.screen(key_to("community", "@news"), kind="choice")
    assert [c.label for c in headlines.choices] == [LONG[:23] + "…",
                                                    "Umhlangano wesabelomali"]
    read = wa.screen(choice_key(headlines, "Umhlangano"), kind="choice")
    link = f"{settings.SITE_URL}/news/{items['budget'].pk}"
    assert read.end and read.text.startswith(
        "Umhlangano wesabelomali\nIsabelomali ehholo ngoLwesine 18:00.\n")
    assert link in read.text
    assert NewsRead.objects.get().channel == "whatsapp"


@pytest.mark.parametrize("code", [code for code, _name in LANGUAGES])
def test_the_news_option_and_screens_fit_ussd_in_every_language(items, resident, code):
    resident.language = code
    resident.save(update_fields=["language"])
    interest_group_join(actor=citizen_actor(resident, channel="web"), group=items["group"])
    phone = Dialler(plugin_for("ussd/africastalking"), PHONE)
    with override(code):
        headlines = ussd_news(phone)
    assert len(numbered_text(headlines)) <= 182 and len(headlines.choices) == 3
