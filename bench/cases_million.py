"""A million cases for the queue benchmark, written the fast way: drawn as numpy arrays
from the demo history's model, binary COPY into a staging table, one INSERT ... SELECT
into cases_case, then VACUUM ANALYZE."""

import datetime as dt
import time

import numpy as np
from _common import points_inside
from _postgres import connect, copy_binary
from cases_config import PG_DB, SEED

STATUSES = ("assigned", "in_progress", "on_hold", "resolved", "closed", "rejected", "cancelled")
A, IP, OH, RS, CL, RJ, CN = range(len(STATUSES))
STAGING = [  # column, PostgreSQL type, numpy type (big-endian, for binary COPY)
    ("seq", "int4", ">i4"), ("category", "int2", ">i2"), ("ward", "int2", ">i2"),
    ("department", "int2", ">i2"), ("status", "int2", ">i2"), ("channel", "int2", ">i2"),
    ("period", "int4", ">i4"), ("number", "int4", ">i4"), ("check_digit", "int2", ">i2"),
    ("version", "int4", ">i4"), ("escalation", "int2", ">i2"), ("affected", "int4", ">i4"),
    ("rating", "int2", ">i2"), ("ack_breached", "bool", "u1"),
    ("resolve_breached", "bool", "u1"), ("latitude", "float8", ">f8"),
    ("longitude", "float8", ">f8"), ("created", "float8", ">f8"), ("updated", "float8", ">f8"),
    ("ack_due", "float8", ">f8"), ("resolve_due", "float8", ">f8"),
    ("acknowledged", "float8", ">f8"), ("paused", "float8", ">f8"),
    ("resolved", "float8", ">f8"), ("closed", "float8", ">f8"),
]


