"""The PostgreSQL backend's health check (imbizo/core/db/postgresql): no round trip, yet a
connection the server ended is found unusable and the next query opens a new one."""

import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def terminate(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items()
                            if k in ("host", "port", "user", "password", "dbname")},
                         autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_the_engine_is_ours_with_health_checks_on():
    assert settings.DATABASES["default"]["ENGINE"] == "imbizo.core.db.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_the_check_asks_the_server_nothing(monkeypatch):
    connection.ensure_connection()

    def no_query(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(connection.connection, "cursor", no_query)
    monkeypatch.setattr(connection.connection, "execute", no_query)
    assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_an_ended_connection_is_found_and_replaced():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    assert connection.is_usable()
    terminate(pid)
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's FATAL message is on its way
    assert not connection.is_usable()
    connection.close_if_unusable_or_obsolete()  # what Django does between requests
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
