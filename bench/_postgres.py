"""PostgreSQL as both benchmarks use it: the server on 127.0.0.1:5432 (user postgres), a
database of their own made afresh each run, and binary COPY of numpy columns."""

import numpy as np

PG_DSN = "host=127.0.0.1 port=5432 user=postgres"


def connect(dbname: str = "postgres", **kwargs):
    import psycopg

    return psycopg.connect(f"{PG_DSN} dbname={dbname}", **kwargs)


def unreachable(exc: Exception) -> str:
    """The prerequisite problem to report when `connect` failed with `exc`."""
    return f"PostgreSQL at 127.0.0.1:5432 (user postgres) is not reachable: {str(exc).strip()}"


def recreate_database(name: str) -> str:
    """Drop the database `name` (connections and all) and create it empty; the server's
    version. A checkpoint last, so that the writes of the last run (a million cases) are
    not flushed while this one is timed."""
    with connect(autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
        admin.execute("CHECKPOINT")
        return admin.execute("SELECT current_setting('server_version')").fetchone()[0]


def copy_binary(conn, target: str, columns: list[tuple[str, str, np.ndarray]]) -> None:
    """COPY `target` FROM STDIN in PostgreSQL's binary format, the rows laid out by numpy:
    one (name, big-endian numpy type, values) per column, in `target`'s order."""
    parts = [("fields", ">i2")]
    for name, kind, _values in columns:
        parts += [(f"{name}_len", ">i4"), (name, kind)]
    rows = np.empty(len(columns[0][2]), dtype=np.dtype(parts))
    rows["fields"] = len(columns)
    for name, kind, values in columns:
        rows[f"{name}_len"] = np.dtype(kind).itemsize
        rows[name] = values
    payload = b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"
    with conn.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(payload)


def problems() -> list[str]:
    """The prerequisite problem, if any, of using the PostgreSQL server."""
    import psycopg

    try:
        with connect(connect_timeout=5):
            return []
    except psycopg.OperationalError as exc:
        return [unreachable(exc)]
