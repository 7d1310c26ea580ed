"""What became of a broadcast: the outbox's receipts (sent, delivered, failed, a message
sent again on another channel counting by how that went) and the residents who read it."""

import pytest
from freezegun import freeze_time

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import channel_opt_out
from imbizo.messaging import providers
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.providers import Provider, SendResult
from imbizo.messaging.services import message_receipt, messages_send
from imbizo.news.groups import news_read_record
from imbizo.news.selectors import reads_counted
from imbizo.notifications.news import message_key, news_delivery

from .conftest import MORNING, broadcast, compose


class ReportingGateway(Provider):
    """Accepts every message; its delivery reports come later, by webhook."""

    name = "reporting"
    channels = frozenset({"sms", "whatsapp"})
    max_length = 918
    supports_receipts = True

    def send(self, message):
        return SendResult(provider_message_id=f"rp-{message.pk}")


@pytest.fixture
def reporting(settings):
    path = f"{__name__}.ReportingGateway"
    settings.MESSAGING_PROVIDERS = {"sms": path, "whatsapp": path}
    providers._instances.clear()
    yield
    providers._instances.clear()


def send_all() -> None:
    messages_send(message_ids=list(OutboundMessage.objects.filter(status="queued")
                                   .values_list("pk", flat=True)))


def receipt(citizen, status: str) -> None:
    message = OutboundMessage.objects.filter(citizen=citizen).order_by("-pk").first()
    message_receipt(provider="reporting", provider_message_id=message.provider_message_id,
                    status=status)


@freeze_time(MORNING)
def test_delivered_and_failed_are_the_outboxs_receipts(publisher, aaa, make_resident,
                                                      reporting, django_assert_num_queries):
    thandi, sipho, lerato, _ayanda = (make_resident("0821000001"), make_resident("0821000002"),
                                     make_resident("0821000003", 2),
                                     make_resident("0821000004", 2))
    channel_opt_out("whatsapp", lerato.phone)  # no channel to fall back on
    item = broadcast(publisher, aaa)
    send_all()
    receipt(thandi, "delivered")
    # Sipho's SMS comes back undeliverable: sent again on WhatsApp, delivered there.
    receipt(sipho, "undeliverable")
    send_all()
    receipt(sipho, "delivered")
    # Lerato's is undeliverable, with nowhere else to go; Ayanda's has no report yet.
    receipt(lerato, "undeliverable")
    other = broadcast(publisher, aaa, title="Another")
    news = compose(publisher, aaa, kind="news")  # no messages: no figures
    with django_assert_num_queries(1):
        figures = news_delivery([item, other, news])
    assert figures[item.pk] == {"sent": 3, "delivered": 2, "failed": 1}
    assert figures[other.pk] == {"sent": 0, "delivered": 0, "failed": 0}  # queued yet
    assert OutboundMessage.objects.filter(
        dedupe_key__startswith=message_key(item, thandi.pk)).count() == 1


def test_reading_counts_each_resident_once_and_nobody_else(publisher, aaa, make_resident,
                                                          django_assert_num_queries):
    thandi, sipho = make_resident("0821000001"), make_resident("0821000002")
    item = broadcast(publisher, aaa, kind="news")
    draft = compose(publisher, aaa, kind="news", title="Draft")
    for citizen, channel in ((thandi, "web"), (thandi, "ussd"), (sipho, "whatsapp")):
        news_read_record(actor=citizen_actor(citizen, channel=channel), item=item)
    news_read_record(actor=publisher, item=item)  # staff reading: not a resident's read
    news_read_record(actor=citizen_actor(sipho, channel="web"), item=draft)  # not out
    with django_assert_num_queries(1):
        assert reads_counted([item.pk, draft.pk]) == {item.pk: 2}
    assert sorted(item.reads.values_list("channel", flat=True)) == ["web", "whatsapp"]
