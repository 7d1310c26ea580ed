"""Many residents logging at once: the reference is taken in a transaction of its own,
so this is where a number could be shared or a retried request logged twice."""

import threading

import pytest
from django.db import connection

from imbizo.audit.services import audit_verify
from imbizo.cases.models import Case
from imbizo.cases.reference import reference_parse
from imbizo.cases.services import Location, case_log

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_together(*jobs) -> list[Exception]:
    errors: list[Exception] = []
    start = threading.Barrier(len(jobs))

    def run(job) -> None:
        try:
            start.wait()
            job()
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_cases_get_distinct_numbers_and_racing_retries_one_case(
        municipalities, resident):
    def log(**kwargs) -> Case:
        return case_log(actor=resident, category="pothole", description="Hole",
                        location=Location(latitude=-29.95, longitude=20.05), **kwargs)

    retried: list[int] = []

    def ten() -> None:
        for _ in range(10):
            log()

    def retry() -> None:
        retried.append(log(idempotency_key="same-request").pk)

    errors = run_together(*[ten] * 6, *[retry] * 4)

    assert errors == []
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == 61 and len(set(references)) == 61
    assert all(reference_parse(r) == r for r in references)
    # Only a retry that lost its race can have left a gap behind its number.
    assert max(int(r.split("-")[2]) for r in references) <= 61 + 3
    assert len(set(retried)) == 1 and Case.objects.filter(pk=retried[0]).count() == 1
    assert audit_verify().ok
