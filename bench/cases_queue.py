"""The queue over a million cases: one 50-row page per filter the API offers, built and
timed in process as `GET /api/v1/cases` builds it, with EXPLAIN ANALYZE of its query and
what that plan says (indexes used, rows read, sorts)."""

import datetime as dt
import re
import statistics
import time

from _common import say


def queue_filters() -> list[tuple[str, dict, int, str]]:
    """(label, CaseFilters arguments, rows to skip with the cursor, actor)."""
    from django.utils import timezone

    from imbizo.cases.models import OPEN_STATUSES

    now = timezone.now()
    return [
        ("no filter", {}, 0, "key"),
        ("status=assigned", {"status": ["assigned"]}, 0, "key"),
        ("department=water, status open", {"department": "water",
                                           "status": [str(s) for s in OPEN_STATUSES]}, 0, "key"),
        ("ward=29901003 (town)", {"ward": "29901003"}, 0, "key"),
        ("ward=29901030 (rural)", {"ward": "29901030"}, 0, "key"),
        ("category=pothole", {"category": "pothole"}, 0, "key"),
        ("category=fire (rare)", {"category": "fire"}, 0, "key"),
        ("overdue=true", {"overdue": True}, 0, "key"),
        ("created: one month, 2-3 months ago", {"created_from": now - dt.timedelta(days=90),
                                                "created_to": now - dt.timedelta(days=60)},
         0, "key"),
        ("cursor 10,000 rows deep", {}, 10_000, "key"),
        ("cursor 500,000 rows deep", {}, 500_000, "key"),
        ("no filter, water supervisor (department scope)", {}, 0, "supervisor"),
    ]


def index_columns() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case'")
        return {name: re.sub(r" WHERE .*", " WHERE status is open" if "'reopened'" in definition
                             else " WHERE …", re.sub(r"^.*USING \w+ ", "", definition))
                for name, definition in cur}


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cur.fetchall()]


def plan_summary(plan: list[str], indexes: dict[str, str]) -> dict:
    """The cases_case indexes the plan uses, how many of its rows it read (kept and
    filtered out), whether it scans or sorts the table, and the server's time."""
    used, read, scanning = [], 0, False
    for line in plan:
        for name in re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\S+) on cases_case\b"
                               r"|Bitmap Index Scan on (\S+)", line):
            name = next(n for n in name if n) if isinstance(name, tuple) else name
            if name in indexes and not name.endswith("_pkey") and \
                    f"`{indexes[name]}`" not in used:
                used.append(f"`{indexes[name]}`")
        node = re.search(r"(?:Scan|Bitmap Heap Scan).* on cases_case(?: cases_case)?"
                         r" +\(.*actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)", line)
        if node and not re.search(r"on cases_case t\d", line):
            read += int(node.group(1)) * int(node.group(2))
            scanning = True
        elif "->" in line:
            scanning = False
        elif scanning and (removed := re.search(r"Rows Removed by (?:Filter|Index Recheck): "
                                                r"(\d+)", line)):
            read += int(removed.group(1))
    text = "\n".join(plan)
    sort = ("incremental sort" if "Incremental Sort" in text else
            "top-N sort" if "top-N heapsort" in text else
            "sort on disk" if "external" in text else "sort" if "Sort Method" in text else "")
    execution = re.search(r"Execution Time: ([\d.]+) ms", text)
    planning = re.search(r"Planning Time: ([\d.]+) ms", text)
    return {"indexes": used, "rows_read": read, "sort": sort,
            "seq_scan": bool(re.search(r"Seq Scan on cases_case(?! t\d)", text)),
            "execution_ms": float(execution.group(1)) if execution else None,
            "planning_ms": float(planning.group(1)) if planning else None}


def page_once(actor, filters, cursor: str | None) -> tuple[str, object]:
    """One page of the queue as `GET /api/v1/cases` builds it (imbizo/api/cases.py)."""
    from imbizo.api.cases import CaseOut, CasePageOut
    from imbizo.cases.selectors import case_filter, case_list, case_page

    qs = case_filter(case_list(actor=actor).select_related("merged_into"), filters)
    page = case_page(qs, cursor=cursor, limit=50)
    body = {"items": [CaseOut.from_case(c) for c in page.items], "next_cursor": page.next_cursor}
    return CasePageOut.model_validate(body).model_dump_json(), page


def queue_bench(key: str, runs: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from imbizo.accounts.permissions import staff_actor
    from imbizo.api.keys import api_key_actor
    from imbizo.cases.models import Case
    from imbizo.cases.selectors import CaseFilters, _cursor_encode, case_filter, case_list

    actors = {"key": api_key_actor(key),
              "supervisor": staff_actor(get_user_model().objects.get(username="demo-supervisor"))}
    indexes = index_columns()
    results = []
    for label, arguments, depth, who in queue_filters():
        actor, filters = actors[who], CaseFilters(**arguments)
        cursor = None
        if depth:
            qs = case_filter(case_list(actor=actor), filters).order_by("-created", "-pk")
            found = list(qs.values_list("created", "pk")[depth - 1:depth])
            if not found:
                continue  # a smaller run than the default
            cursor = _cursor_encode(Case(created=found[0][0], pk=found[0][1]))
        page_once(actor, filters, cursor)
        page_once(actor, filters, cursor)
        times = []
        for _ in range(runs):
            mark = time.perf_counter()
            page_once(actor, filters, cursor)
            times.append((time.perf_counter() - mark) * 1000)
        with CaptureQueriesContext(connection) as captured:
            _json, page = page_once(actor, filters, cursor)
        sql = [q["sql"] for q in captured.captured_queries if 'FROM "cases_case"' in q["sql"]]
        plan = explain(sql[-1])
        results.append({"label": label, "median_ms": statistics.median(times),
                        "max_ms": max(times), "rows": len(page.items),
                        "queries": len(captured.captured_queries), "sql": sql[-1],
                        "plan": plan, **plan_summary(plan, indexes)})
        say(f"   {label}: {results[-1]['median_ms']:.1f} ms ({results[-1]['rows']} rows)")
    return results

