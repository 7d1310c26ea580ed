"""The billing system pushes accounts over the API, and staff and keys read them: the same
rules as the import file, answered in problem+json, within the caller's municipality."""

import json

import pytest

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_create
from imbizo.audit.models import AuditEntry
from imbizo.billing.models import UtilityAccount
from imbizo.core.permissions import system_actor

from .conftest import account

URL = "/api/v1/billing/accounts"


@pytest.fixture
def keys(two_municipalities):
    aaa, bbb = two_municipalities

    def key(municipality, role):
        return api_key_create(actor=system_actor("cli"), municipality=municipality,
                              name="Billing", role=role)[1]
    return {"billing": key(aaa, Role.MANAGER), "agent": key(aaa, Role.AGENT),
            "officer": key(aaa, Role.OFFICER), "other": key(bbb, Role.MANAGER)}


def push(client, key: str | None, body: dict):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/" + code), body
    return body


def test_the_billing_system_pushes_accounts_and_again_changes_nothing(client, keys):
    body = {"accounts": [account("1001"), account("1002")],
            "control": {"accounts": 2, "balance": "3040.70"}}
    first = push(client, keys["billing"], body)
    assert first.status_code == 200, first.content
    answer = first.json()
    assert answer["accounts"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert answer["statements"]["created"] == 4 and answer["rows_read"] == 2
    assert {r["total"]: r["matches"] for r in answer["reconciliation"]} == {
        "accounts": True, "balance": True}
    again = push(client, keys["billing"], body).json()
    assert again["accounts"]["unchanged"] == 2 and again["statements"]["unchanged"] == 4
    assert UtilityAccount.objects.filter(municipality__code="AAA").count() == 2
    assert AuditEntry.objects.filter(action="billing.import",
                                     actor__startswith="apikey:").count() == 2


def test_bad_rows_are_answered_each_with_its_reason_and_the_good_rows_load(client, keys):
    body = {"accounts": [account("1001"), account("1002", balance="12,50"),
                         {"holder_name": "Nobody", "balance": "1.00"}]}
    response = push(client, keys["billing"], body)
    answer = problem(response, 422, "invalid_rows")
    assert [(e["where"], e["field"], e["reason"][:30]) for e in answer["errors"]] == [
        ("accounts[1]", "balance", "balance '12,50' is not an amou"),
        ("accounts[2]", "account_number", "account_number is missing")]
    assert answer["accounts"]["created"] == 1 and answer["accounts"]["rejected"] == 2
    assert "every other row was loaded" in answer["detail"]
    assert list(UtilityAccount.objects.values_list("account_number", flat=True)) == ["1001"]


def test_a_body_that_is_not_accounts_at_all_is_refused_whole(client, keys):
    response = push(client, keys["billing"], {"accounts": [account("1003"), "not an object"]})
    assert problem(response, 400, "invalid_request")["errors"] == [
        {"field": "accounts.1", "message": "Input should be a valid dictionary"}]
    assert not UtilityAccount.objects.exists()


def test_text_the_database_cannot_hold_is_a_bad_row(client, keys):
    answer = problem(push(client, keys["billing"],
                          {"accounts": [account("1001", holder_name="Lone \ud800")]}),
                     422, "invalid_rows")
    assert "not text" in answer["errors"][0]["reason"]


def test_only_a_key_that_may_import_pushes_and_only_into_its_municipality(client, keys):
    body = {"accounts": [account("1001")]}
    assert problem(push(client, None, body), 401, "unauthenticated")
    assert problem(push(client, keys["agent"], body), 403, "permission_denied")
    assert problem(push(client, keys["officer"], body), 403, "permission_denied")
    other = push(client, keys["other"], {**body, "municipality": "AAA"})
    assert problem(other, 403, "permission_denied")
    assert not UtilityAccount.objects.exists()
    assert push(client, keys["other"], body).status_code == 200  # into its own, BBB
    assert UtilityAccount.objects.get().municipality.code == "BBB"


def test_a_push_is_limited_in_size_and_a_staff_session_names_the_municipality(
        client, keys, make_staff, two_municipalities):
    too_many = {"accounts": [account(str(n)) for n in range(1001)]}
    assert problem(push(client, keys["billing"], too_many), 400, "too_many_accounts")
    manager = make_staff({"role": Role.MANAGER, "municipality": two_municipalities[0]})
    client.force_login(manager.user)
    assert problem(push(client, None, {"accounts": [account()]}), 400,
                   "municipality_required")
    assert push(client, None, {"municipality": "AAA", "accounts": [account()]}) \
        .status_code == 200


def test_an_account_reads_with_its_balance_and_last_statements(client, keys):
    push(client, keys["billing"], {"accounts": [account("1001")]})
    response = client.get(f"{URL}/AAA/1001", HTTP_X_API_KEY=keys["agent"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["balance"], body["ward"], body["due_date"]) == ("1520.35", "90100001",
                                                                 "2026-07-15")
    assert body["arrears"] == {"current": "420.35", "30": "300.00", "60": "0.00",
                               "90": "0.00", "120": "800.00"}
    assert [s["period"] for s in body["statements"]] == ["2026-06", "2026-05"]
    assert "holder_id" not in response.content.decode() and "phone" not in body
    june = client.get(f"{URL}/AAA/1001/statements/2026-06", HTTP_X_API_KEY=keys["agent"])
    assert [x["amount"] for x in june.json()["lines"]] == ["440.00", "80.35"]
    problem(client.get(f"{URL}/AAA/1001/statements/June", HTTP_X_API_KEY=keys["agent"]),
            400, "invalid_period")
    problem(client.get(f"{URL}/AAA/1001/statements/2020-01", HTTP_X_API_KEY=keys["agent"]),
            404, "statement_not_found")


def test_another_municipalitys_key_or_a_key_without_billing_view_finds_nothing(client, keys):
    push(client, keys["billing"], {"accounts": [account("1001")]})
    for key in (keys["other"], keys["officer"]):
        problem(client.get(f"{URL}/AAA/1001", HTTP_X_API_KEY=key), 404, "account_not_found")
        problem(client.get(f"{URL}/AAA/1001/statements/2026-06", HTTP_X_API_KEY=key), 404,
                "account_not_found")
