"""The demo's news: a few published items (the whole municipality, a ward, a suburb, a
group) and two interest groups, no message sent, nothing added by a second run."""

from imbizo.core.permissions import system_actor
from imbizo.demo.news import seed
from imbizo.messaging.models import OutboundMessage
from imbizo.news.models import InterestGroup, NewsItem
from imbizo.news.selectors import news_public


def test_the_demo_seeds_published_news_and_groups_once_and_sends_nothing(aaa):
    for _run in range(2):
        seed(actor=system_actor("cli"), municipality=aaa, seed=2021)
    assert InterestGroup.objects.count() == 2
    items = list(news_public(municipality_id=aaa.pk))
    assert len(items) == NewsItem.objects.count() == 5
    assert {i.target for i in items} == {"municipality", "wards", "suburbs", "group"}
    assert items[0].title == "Reservoir cleaning on Saturday"  # the newest
    assert "zu" in NewsItem.objects.get(title__startswith="Refuse").translations
    assert not OutboundMessage.objects.exists()
