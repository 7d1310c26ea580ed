"""A row inserted unless its unique key is taken, in one statement and no transaction.

``INSERT ... ON CONFLICT (...) DO NOTHING RETURNING id`` (PostgreSQL, SQLite 3.35+) for the
hottest writes: a webhook's message stored once however often the provider retries, a
resident's first USSD session made once however many hops race. The ORM's
``get_or_create`` takes a savepoint and a second look-up for the same effect.
"""

import functools

from django.db import connection, models


def insert_unless_present(obj: models.Model, conflict: tuple[str, ...]) -> int | None:
    """Insert the unsaved ``obj`` (every field but its id, as set or defaulted on it) and
    return the new row's id; None if a row with the same ``conflict`` fields exists."""
    model = type(obj)
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, conflict), params)
        row = cursor.fetchone()
    return row[0] if row else None


@functools.cache
def _sql(model: type[models.Model], conflict: tuple[str, ...]) -> str:
    meta, quote = model._meta, connection.ops.quote_name
    columns = [quote(f.column) for f in meta.concrete_fields if not f.primary_key]
    keys = ", ".join(quote(meta.get_field(name).column) for name in conflict)
    return (f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({keys}) DO NOTHING RETURNING {quote(meta.pk.column)}")
