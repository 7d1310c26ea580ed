"""Each provider is handed at most ``rate_per_second`` messages a second, counted in the
cache that every worker shares; a message over the limit waits without losing an attempt."""

import os
import socket
import uuid
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django_tasks_db.models import DBTaskResult

from imbizo.messaging.models import OutboundMessage, Status
from imbizo.messaging.services import messages_send

from .helpers import HttpGateway, queue

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


class TwoASecond(HttpGateway):
    rate_per_second = 2


def redis_reachable() -> bool:
    url = urlparse(REDIS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The cache the counters live in: the default local memory, and Redis when there is
    one to talk to (each test with a key prefix of its own)."""
    if request.param == "redis":
        if not redis_reachable():
            pytest.skip("no Redis at REDIS_URL")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": REDIS_URL,
                                       "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": f"test-{uuid.uuid4().hex}"}}
    return request.param


@pytest.fixture
def limited(use_providers, http_gateway, shared_cache):
    use_providers(sms=f"{__name__}.TwoASecond")
    return http_gateway


def send(ids, capture):
    with capture(execute=True):
        messages_send(message_ids=ids)
    return {m.pk: m for m in OutboundMessage.objects.filter(pk__in=ids)}


def test_a_burst_is_spread_over_the_seconds_to_come(limited, clock,
                                                     django_capture_on_commit_callbacks):
    clock.move_to(clock.now.replace(microsecond=0))
    ids = [queue(to=f"08212000{n:02d}").pk for n in range(5)]
    rows = send(ids, django_capture_on_commit_callbacks)
    assert [rows[i].status for i in ids] == ["sent", "sent", "queued", "queued", "queued"]
    held = [rows[i] for i in ids[2:]]
    assert [m.attempts for m in held] == [0, 0, 0]  # waiting is not an attempt
    assert [m.next_attempt_at - clock.now for m in held] == [
        timedelta(seconds=1), timedelta(seconds=1), timedelta(seconds=2)]
    # One task for each second a group waits for, due then.
    tasks = DBTaskResult.objects.filter(task_path__endswith="send_messages").order_by("run_after")
    assert [(t.run_after - clock.now, len(t.args_kwargs["args"][0])) for t in tasks] == [
        (timedelta(seconds=1), 2), (timedelta(seconds=2), 1)]

    clock.advance(seconds=1)
    rows = send(ids, django_capture_on_commit_callbacks)
    assert sum(m.status == Status.SENT for m in rows.values()) == 4
    clock.advance(seconds=1)
    rows = send(ids, django_capture_on_commit_callbacks)
    assert {m.status for m in rows.values()} == {Status.SENT}
    assert len(limited.requests) == 5 and {m.attempts for m in rows.values()} == {1}


def test_two_workers_share_the_count(limited, clock, django_capture_on_commit_callbacks):
    """Two send tasks in the same second (two workers) together stay within the limit."""
    clock.move_to(clock.now.replace(microsecond=0))
    first, second = [queue(to=f"08212000{n:02d}").pk for n in range(2)], \
        [queue(to=f"08212001{n:02d}").pk for n in range(2)]
    send(first, django_capture_on_commit_callbacks)
    rows = send(second, django_capture_on_commit_callbacks)
    assert [rows[i].status for i in second] == ["queued", "queued"]
    assert len(limited.requests) == 2


def test_a_provider_without_a_limit_is_not_counted(use_providers, http_gateway, shared_cache,
                                                   clock, django_capture_on_commit_callbacks):
    ids = [queue(to=f"08212000{n:02d}").pk for n in range(5)]
    rows = send(ids, django_capture_on_commit_callbacks)
    assert {m.status for m in rows.values()} == {Status.SENT}
