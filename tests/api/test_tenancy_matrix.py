"""Tenancy, proved on every route: each kind of caller, of the records' own municipality
and of another, on every route of the API v1, Open311 and the site.

For each route and caller: the status class; in every successful answer, nothing of
another municipality, nothing non-public for a caller who may not see it, and no
resident's personal data for a caller who may not see residents (analysts above all);
a refused write changes nothing. The routes and the expectations are the table in
tenancy_routes.py, the world and the callers in tenancy_world.py.

The world is built once for the module, inside a transaction that is rolled back at the
end (as Django's ``setUpTestData`` does); each test runs in a savepoint of its own.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.accounts.models import Citizen
from imbizo.audit.models import AuditEntry
from imbizo.cases.models import Attachment, Case, CaseUpdate, WorkOrder, WorkOrderNote
from imbizo.core.config_cache import config_cache
from imbizo.geo.index import ward_index

from .tenancy_routes import CALLS, ROUTES
from .tenancy_rules import OPEN311, Call, routes_enumerated
from .tenancy_world import (
    AAA,
    BBB,
    CALLERS,
    VIEWS_CASES,
    VIEWS_RESIDENTS,
    Caller,
    World,
    world_build,
)

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_table_covers_every_route():
    """First: a route added to the API, Open311 or the site without an entry in ROUTES
    fails here, by name; so does an entry for a route that is gone."""
    enumerated, covered = routes_enumerated(), set(ROUTES)
    missing = sorted(enumerated - covered)
    assert not missing, ("Routes with no entry in tests/api/tenancy_routes.py ROUTES (say who "
                         f"may read and change what there): {missing}")
    gone = sorted(covered - enumerated)
    assert not gone, f"ROUTES entries for routes that no longer exist: {gone}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    def login(user) -> str:
        """A session that passed both factors (the console asks for the second)."""
        client = Client()
        client.force_login(user)
        session = client.session
        device = TOTPDevice.objects.create(user=user, name="tenancy", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return session.session_key

    settings = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"),
                                 CONFIG_CHECK_SECONDS=0, PASSWORD_HASHERS=FAST_HASHER)
    with django_db_blocker.unblock(), settings:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            config_cache.clear()
            ward_index.invalidate()
            yield world_build(tmp_path_factory.mktemp("boundaries"), login)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            config_cache.clear()
            ward_index.invalidate()


# --- calling a route as a caller -------------------------------------------------------
def send(world: World, call: Call, caller: Caller):
    client = world.client(caller)
    path = call.path.format(A=world.A, B=world.B)
    query, headers = dict(call.query), {}
    body = call.body(world) if call.body else {}
    key = world.keys.get(caller.name)
    if key and path.startswith(OPEN311):
        (body if call.method == "POST" else query)["api_key"] = key
    elif key:
        headers["HTTP_X_API_KEY"] = key
    if query and call.method != "GET":
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if call.method == "GET":
        return client.get(path, query, **headers)
    if call.kind == "multipart":
        files = {name: SimpleUploadedFile(f"{name}.png", data, "image/png")
                 for name, data in body.items()}
        return client.post(path, files, **headers)
    if call.kind == "form":
        return client.post(path, body, **headers)
    return client.generic(call.method, path, json.dumps(body), content_type="application/json",
                          **headers)  # POST, PUT or DELETE


def status_class(status: int) -> str:
    return f"{status // 100}xx" if status // 100 in (2, 3) else str(status)


# --- what an answer may hold -----------------------------------------------------------
def forbidden(world: World, caller: Caller, call: Call) -> dict[str, str]:
    """Text that must not appear in the answer, with why."""
    found: dict[str, str] = {}

    def add(strings, why: str) -> None:
        found.update({s: why for s in strings})

    for code in (AAA, BBB):
        personal = world.personal[code]
        if call.register:
            # A public register: public records of the municipality asked about, for anyone.
            if call.target and code != call.target:
                add(world.identifiers(code), f"a record of {code}, not {call.target}")
            add(world.identifiers(code, nonpublic_only=True), f"a non-public record of {code}")
            add(personal, f"personal data of {code}'s residents")
        elif caller.is_platform:
            continue
        elif caller.municipality != code:
            add(world.identifiers(code), f"a record of {code}, another municipality")
            add(personal, f"personal data of {code}'s residents")
        else:
            if not caller.holds(VIEWS_CASES, code):
                add(world.identifiers(code, nonpublic_only=True),
                    f"a non-public record of {code}")
            if not caller.holds(VIEWS_RESIDENTS, code):
                add(personal, f"personal data of {code}'s residents")
    return found


def world_state() -> dict:
    """Every row a write through these routes could touch."""
    return {
        "cases": list(Case.objects.order_by("pk").values_list(
            "pk", "version", "status", "department_id", "assignee_id", "merged_into_id",
            "affected_count", "reporter_id", "contact_phone")),
        "updates": CaseUpdate.objects.count(),
        "attachments": Attachment.objects.count(),
        "work_orders": list(WorkOrder.objects.order_by("pk").values_list("pk", "state")),
        "work_order_notes": WorkOrderNote.objects.count(),
        "citizens": list(Citizen.objects.order_by("pk").values_list(
            "pk", "phone", "name", "erased")),
        "audit_entries": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize("caller", CALLERS, ids=str)
@pytest.mark.parametrize("call", CALLS, ids=str)
def test_what_each_caller_may_read_and_change(world, db, call: Call, caller: Caller):
    before = world_state() if call.writes else None
    response = send(world, call, caller)
    expected = call.expect(caller)
    assert status_class(response.status_code) == status_class(expected), (
        f"{call} as {caller}: {response.status_code}, expected {expected}: "
        f"{response.content[:300]!r}")
    if 200 <= response.status_code < 300:
        text = b"".join(response.streaming_content).decode(errors="replace") \
            if response.streaming else response.content.decode()
        leaks = {s: why for s, why in forbidden(world, caller, call).items() if s in text}
        assert not leaks, f"{call} as {caller} answered {leaks}"
        if call.shows:
            missing = {s for s in call.shows(caller, world) if s not in text}
            assert not missing, f"{call} as {caller} should show {missing}"
    elif call.writes:
        assert world_state() == before, f"{call} as {caller} was refused yet changed data"
