"""An integrator's key and small Open311 clients over Django's test client."""

import pytest

from imbizo.api.keys import api_key_create
from imbizo.core.permissions import system_actor

from .helpers import BASE, POTHOLE


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def key(municipalities):
    """A CRM's key for AAA (the agent role: it may log cases)."""
    aaa, _ = municipalities
    return api_key_create(actor=system_actor("cli"), municipality=aaa, name="CRM")[1]


@pytest.fixture
def o311(client):
    def get(path: str, params: dict | None = None):
        return client.get(f"{BASE}/{path}", params or {})
    return get


@pytest.fixture
def post(client, key):
    """POST requests.<fmt> form-encoded, as the spec sends it, with the key unless given."""
    def call(data: dict | None = None, fmt: str = "json", **fields):
        body = {"api_key": key, **POTHOLE, **(data or {}), **fields}
        body = {k: v for k, v in body.items() if v is not None}
        return client.post(f"{BASE}/requests.{fmt}", body)
    return call
