"""``insert_unless_present``: the first insert gives the row's id, a second with the same
unique key gives None and changes nothing."""

from django.utils import timezone

from imbizo.conversations.models import ConversationSession
from imbizo.core.inserts import insert_unless_present


def session(language: str) -> ConversationSession:
    now = timezone.now()
    return ConversationSession(channel="ussd", sender="+27821234567", flow="", node="",
                               language=language, created=now, updated=now)


def test_a_row_is_inserted_once_and_a_second_leaves_it(db):
    first = insert_unless_present(session("zu"), conflict=("channel", "sender"))
    assert ConversationSession.objects.get().pk == first
    assert insert_unless_present(session("af"), conflict=("channel", "sender")) is None
    stored = ConversationSession.objects.get()
    assert (stored.language, stored.answers, stored.version) == ("zu", {}, 0)
