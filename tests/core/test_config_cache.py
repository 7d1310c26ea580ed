"""The configuration memo: trusted for CONFIG_CHECK_SECONDS, dropped when a trigger says
the configuration changed, whatever wrote the change."""

import uuid

import pytest
from django.db import connection, transaction
from freezegun import freeze_time

from imbizo.api.models import ApiKey
from imbizo.cases.catalogue import routing_rule_create
from imbizo.cases.models import Category
from imbizo.cases.selectors import category_for_logging
from imbizo.core.config_cache import WATCHED, ConfigCache
from imbizo.core.config_triggers import watched_tables
from imbizo.core.models import ConfigGeneration
from imbizo.core.permissions import system_actor


def token() -> str | None:
    return ConfigGeneration.objects.filter(pk=1).values_list("token", flat=True).first()


def test_every_watched_table_has_its_triggers_after_migrate(db):
    names = {table: [] for table, _ in watched_tables()}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t "
                           "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal")
        for table, name in cursor.fetchall():
            if table in names and name.startswith("imbizo_config"):
                names[table].append(name)
    expected = 3 if connection.vendor == "sqlite" else 1  # row triggers, or one statement's
    assert {t: len(n) for t, n in names.items()} == {t: expected for t in names}
    assert len(names) == len(WATCHED)


def test_a_bulk_update_that_sends_no_signal_still_moves_the_token(municipalities):
    before = token()
    Category.objects.filter(code="pothole").update(name="Pothole in the road")
    assert token() not in (None, before)


def test_an_insert_an_update_and_a_delete_each_move_the_token(municipalities):
    category = Category.objects.get(municipality=municipalities[0], code="pothole")
    seen = [token()]
    category.pk, category.uuid, category.code = None, uuid.uuid4(), "pothole-2"
    category.save()
    seen.append(token())
    category.save(update_fields=["name"])
    seen.append(token())
    category.delete()
    seen.append(token())
    assert None not in seen and len(set(seen)) == 4


def test_an_api_keys_last_used_stamp_does_not_move_the_token(municipalities):
    from imbizo.api.keys import api_key_create

    row, _key = api_key_create(actor=system_actor("cli"), municipality=municipalities[0],
                               name="CRM")
    before = token()
    ApiKey.objects.filter(pk=row.pk).update(last_used="2026-12-01T10:00:00Z")
    assert token() == before
    ApiKey.objects.filter(pk=row.pk).update(active=False)
    assert token() != before


def test_the_memo_is_trusted_within_the_interval_and_reloaded_after_a_change(
        municipalities, settings):
    aaa, _ = municipalities
    assert category_for_logging(aaa, "pothole").name == "Pothole"
    settings.CONFIG_CHECK_SECONDS = 3600
    Category.objects.filter(municipality=aaa, code="pothole").update(name="Pothole (road)")
    assert category_for_logging(aaa, "pothole").name == "Pothole"  # trusted
    settings.CONFIG_CHECK_SECONDS = 0
    assert category_for_logging(aaa, "pothole").name == "Pothole (road)"


def test_a_clock_that_ran_backwards_is_no_proof_of_freshness(municipalities, settings):
    """freezegun's frozen monotonic clock is far ahead of the real one: a memo checked
    while time was frozen must be checked again once it runs."""
    aaa, _ = municipalities
    settings.CONFIG_CHECK_SECONDS = 3600
    with freeze_time("2030-01-01"):
        assert category_for_logging(aaa, "pothole").name == "Pothole"
    Category.objects.filter(municipality=aaa, code="pothole").update(name="Pothole (road)")
    assert category_for_logging(aaa, "pothole").name == "Pothole (road)"


def test_a_category_missing_from_the_memo_is_asked_of_the_database(municipalities, settings):
    aaa, _ = municipalities
    category_for_logging(aaa, "pothole")
    settings.CONFIG_CHECK_SECONDS = 3600
    Category.objects.filter(municipality=aaa, code="pothole").update(code="pothole-new")
    assert category_for_logging(aaa, "pothole-new").code == "pothole-new"


def test_a_routing_rule_added_later_routes_the_next_case(log_case, department, municipalities):
    assert log_case().department.code == "roads"
    routing_rule_create(actor=system_actor("cli"), municipality=municipalities[0],
                        department=department("water"),
                        category=Category.objects.get(municipality=municipalities[0],
                                                      code="pothole"))
    assert log_case().department.code == "water"


def test_a_rolled_back_change_leaves_nothing_behind_in_the_memo(municipalities):
    aaa, _ = municipalities

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Category.objects.filter(municipality=aaa, code="pothole").update(name="Never")
        assert category_for_logging(aaa, "pothole").name == "Never"
        raise Undo
    assert category_for_logging(aaa, "pothole").name == "Pothole"


def test_without_a_token_row_nothing_is_memoised(db):
    ConfigGeneration.objects.all().delete()
    memo, loads = ConfigCache(), []
    for _ in range(2):
        assert memo.get("k", lambda: loads.append(1) or "v") == "v"
    assert len(loads) == 2


def test_a_value_keep_refuses_is_answered_but_not_memoised(db):
    memo, loads = ConfigCache(), []
    for _ in range(2):
        assert memo.get("k", lambda: loads.append(1), keep=lambda v: v is not None) is None
    assert memo.get("j", lambda: loads.append(2) or "v") == "v"
    assert memo.get("j", lambda: loads.append(3) or "w") == "v"
    assert loads == [1, 1, 2]


def test_a_revoked_api_key_stops_working(client, municipalities):
    from imbizo.api.keys import api_key_create

    row, key = api_key_create(actor=system_actor("cli"), municipality=municipalities[0],
                              name="CRM", role="supervisor")
    assert client.get("/api/v1/cases", HTTP_X_API_KEY=key).status_code == 200
    ApiKey.objects.filter(pk=row.pk).update(active=False)
    assert client.get("/api/v1/cases", HTTP_X_API_KEY=key).status_code == 401
