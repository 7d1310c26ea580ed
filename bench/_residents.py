"""The set-up the fan-out benchmarks share (a broadcast, a meeting, load-shedding alerts):
a fresh PostgreSQL database with the demo municipality, and many residents of one ward
written server-side, each agreed to news and alerts. Nothing here is timed."""

import time

from _common import say
from _harness import begin_run, django_env, django_setup, machine
from _postgres import problems as postgres_problems
from _postgres import recreate_database

LANGUAGES = ("en", "zu", "xh", "af")


def residents_create(ward, count: int, phone_prefix: str) -> None:
    """``count`` residents of ``ward`` (numbers ``phone_prefix`` and seven digits), a
    language of four, a third preferring WhatsApp and the rest SMS, who agreed to news
    and alerts; then ANALYZE, as autovacuum would have done on a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_citizen (uuid, created, updated, phone, name, id_number, "
            "email, language, preferred_channel, municipality_id, ward_id) "
            "SELECT gen_random_uuid(), now(), now(), %s || lpad(i::text, 7, '0'), "
            "'', '', '', (%s::text[])[1 + i %% 4], "
            "CASE WHEN i %% 3 = 0 THEN 'whatsapp' ELSE 'sms' END, %s, %s "
            "FROM generate_series(1, %s) AS i",
            [phone_prefix, list(LANGUAGES), ward.municipality_id, ward.pk, count])
        cursor.execute(
            "INSERT INTO accounts_consent (uuid, created, updated, citizen_id, purpose, "
            "channel, given) SELECT gen_random_uuid(), now(), now(), id, 'broadcasts', "
            "'web', now() FROM accounts_citizen WHERE ward_id = %s", [ward.pk])
        cursor.execute("ANALYZE")


def demo_ward_ready(*, work, database: str, ward_number: int, residents: int,
                    phone_prefix: str):
    """The run begun (None if it cannot be: said why), the database recreated, migrated,
    the demo loaded and ``residents`` residents of its ward ``ward_number`` written: the
    report's first facts, PostgreSQL's version and the ward."""
    busy = begin_run(postgres_problems(), work)
    if busy is None:
        return None
    found = {"machine": machine(), "busy": busy, "begun": time.monotonic()}
    postgresql = recreate_database(database)
    django_setup(django_env(f"postgres://postgres@127.0.0.1:5432/{database}", work))
    from django.core.management import call_command

    from imbizo.demo.seed import demo_seed
    from imbizo.geo.models import Ward

    say("migrating and loading the demo municipality ...")
    call_command("migrate", verbosity=0)
    demo_seed(residents=0, cases=0)
    ward = Ward.objects.defer("boundary").get(municipality__code="DMO", number=ward_number)
    say(f"creating {residents:,} residents of ward {ward_number} ...")
    residents_create(ward, residents, phone_prefix)
    return found, postgresql, ward
