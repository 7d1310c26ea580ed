import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from imbizo.audit.models import AuditEntry
from imbizo.audit.services import audit_record, audit_verify


def write(n: int) -> None:
    for i in range(n):
        audit_record(actor="user:1", channel="web", action="thing.change", object_type="thing",
                     object_id=str(i), municipality_code="AAA", changes={"field": i, "é": "ü"})


def test_each_entry_links_to_the_one_before(db):
    write(3)
    entries = list(AuditEntry.objects.all())
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert audit_verify().ok and audit_verify().checked == 3


def test_an_edited_entry_is_named(db):
    write(4)
    AuditEntry.objects.filter(seq=2).update(changes={"field": 999})
    report = audit_verify()
    assert (report.ok, report.broken_at) == (False, 2)
    assert "changed after it was written" in report.reason


def test_a_deleted_entry_is_named(db):
    write(4)
    AuditEntry.objects.filter(seq=3).delete()
    report = audit_verify()
    assert report.broken_at == 3 and "missing" in report.reason


def test_a_deleted_last_entry_is_caught_by_the_head(db):
    write(3)
    AuditEntry.objects.filter(seq=3).delete()
    assert audit_verify().broken_at == 3


def test_a_rewritten_chain_tail_is_caught(db):
    write(3)
    AuditEntry.objects.filter(seq=2).update(prev_hash="f" * 64)
    assert audit_verify().broken_at == 2


def test_verify_command_reports_both_ways(db, capsys):
    write(2)
    call_command("verify_audit")
    assert "intact: 2 entries" in capsys.readouterr().out
    AuditEntry.objects.filter(seq=1).update(actor="someone-else")
    with pytest.raises(CommandError, match="broken at entry 1"):
        call_command("verify_audit")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    def worker():
        try:
            write(20)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit_verify()
    assert report.ok and report.checked == 160
