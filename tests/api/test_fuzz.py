"""A property-based fuzz of the whole API v1 OpenAPI document: whatever a client sends,
every operation answers without a server error, and every refusal is problem+json.

Bounded: a fixed number of examples per operation, derandomised so that CI is stable
(change FUZZ_SEED locally to explore further)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

from imbizo.api.keys import api_key_create
from imbizo.api.v1 import api
from imbizo.core.permissions import system_actor

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = WSGIHandler()


@pytest.fixture
def api_key(two_municipalities, log_case):
    """A municipal key, so that operations get past authentication and into the code."""
    aaa, _bbb = two_municipalities
    log_case(description="Burst pipe")
    _row, key = api_key_create(actor=system_actor("cli"), municipality=aaa, name="fuzz",
                               role="supervisor")
    return key


@pytest.fixture
def wsgi_keeps_test_connection():
    """The test runs in a transaction; a real request's end would close its connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_server_error(case, api_key, wsgi_keeps_test_connection):
    response = case.call(headers={"X-API-Key": api_key})
    assert response.status_code < 500, case.as_curl_command()
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), case.as_curl_command()
