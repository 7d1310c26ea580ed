"""Composing, changing, scheduling, publishing and cancelling news: who may, what each
mistake says (naming its field), and the audit entry each leaves."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.news.models import NewsItem
from imbizo.news.services import (
    news_cancel,
    news_compose,
    news_publish,
    news_schedule,
    news_update,
)

from .conftest import MORNING, compose

Status = NewsItem.Status


def actions() -> list[str]:
    return list(AuditEntry.objects.filter(action__startswith="news.").order_by("seq")
                .values_list("action", flat=True))


def test_a_draft_keeps_its_texts_and_versions_and_is_audited(publisher, aaa):
    item = compose(publisher, aaa, kind="news", translations={
        "zu": {"title": "Amanzi azovalwa", "body": "Amanzi azovalwa ngoLwesibili.",
               "short": "Amanzi azovalwa ngoLwesibili."}})
    assert (item.status, item.kind, item.target) == ("draft", "news", "municipality")
    assert item.text_in("zu") == ("Amanzi azovalwa", "Amanzi azovalwa ngoLwesibili.",
                                  "Amanzi azovalwa ngoLwesibili.")
    assert item.text_in("xh") == (item.title, item.body, item.short)  # no version: English
    assert item.created_by == publisher.user
    assert actions() == ["news.compose"]
    entry = AuditEntry.objects.get(action="news.compose")
    assert entry.actor == publisher.label and entry.municipality_code == "AAA"


@pytest.mark.parametrize("role, ok", [(Role.AGENT, True), (Role.MANAGER, True),
                                      (Role.MUNICIPAL_ADMIN, True), (Role.OFFICER, False),
                                      (Role.COUNCILLOR, False), (Role.ANALYST, False)])
def test_only_those_holding_news_publish_compose(make_staff, aaa, role, ok):
    grant = {"role": role, "municipality": aaa}
    if role == Role.COUNCILLOR:
        grant["ward"] = aaa.wards.first()
    actor = make_staff(grant)
    if ok:
        assert compose(actor, aaa).pk
    else:
        with pytest.raises(PermissionDenied):
            compose(actor, aaa)


def test_staff_of_another_municipality_may_not_touch_an_item(publisher, aaa, places,
                                                            make_staff):
    other = make_staff({"role": Role.AGENT, "municipality": places[1]})
    with pytest.raises(PermissionDenied):
        compose(other, aaa)
    item = compose(publisher, aaa)
    for act in (lambda: news_publish(actor=other, item=item),
                lambda: news_cancel(actor=other, item=item),
                lambda: news_update(actor=other, item=item, title="Mine now")):
        with pytest.raises(PermissionDenied):
            act()
    assert NewsItem.objects.get(pk=item.pk).status == Status.DRAFT


@pytest.mark.parametrize("overrides, field", [
    ({"title": "  "}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"short": "x" * 161}, "short"),
    ({"body": ""}, "body"),
    ({"kind": "rumour"}, "kind"),
    ({"target": "everyone"}, "target"),
    ({"target": "wards", "wards": []}, "wards"),
    ({"target": "wards", "wards": [7]}, "wards"),
    ({"target": "suburbs", "suburbs": ["Atlantis"]}, "suburbs"),
    ({"target": "zone", "zone": "not json"}, "zone"),
    ({"target": "group", "group": 999}, "group"),
    ({"translations": {"zu": {"title": "Amanzi", "body": "Amanzi azovalwa."}}}, "short_zu"),
    ({"translations": {"fr": {"title": "Eau"}}}, "translations"),
])
def test_each_mistake_is_refused_naming_its_field(publisher, aaa, overrides, field):
    with pytest.raises(ImbizoError) as refused:
        compose(publisher, aaa, **overrides)
    assert refused.value.extra["field"] == field
    assert not NewsItem.objects.exists()


def test_a_draft_is_changed_and_its_target_resolved_again(publisher, aaa):
    item = compose(publisher, aaa)
    item = news_update(actor=publisher, item=item, target="suburbs", suburbs=["Hilltop"],
                       title="Water off in Hilltop")
    assert item.title == "Water off in Hilltop"
    assert [w.number for w in item.wards.all()] == [2]
    assert actions() == ["news.compose", "news.update"]
    entry = AuditEntry.objects.get(action="news.update")
    assert entry.changes == {"fields": ["suburbs", "target", "title"]}


def test_publishing_news_puts_it_on_the_site_and_sends_nothing(publisher, aaa,
                                                                make_resident):
    make_resident("0821000001")
    item, reach = news_publish(actor=publisher, item=compose(publisher, aaa, kind="news"))
    assert item.status == Status.SENT and item.published is not None
    assert reach.consenting == 1
    from imbizo.messaging.models import OutboundMessage
    assert not OutboundMessage.objects.exists()
    with pytest.raises(ImbizoError) as refused:
        news_update(actor=publisher, item=item, title="Changed")
    assert refused.value.status == 409
    assert actions() == ["news.compose", "news.publish"]


@freeze_time(MORNING)
def test_a_schedule_must_be_ahead_and_within_a_year(publisher, aaa, make_resident):
    make_resident("0821000001")
    item = compose(publisher, aaa)
    for when, code in ((timezone.now() - timedelta(minutes=1), "send_at_past"),
                       (timezone.now() + timedelta(days=400), "send_at_far"),
                       ("next tuesday", "invalid_send_at")):
        with pytest.raises(ImbizoError) as refused:
            news_schedule(actor=publisher, item=item, send_at=when)
        assert (refused.value.code, refused.value.extra["field"]) == (code, "send_at")
    item, reach = news_schedule(actor=publisher, item=item,
                                send_at="2026-07-02T09:00:00+02:00")
    assert item.status == Status.SCHEDULED and reach.consenting == 1
    assert item.send_at == timezone.datetime.fromisoformat("2026-07-02T07:00:00+00:00")


@freeze_time(MORNING)
def test_a_draft_or_scheduled_item_is_cancelled_but_not_one_gone_out(publisher, aaa,
                                                                     make_resident):
    make_resident("0821000001")
    draft = compose(publisher, aaa)
    assert news_cancel(actor=publisher, item=draft).status == Status.CANCELLED
    scheduled, _reach = news_schedule(actor=publisher, item=compose(publisher, aaa),
                                      send_at=timezone.now() + timedelta(hours=2))
    assert news_cancel(actor=publisher, item=scheduled).status == Status.CANCELLED
    out, _reach = news_publish(actor=publisher, item=compose(publisher, aaa, kind="news"))
    with pytest.raises(ImbizoError) as refused:
        news_cancel(actor=publisher, item=out)
    assert refused.value.status == 409
    with pytest.raises(ImbizoError):
        news_publish(actor=publisher, item=draft)  # cancelled: not published after all
    assert actions().count("news.cancel") == 2


def test_a_broadcast_nobody_would_receive_is_refused_saying_how_many_are_there(
        publisher, aaa, make_resident):
    make_resident("0821000001", consent=False)
    item = compose(publisher, aaa)
    with pytest.raises(ImbizoError) as refused:
        news_publish(actor=publisher, item=item)
    assert (refused.value.code, refused.value.status) == ("empty_target", 422)
    assert refused.value.extra["residents"] == 1 and "none has agreed" in refused.value.message
    with pytest.raises(ImbizoError):
        news_schedule(actor=publisher, item=item,
                      send_at=timezone.now() + timedelta(hours=1))
    assert NewsItem.objects.get(pk=item.pk).status == Status.DRAFT
    # The same, as news on the site only, is published.
    item = news_update(actor=publisher, item=item, kind="news")
    assert news_publish(actor=publisher, item=item)[0].status == Status.SENT


def test_a_resident_is_no_publisher(aaa, make_resident):
    from imbizo.accounts.permissions import citizen_actor
    citizen = make_resident("0821000001")
    with pytest.raises(PermissionDenied):
        news_compose(actor=citizen_actor(citizen, channel="web"), municipality=aaa,
                     title="Fake", body="Fake", short="Fake")
