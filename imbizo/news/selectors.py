"""Reading news: what is published, for anyone (no personal data in it); a resident's
own communities; and staff's list of their municipality's items."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen
from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor

from .models import GroupMembership, InterestGroup, NewsItem, NewsRead

Target = NewsItem.Target
WardLink = NewsItem.wards.through
PERMISSION = "news.publish"


def published() -> QuerySet[NewsItem]:
    """Items out on the site, newest first."""
    return NewsItem.objects.filter(status__in=NewsItem.PUBLISHED).order_by("-published", "-pk")


def _for_ward(ward_id: int) -> Q:
    return Q(Exists(WardLink.objects.filter(newsitem_id=OuterRef("pk"), ward_id=ward_id)))


def news_public(*, municipality_id: int, ward_id: int | None = None,
                group_id: int | None = None) -> QuerySet[NewsItem]:
    """A municipality's published items: all of them, or those for the whole
    municipality and for one ward (its suburbs and zones included), or one group's."""
    found = published().filter(municipality_id=municipality_id)
    if group_id is not None:
        return found.filter(target=Target.GROUP, group_id=group_id)
    if ward_id is not None:
        return found.filter(Q(target=Target.MUNICIPALITY) | _for_ward(ward_id))
    return found


def news_for_resident(citizen: Citizen) -> QuerySet[NewsItem]:
    """What is published for a resident's communities: their municipality as a whole,
    their ward (and the suburbs and zones in it), and the groups they are in."""
    mine = Q(Exists(GroupMembership.objects.filter(group_id=OuterRef("group_id"),
                                                   citizen=citizen, left__isnull=True)))
    communities = mine
    if citizen.municipality_id:
        home = Q(municipality_id=citizen.municipality_id, target=Target.MUNICIPALITY)
        if citizen.ward_id:
            home |= Q(municipality_id=citizen.municipality_id) & _for_ward(citizen.ward_id)
        communities |= home
    return published().filter(communities)


def access_published(pk) -> NewsItem:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    found = published().select_related("municipality", "group") \
        .defer("municipality__boundary").filter(pk=pk).first()
    if found is None:
        raise NotFound("news_not_found", _("No such news item."))
    return found


# --- staff -------------------------------------------------------------------------------
def news_list(*, actor: Actor) -> QuerySet[NewsItem]:
    """Every item of the municipalities where the actor publishes news, newest first.
    ``news.publish`` counts for the whole municipality, whatever department a membership
    is narrowed to: news is the municipality's, as ``require`` in the services has it."""
    found = NewsItem.objects.all()
    if not actor.is_global(PERMISSION):
        found = found.filter(municipality_id__in=actor.municipality_ids(PERMISSION))
    return found.order_by("-created", "-pk")


def access_news(actor: Actor, pk) -> NewsItem:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    found = news_list(actor=actor).select_related("municipality", "group") \
        .defer("municipality__boundary").filter(pk=pk).first()
    if found is None:
        raise NotFound("news_not_found", _("No such news item."))
    return found


def reads_counted(item_ids: list[int]) -> dict[int, int]:
    """How many residents opened each item: one query."""
    return dict(NewsRead.objects.filter(news_id__in=item_ids).order_by()
                .values("news_id").annotate(n=Count("pk")).values_list("news_id", "n"))


# --- groups ------------------------------------------------------------------------------
def interest_groups(*, municipality_id: int) -> QuerySet[InterestGroup]:
    return InterestGroup.objects.filter(municipality_id=municipality_id, active=True) \
        .order_by("name")


def groups_joined(citizen: Citizen) -> set[int]:
    return set(GroupMembership.objects.filter(citizen=citizen, left__isnull=True)
               .values_list("group_id", flat=True))
