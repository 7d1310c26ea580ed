"""Writing many rows at once, as plain tuples: COPY on PostgreSQL, one prepared statement
run over every row on SQLite. No model instance is made, so an import spends its time on
the database rather than on Python objects (docs/performance.md, "Billing import").

Ids are taken ahead from the table's own sequence, so a statement and its lines go in
one pass without reading anything back.
"""

from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(n) for n in names)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def to_db(model: type[Model], field: str) -> Callable[[object], object]:
    """The field's own conversion to a database value (a uuid, a moment, JSON), for the
    columns whose form differs between databases."""
    found = model._meta.get_field(field)
    return lambda value: found.get_db_prep_save(value, connection)


def rows_fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset. On PostgreSQL the query is planned afresh
    each time rather than prepared: a plan made while a table was nearly empty (a
    sequential scan, testing each row against a thousand keys) was kept as the table
    grew, and took two thirds of a 50,000-account import."""
    if connection.vendor != "postgresql":
        return list(queryset)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # asked for none
        return []
    with connection.cursor() as cursor:
        cursor.cursor.execute(sql, params, prepare=False)
        return cursor.cursor.fetchall()


def ids_take(model: type[Model], count: int) -> list[int]:
    """``count`` new ids of ``model``'s table, which no other writer will be given."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence hands this connection a thousand values at a time (migration
            # 0002), so this takes milliseconds and locks nothing.
            cursor.execute("SELECT array_agg(nextval(seq)) FROM generate_series(1, %s), "
                           "CAST(pg_get_serial_sequence(%s, 'id') AS regclass) AS seq",
                           [count, table])
            return cursor.fetchone()[0]
        # SQLite gives an AUTOINCREMENT table ids above its sqlite_sequence row, which we
        # move on; the transaction (IMMEDIATE) holds the database's write lock meanwhile.
        assert connection.in_atomic_block, "take SQLite ids inside the writing transaction"
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        last = row[0] if row else 0
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                           [last + count, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                           [table, last + count])
    return list(range(last + 1, last + count + 1))


def rows_insert(model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Values as the database takes them in text: str, int, Decimal, date, an aware
    datetime, JSON as its text, None."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {_table(model)} ({_quoted(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {_table(model)} ({_quoted(columns)}) "
                               f"VALUES ({marks})", rows)


def rows_update(model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Each row is the new values of ``columns`` followed by the id."""
    if not rows:
        return
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {_table(model)} SET {assignments} WHERE id = %s", rows)
