"""Writing and verifying the audit chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .models import AuditEntry, ChainHead

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: datetime, actor: str, channel: str, action: str,
            object_type: str, object_id: str, municipality_code: str, changes: dict) -> str:
    body = json.dumps(
        [seq, at.isoformat(), actor, channel, action, object_type, object_id,
         municipality_code, changes],
        cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def audit_record(*, actor: str, action: str, obj: Model | None = None, object_type: str = "",
                 object_id: str = "", channel: str = "system", municipality_code: str = "",
                 changes: dict | None = None) -> AuditEntry:
    """Append one entry. Call it last in the writing transaction: it holds the chain lock."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "uuid", None) or obj.pk)
    # Round-trip through JSON so the hash covers exactly what the database stores.
    changes = json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _head_advance()
        at = timezone.now()
        digest = _digest(prev_hash, seq, at, actor, channel, action, object_type, object_id,
                         municipality_code, changes)
        entry = AuditEntry.objects.create(
            seq=seq, at=at, actor=actor, channel=channel, action=action,
            object_type=object_type, object_id=object_id,
            municipality_code=municipality_code, changes=changes,
            prev_hash=prev_hash, hash=digest,
        )
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET hash = %s WHERE id = 1", [digest])
    return entry


_HEAD = ChainHead._meta.db_table


def audit_chain_hold() -> None:
    """Lock the chain's head now, until the transaction ends. For a transaction that will
    write more than one audited change with another lock in between (a case's reference
    counter after a resident's registration): taking the chain first, as every such
    transaction then does, no two of them ever wait for each other in a circle."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_HEAD} SET seq = seq WHERE id = 1")


def _head_advance() -> tuple[int, str]:
    """Take the chain's next number and the hash before it. The UPDATE locks the head row
    until the transaction ends, so writers take their turns and the chain never forks.
    Plain SQL: this runs in every write, and the ORM's compiling cost more than the query."""
    sql = f"UPDATE {_HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            ChainHead.objects.get_or_create(pk=1)
            cursor.execute(sql)
            row = cursor.fetchone()
    return row[0], row[1]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify() -> ChainReport:
    """Walk the chain in order; name the first entry whose link or hash is wrong."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if e.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing")
        if e.prev_hash != prev:
            return ChainReport(checked, e.seq, "its previous-hash does not match the entry before")
        digest = _digest(e.prev_hash, e.seq, e.at, e.actor, e.channel, e.action, e.object_type,
                         e.object_id, e.municipality_code, e.changes)
        if digest != e.hash:
            return ChainReport(checked, e.seq, "its contents were changed after it was written")
        prev, expected_seq, checked = e.hash, expected_seq + 1, checked + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head and head.seq != checked:
        return ChainReport(checked, checked + 1, f"the chain head expects {head.seq} entries")
    return ChainReport(checked)
