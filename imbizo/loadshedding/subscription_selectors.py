"""Reads of residents' subscriptions: a resident's own areas, and the residents an alert
goes to, batch after batch (one query a batch, consent and erasure in it)."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from imbizo.accounts.models import Citizen, Consent
from imbizo.accounts.recipients import RECIPIENT_COLUMNS, Recipient

from .models import AlertRun, Area, Subscription

BATCH_SIZE = 1000  # residents a batch: one transaction, a few statements


@dataclass(frozen=True)
class Followed:
    key: str
    name: str
    since: object  # the subscription's aware datetime


def subscriptions_for(citizen: Citizen | None) -> list[Followed]:
    """The areas the resident follows, oldest first."""
    if citizen is None:
        return []
    return [Followed(key, name, since) for key, name, since in Subscription.objects
            .filter(citizen=citizen).order_by("created", "pk")
            .values_list("area__key", "area__name", "created")]


def subscribed(citizen: Citizen | None, key: str) -> bool:
    return citizen is not None and Subscription.objects.filter(
        citizen=citizen, area__key=key).exists()


def areas_followed(areas: QuerySet[Area]) -> dict[int, str]:
    """Of ``areas``, those somebody follows: id -> key (one query, an index probe an
    area)."""
    followers = Subscription.objects.filter(area=OuterRef("pk"))
    return dict(areas.filter(Exists(followers)).order_by("pk").values_list("pk", "key"))


@dataclass(frozen=True, slots=True)
class Follower(Recipient):
    """A resident an alert goes to, and the areas of the run they follow."""

    areas: tuple[int, ...]


@dataclass
class Batch:
    residents: list[Follower] = field(default_factory=list)
    after: int = 0
    cursor: int = 0
    last: bool = True

    def span(self) -> QuerySet[Citizen]:
        """Every resident with an id in the batch's range: how to name them in a query
        without a list of a thousand ids."""
        return Citizen.objects.filter(pk__gt=self.after, pk__lte=self.cursor)


def _scope(run: AlertRun, after: int) -> Q:
    """The run's subscriptions, said "after the cursor" too, so that PostgreSQL never
    walks the subscriptions of residents done already (as news' consents)."""
    scope = Q(citizen_id__gt=after)
    if run.until is not None:
        scope &= Q(citizen_id__lte=run.until)
    if run.areas is not None:
        scope &= Q(area_id__in=run.areas)
    elif run.scope_municipality_id is not None:
        scope &= Q(area__municipality_id=run.scope_municipality_id)
    return scope


def alert_batch(*, run: AlertRun, after: int | None = None,
                size: int = BATCH_SIZE) -> Batch:
    """The next ``size`` residents after the run's cursor (or ``after``) who follow an
    area of the run, agreed to alerts and are not erased, each with those areas: two
    queries whatever the size."""
    after = run.cursor if after is None else after
    follows = Subscription.objects.filter(_scope(run, after), citizen=OuterRef("pk"))
    agreed = Consent.objects.filter(citizen=OuterRef("pk"), citizen_id__gt=after,
                                    purpose=Consent.Purpose.BROADCASTS, withdrawn__isnull=True)
    found = Citizen.objects.filter(pk__gt=after, erased__isnull=True)
    if run.until is not None:
        found = found.filter(pk__lte=run.until)
    rows = list(found.filter(Exists(follows), Exists(agreed)).order_by("pk").values_list(
        *RECIPIENT_COLUMNS)[:size])
    if not rows:
        return Batch([], after, after, True)
    cursor = rows[-1][0]
    areas: dict[int, list[int]] = {}
    for citizen_id, area_id in Subscription.objects.filter(
            _scope(run, after), citizen_id__lte=cursor).order_by("citizen_id", "area_id") \
            .values_list("citizen_id", "area_id"):
        areas.setdefault(citizen_id, []).append(area_id)
    return Batch([Follower(*row, tuple(areas.get(row[0], ()))) for row in rows], after,
                 cursor, len(rows) < size)
