"""The demo's news: a few published items for DMO (for the whole municipality, for a
ward, for a suburb and for an interest group) and two interest groups. Published as news
on the site only, so the seed sends no message. Found again by title, so a second
``imbizo demo`` adds nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, Ward
from imbizo.news.groups import interest_group_create
from imbizo.news.models import InterestGroup, NewsItem
from imbizo.news.services import news_compose, news_publish

GROUPS = (("Water outages", "Planned and unplanned water cuts, and where tankers stand."),
          ("Youth jobs", "Learnerships, EPWP work and job fairs for young people."))


def _items(town_ward: Ward, suburb: str) -> list[dict]:
    return [
        {"title": "Refuse collection over the public holiday",
         "body": "Refuse will be collected a day later than usual in the week of the public "
                 "holiday. Please put bins out by 07:00 on the new day.",
         "short": "Refuse collection is a day later in the week of the public holiday. Bins "
                  "out by 07:00.",
         "translations": {"zu": {
             "title": "Ukuqoqwa kukadoti ngeholide",
             "body": "Udoti uzoqoqwa ngosuku olulandelayo ngesonto leholide. Sicela ukhiphe "
                     "imigqomo ngo-07:00.",
             "short": "Udoti uqoqwa ngosuku olulandelayo ngeholide. Khipha imigqomo "
                      "ngo-07:00."}}},
        {"title": "Budget meeting at the town hall",
         "body": "The municipality presents its draft budget for the coming year at the town "
                 "hall on Thursday at 18:00. Everyone is welcome to ask questions.",
         "short": "Draft budget presented at the town hall on Thursday 18:00. All welcome."},
        {"title": f"Road works in ward {town_ward.number}", "target": "wards",
         "wards": [town_ward.number],
         "body": "The main road is being resurfaced for two weeks. Expect delays between "
                 "08:00 and 16:00 and use the side streets where you can.",
         "short": f"Road works in ward {town_ward.number} for 2 weeks, 08:00-16:00. Expect "
                  "delays."},
        {"title": f"Street lights repaired in {suburb}", "target": "suburbs",
         "suburbs": [suburb],
         "body": f"All street lights in {suburb} were repaired this week. Report any that "
                 "are still out.",
         "short": f"Street lights in {suburb} repaired. Report any still out."},
        {"title": "Reservoir cleaning on Saturday", "target": "group", "group": GROUPS[0][0],
         "body": "The town reservoir is cleaned on Saturday. Water pressure may be low from "
                 "06:00 to 12:00 in the higher parts of town.",
         "short": "Low water pressure Saturday 06:00-12:00 while the reservoir is cleaned."},
    ]


def seed(*, actor: Actor, municipality: Municipality, seed: int) -> None:
    """Idempotent: each group and item is made only if its name or title is not there."""
    with transaction.atomic():
        groups = {g.name: g for g in InterestGroup.objects.filter(municipality=municipality)}
        for name, description in GROUPS:
            if name not in groups:
                groups[name] = interest_group_create(actor=actor, municipality=municipality,
                                                     name=name, description=description)
        town_ward = Ward.objects.defer("boundary").filter(municipality=municipality) \
            .exclude(suburbs="").order_by("number").first()
        if town_ward is None:
            return
        suburb = town_ward.suburbs.splitlines()[-1].strip()
        done = set(NewsItem.objects.filter(municipality=municipality)
                   .values_list("title", flat=True))
        items = _items(town_ward, suburb)
        published = timezone.now() - timedelta(days=len(items))
        for day, spec in enumerate(items):
            if spec["title"] in done:
                continue
            if "group" in spec:
                spec["group"] = groups[spec["group"]]
            item = news_compose(actor=actor, municipality=municipality, **spec)
            item, _reach = news_publish(actor=actor, item=item)
            NewsItem.objects.filter(pk=item.pk).update(  # a few days of news, not one instant
                published=published + timedelta(days=day))
