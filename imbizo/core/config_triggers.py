"""Triggers that replace the configuration token on every change to a watched table.

Installed after every ``migrate`` rather than by a migration: SQLite rebuilds a table
(and drops its triggers) for most column changes, so a later migration of a watched
model would silently stop its invalidation. Reinstalling each time costs milliseconds.
The token is random, never a counter: a rolled-back change must not leave behind a
token that a later, different change could produce again.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from .config_cache import WATCHED
from .models import ConfigGeneration

_PG_TOUCH = ("INSERT INTO core_configgeneration (id, token) "
             "VALUES (1, md5(random()::text || clock_timestamp()::text)) "
             "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token")
_PG_FUNCTION = ("CREATE OR REPLACE FUNCTION imbizo_config_touch() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {_PG_TOUCH}; RETURN NULL; END $$")
_SQLITE_TOUCH = ("INSERT OR REPLACE INTO core_configgeneration (id, token) "
                 "VALUES (1, lower(hex(randomblob(16))))")


def watched_tables(existing: set[str] | None = None) -> list[tuple[str, list[str] | None]]:
    """(table, columns whose updates count, or None for all) for each watched model whose
    table is in ``existing`` (all of them by default)."""
    tables = []
    for label, ignored in WATCHED.items():
        meta = apps.get_model(label)._meta
        if existing is not None and meta.db_table not in existing:
            continue
        columns = [f.column for f in meta.concrete_fields if f.name not in ignored]
        tables.append((meta.db_table, columns if ignored else None))
    return tables


def _update_event(columns: list[str] | None) -> str:
    return "UPDATE OF " + ", ".join(f'"{c}"' for c in columns) if columns else "UPDATE"


def trigger_statements(vendor: str, existing: set[str] | None = None) -> list[str]:
    if vendor == "postgresql":
        statements = [_PG_FUNCTION]
        for table, columns in watched_tables(existing):
            update = _update_event(columns)
            statements += [
                f'DROP TRIGGER IF EXISTS imbizo_config ON "{table}"',
                f'CREATE TRIGGER imbizo_config AFTER INSERT OR {update} OR DELETE OR TRUNCATE '
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION imbizo_config_touch()',
            ]
        return statements
    if vendor == "sqlite":
        statements = []
        for table, columns in watched_tables(existing):
            update = _update_event(columns)
            for event, when in (("insert", "INSERT"), ("update", update), ("delete", "DELETE")):
                name = f"imbizo_config_{table}_{event}"
                statements += [f'DROP TRIGGER IF EXISTS "{name}"',
                               f'CREATE TRIGGER "{name}" AFTER {when} ON "{table}" '
                               f"BEGIN {_SQLITE_TOUCH}; END"]
        return statements
    raise ImproperlyConfigured(f"Imbizo runs on PostgreSQL or SQLite, not {vendor}.")


def triggers_install(*, using: str = "default", **_kwargs) -> None:
    """post_migrate receiver: (re)install every trigger and make sure the row exists."""
    connection = connections[using]
    # A partial migrate (``migrate geo`` on a new database) has not made every table yet;
    # the full one that follows installs the rest.
    existing = set(connection.introspection.table_names())
    if ConfigGeneration._meta.db_table not in existing:
        return
    with connection.cursor() as cursor:
        for sql in trigger_statements(connection.vendor, existing):
            cursor.execute(sql)
        # A new token: whatever the migration changed, every process reloads.
        cursor.execute(_SQLITE_TOUCH if connection.vendor == "sqlite" else _PG_TOUCH)