def damm_digits(period: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Check digits of `reference_format` for arrays of YYMM periods and sequences."""
    from imbizo.cases.reference import _DAMM

    table = np.array(_DAMM)
    interim = np.zeros(len(period), dtype=np.int64)
    for power in (1000, 100, 10, 1):
        interim = table[interim, (period // power) % 10]
    width = np.maximum(4, np.floor(np.log10(np.maximum(number, 1))).astype(int) + 1)
    for position in range(int(width.max()) - 1, -1, -1):
        digit = (number // 10 ** position) % 10
        interim = np.where(position < width, table[interim, digit], interim)
    return interim


def million_arrays(n: int, seed: int, now: dt.datetime) -> tuple[dict, dict]:
    """The generated columns (numpy) and the lookup lists the INSERT maps them with. The
    same seasons, hours, wards and service levels as the demo's history
    (imbizo/demo/case_model.py), with each case's life drawn as whole arrays in calendar
    time."""
    import holidays
    import shapely
    from django.conf import settings

    from imbizo.accounts.models import Department
    from imbizo.cases.calendar import SAST
    from imbizo.cases.models import Category, ReferenceCounter, RoutingRule
    from imbizo.cases.sla import hours_for
    from imbizo.demo import case_model as demo
    from imbizo.demo.geography import TOWN_WARDS
    from imbizo.geo.models import Municipality, Ward

    rng = np.random.default_rng(seed)
    dmo = Municipality.objects.get(code="DMO")
    cats = list(Category.objects.filter(municipality=dmo, department__isnull=False)
                .select_related("department").order_by("code"))
    codes = [c.code for c in cats]
    wards = list(Ward.objects.filter(municipality=dmo).order_by("number"))
    departments = list(Department.objects.filter(municipality=dmo).order_by("code"))
    dept_index = {d.pk: i for i, d in enumerate(departments)}
    first = now.astimezone(SAST).date() - dt.timedelta(days=demo.HISTORY_DAYS)
    za = holidays.country_holidays("ZA", years=range(first.year - 1, now.year + 1))
    weights = np.array([[demo.category_day_weight(code, first + dt.timedelta(days=d), za)
                         for code in codes] for d in range(demo.HISTORY_DAYS)])
    cell = rng.choice(weights.size, size=n, p=(weights / weights.sum()).ravel())
    day, cat = np.divmod(cell, len(codes))
    hour, ward = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    busy = rng.uniform(0.7, 1.3, len(wards))
    town = np.array([w.number <= TOWN_WARDS for w in wards])
    for k, code in enumerate(codes):
        mask = cat == k
        profile = demo.profile_for(code)
        hours = np.array(profile.hours)
        hour[mask] = rng.choice(24, size=mask.sum(), p=hours / hours.sum())
        wp = busy * np.where(town, profile.town, 1.0)
        ward[mask] = rng.choice(len(wards), size=mask.sum(), p=wp / wp.sum())
    midnight = dt.datetime.combine(first, dt.time(0), SAST).timestamp()
    created = midnight + day * 86400.0 + hour * 3600.0 + rng.uniform(0, 3600, n)
    order = np.argsort(created, kind="stable")
    created, cat, ward = created[order], cat[order], ward[order]
    department = np.array([dept_index[c.department_id] for c in cats])[cat]
    rule = RoutingRule.objects.filter(municipality=dmo, ward__isnull=False).first()
    if rule is not None:
        ward_ids = [w.pk for w in wards]
        hit = (cat == codes.index(rule.category.code)) & (ward == ward_ids.index(rule.ward_id))
        department[hit] = dept_index[rule.department_id]
    # Points: rejection sampling inside each case's ward.
    geoms = np.array([shapely.from_wkb(bytes(w.boundary)) for w in wards])
    lon, lat = points_inside(geoms, ward, rng)
    channels = np.array(list(demo.CHANNELS.values()), dtype=float)
    channel = rng.choice(len(channels), size=n, p=channels / channels.sum())
    # A life per case, in calendar time: working-hour spans are stretched by 168/45.
    stretch = np.array([1.0 if hours_for(c) is None else 168 / 45 for c in cats])[cat]
    ack_span = np.array([float(c.ack_hours) for c in cats])[cat] * 3600 * stretch
    res_span = np.array([float(c.resolve_hours) for c in cats])[cat] * 3600 * stretch
    emergency = np.array([c.priority == "emergency" for c in cats])[cat]
    met_rate = np.array([demo.MET.get(d.code, 0.75) for d in departments])[department]
    local = (created + 7200).astype(np.int64).astype("datetime64[s]")  # SAST, no DST
    months = local.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    month = months % 12 + 1
    water = department == [d.code for d in departments].index("water")
    met_rate = np.where(water & np.isin(month, (6, 7, 8)),
                        met_rate - demo.WINTER_WATER_PENALTY, met_rate)
    ack_at = created + ack_span * np.where(rng.random(n) < demo.ACK_MET,
                                           rng.uniform(0.05, 0.95, n),
                                           1.05 + rng.exponential(1.0, n))
    res_at = np.maximum(created + res_span * np.where(rng.random(n) < met_rate,
                                                      rng.uniform(0.15, 0.97, n),
                                                      1.03 + rng.exponential(0.9, n)),
                        ack_at + 600)
    hold = (rng.random(n) < demo.HOLD) & ~emergency
    hold_len = np.where(rng.random(n) < 0.8, rng.uniform(0.5, 10, n),
                        rng.uniform(20, 120, n)) * 86400
    paused_at = ack_at + (res_at - ack_at) * rng.uniform(0.1, 0.9, n)
    resumed_at = paused_at + hold_len
    res_at = np.where(hold, res_at + hold_len, res_at)
    close_at = res_at + np.where(rng.random(n) < demo.RESIDENT_CLOSES,
                                 rng.uniform(0.1, 6, n) * 86400,
                                 settings.CASE_AUTOCLOSE_DAYS * 86400.0)
    fate = rng.random(n)
    rejected, cancelled = fate < demo.REJECTED, \
        (fate >= demo.REJECTED) & (fate < demo.REJECTED + demo.CANCELLED)
    reject_at = created + ack_span * rng.uniform(0.1, 1.2, n)
    cancel_at = created + (res_at - created) * rng.uniform(0.05, 0.7, n)
    t = now.timestamp()
    status = np.select(
        [rejected & (reject_at <= t), cancelled & (cancel_at <= t), rejected | (ack_at > t),
         hold & (paused_at <= t) & (resumed_at > t), res_at > t, close_at > t],
        [RJ, CN, A, OH, IP, RS], default=CL)
    resolve_due = created + res_span
    resolve_due = np.where(hold & (resumed_at <= t) & (status != OH), resolve_due + hold_len,
                           resolve_due)
    ack_due = created + ack_span
    done = np.isin(status, (RS, CL))
    acked = (ack_at <= t) & (status != RJ) & ~((status == CN) & (ack_at > cancel_at))
    stop = np.select([done, status == RJ, status == CN, status == OH],
                     [res_at, reject_at, cancel_at, paused_at], default=t)
    resolve_breached = stop > resolve_due
    late = stop - resolve_due
    escalation = np.where(resolve_breached, 1 + (late >= 86400) + (late >= 3 * 86400), 0)
    rate = (status == CL) & (rng.random(n) < demo.RATES * 0.8)
    rating = np.where(resolve_breached, rng.choice(5, n, p=np.array(demo.RATINGS_LATE) / 100),
                      rng.choice(5, n, p=np.array(demo.RATINGS_MET) / 100)) + 1
    share = np.array([demo.profile_for(c).followers[0] for c in codes])[cat]
    most = np.array([demo.profile_for(c).followers[1] for c in codes])[cat]
    affected = 1 + np.where((rng.random(n) < share) & (status != RJ),
                            rng.integers(1, most + 1), 0)
    version = np.array([1, 2, 3, 3, 4, 2, 2])[status] + np.where(
        hold & (status != OH) & (resumed_at <= t), 2, 0)
    nan = np.full(n, np.nan)
    acknowledged = np.where(acked, ack_at, nan)
    ended = np.select([status == CL, done, status == OH], [close_at, res_at, paused_at],
                      default=np.where(acked, ack_at, created))
    # References continue each month's counter, in order of logging.
    period = (1970 + months // 12) % 100 * 100 + months % 12 + 1
    counters = dict(ReferenceCounter.objects.filter(municipality=dmo)
                    .values_list("period", "last"))
    starts = np.r_[0, np.flatnonzero(np.diff(period)) + 1]
    base = np.array([counters.get(f"{p:04d}", 0) for p in period[starts]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    number = np.arange(n) - starts[group] + 1 + base[group]
    columns = {
        "seq": np.arange(n), "category": cat, "ward": ward, "department": department,
        "status": status, "channel": channel, "period": period, "number": number,
        "check_digit": damm_digits(period, number), "version": version,
        "escalation": escalation, "affected": affected, "rating": np.where(rate, rating, 0),
        "ack_breached": np.where(acked, ack_at, stop) > ack_due,
        "resolve_breached": resolve_breached, "latitude": np.round(lat, 6),
        "longitude": np.round(lon, 6), "created": created,
        "updated": np.minimum(np.maximum(ended, created), t), "ack_due": ack_due,
        "resolve_due": resolve_due, "acknowledged": acknowledged,
        "paused": np.where(status == OH, paused_at, nan),
        "resolved": np.where(done, res_at, nan), "closed": np.where(status == CL, close_at, nan),
    }
    suburbs = [(w.suburbs.splitlines() or [w.name])[0] for w in wards]
    lookups = {
        "municipality": dmo.pk, "category_ids": [c.pk for c in cats],
        "priorities": [c.priority for c in cats], "public": [c.public for c in cats],
        "ward_ids": [w.pk for w in wards], "department_ids": [d.pk for d in departments],
        "channels": list(demo.CHANNELS), "statuses": list(STATUSES),
        "descriptions": [demo.profile_for(c.code).descriptions[0].format(
            suburb=s, street="Main Road", number=12) for c in cats for s in suburbs],
        "wards": len(wards), "suburbs": suburbs,
        "counters": {f"{p:04d}": int(number[e - 1]) for p, e in
                     zip(period[starts], np.r_[starts[1:], n], strict=True)},
    }
    return columns, lookups


def copy_staging(conn, columns: dict) -> None:
    conn.execute("DROP TABLE IF EXISTS bench_staging")
    conn.execute("CREATE UNLOGGED TABLE bench_staging (" + ", ".join(
        f"{name} {pg} NOT NULL" for name, pg, _ in STAGING) + ")")
    copy_binary(conn, "bench_staging", [(name, kind, columns[name])
                                        for name, _pg, kind in STAGING])


def insert_sql(lookups: dict) -> tuple[str, dict]:
    """INSERT INTO cases_case ... SELECT from the staging table, one column per model field;
    a field this script does not know gets its model default."""
    from django.db import connection

    from imbizo.cases.models import Case

    def stamp(column: str) -> str:
        return f"CASE WHEN s.{column} = 'NaN' THEN NULL ELSE to_timestamp(s.{column}) END"

    known = {
        "uuid": "md5('imbizo-bench-' || s.seq)::uuid", "created": "to_timestamp(s.created)",
        "updated": "to_timestamp(s.updated)", "municipality_id": "%(municipality)s",
        "reference": "'DMO-' || lpad(s.period::text, 4, '0') || '-' "
                     "|| lpad(s.number::text, greatest(4, length(s.number::text)), '0') "
                     "|| '-' || s.check_digit",  # lpad alone cuts 10000 to 1000
        "category_id": "(%(category_ids)s::bigint[])[s.category + 1]",
        "description": "(%(descriptions)s::text[])[s.category * %(wards)s + s.ward + 1]",
        "extra": "'{}'::jsonb", "latitude": "s.latitude", "longitude": "s.longitude",
        "address": "'12 Main Road, ' || (%(suburbs)s::text[])[s.ward + 1]",
        "ward_id": "(%(ward_ids)s::bigint[])[s.ward + 1]", "reporter_id": "NULL",
        "contact_name": "''", "contact_phone": "''", "contact_email": "''",
        "channel": "(%(channels)s::text[])[s.channel + 1]",
        "priority": "(%(priorities)s::text[])[s.category + 1]",
        "status": "(%(statuses)s::text[])[s.status + 1]",
        "department_id": "(%(department_ids)s::bigint[])[s.department + 1]",
        "team_id": "NULL", "assignee_id": "NULL", "version": "s.version",
        "public": "(%(public)s::boolean[])[s.category + 1]",
        "ack_due": "to_timestamp(s.ack_due)", "resolve_due": "to_timestamp(s.resolve_due)",
        "acknowledged": stamp("acknowledged"), "paused": stamp("paused"),
        "resolved": stamp("resolved"), "closed": stamp("closed"),
        "ack_breached": "s.ack_breached", "resolve_breached": "s.resolve_breached",
        "escalation_level": "s.escalation", "affected_count": "s.affected",
        "merged_into_id": "NULL",
        "rejection_reason": f"CASE WHEN s.status = {RJ} THEN 'duplicate' ELSE '' END",
        "rating": "NULLIF(s.rating, 0)", "feedback": "''", "idempotency_key": "NULL",
    }
    params = {k: v for k, v in lookups.items() if k != "counters"}
    names, values = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(connection.ops.quote_name(field.column))
        if field.column in known:
            values.append(known[field.column])
        elif field.has_default() or field.null:
            params[f"default_{field.column}"] = field.get_db_prep_save(
                field.get_default(), connection)
            values.append(f"%(default_{field.column})s")
        else:
            raise RuntimeError(f"cases_case.{field.column} is new to bench/cases_million.py: "
                               "give it a value in insert_sql()")
    sql = (f"INSERT INTO cases_case ({', '.join(names)}) SELECT {', '.join(values)} "
           "FROM bench_staging s ORDER BY s.seq")
    return sql, params


def fill_million(n: int) -> dict:
    from django.utils import timezone

    from imbizo.cases.models import Case, ReferenceCounter
    from imbizo.cases.reference import reference_parse
    from imbizo.geo.models import Municipality

    phases = {}
    mark = time.perf_counter()
    columns, lookups = million_arrays(n, SEED, timezone.now())
    phases["generate"] = time.perf_counter() - mark
    sql, params = insert_sql(lookups)
    with connect(PG_DB, autocommit=True) as conn:
        mark = time.perf_counter()
        copy_staging(conn, columns)
        phases["copy"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with conn.transaction():
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute(sql, params)
        phases["insert"] = time.perf_counter() - mark
        conn.execute("DROP TABLE bench_staging")
        mark = time.perf_counter()
        conn.execute("VACUUM ANALYZE cases_case")
        phases["analyze"] = time.perf_counter() - mark
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case'))") \
            .fetchone()[0]
    dmo = Municipality.objects.get(code="DMO")
    for period, last in lookups["counters"].items():
        ReferenceCounter.objects.update_or_create(municipality=dmo, period=period,
                                                  defaults={"last": last})
    sample = Case.objects.order_by("?").values_list("reference", flat=True)[:200]
    assert all(reference_parse(r) == r for r in sample), "bad reference in the bulk rows"
    statuses = dict(zip(*np.unique(np.array(STATUSES)[columns["status"]], return_counts=True),
                        strict=True))
    return {"phases": phases, "size": size, "total": Case.objects.count(),
            "statuses": {k: int(v) for k, v in statuses.items()},
            "open_overdue": int(np.sum(np.isin(columns["status"], (A, IP, OH))
                                       & (columns["resolve_due"] < time.time())))}

