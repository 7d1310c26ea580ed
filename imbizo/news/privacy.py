"""A resident's part of news in their export (POPIA s23) and erasure (s24): the groups
they joined (and left) and the items they opened. The broadcasts sent to them are
messages in the outbox, which messaging/privacy.py exports and blanks.

An erasure deletes the memberships (the resident's own choices, no record of the
municipality's) and detaches the reads, so the "read" figures stay and say nobody.
"""

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .models import GroupMembership, NewsRead


def news_export(citizen: Citizen, within: set[int] | None) -> dict:
    memberships = GroupMembership.objects.filter(citizen=citizen)
    reads = NewsRead.objects.filter(citizen=citizen)
    if within is not None:
        memberships = memberships.filter(group__municipality__in=within)
        reads = reads.filter(news__municipality__in=within)
    return {
        "interest_groups": [{
            "group": m.group.name, "channel": m.channel, "joined": m.joined.isoformat(),
            "left": m.left.isoformat() if m.left else None,
        } for m in memberships.select_related("group").order_by("joined", "pk")],
        "news_read": [{"news": r.news_id, "title": r.news.title, "channel": r.channel,
                       "read": r.read.isoformat()}
                      for r in reads.select_related("news").order_by("read", "pk")],
    }


def news_erase(citizen: Citizen) -> int:
    removed, _by_model = GroupMembership.objects.filter(citizen=citizen).delete()
    return removed + NewsRead.objects.filter(citizen=citizen).update(citizen=None)


personal_data("news", export=news_export, erase=news_erase)
