"""Importing accounts from the billing system: a file (the ``import-accounts`` command) or
a push over the API, one function for both.

The rule for bad rows (docs/billing.md): every good row loads; each bad row is reported
with where it is and why, and changes nothing. Incremental and idempotent: each account
and statement carries a hash of its content, so a row the same as last time is counted
unchanged and not written; a changed row is updated in place; accounts, statements and
transactions not in the file are left alone.

Rows are checked a chunk at a time in a thread (reading.py) while the chunk before is
written (writing.py), each chunk in a transaction of its own. An import that stops
half-way keeps the chunks it finished; running it again finds them unchanged.
"""

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from imbizo.audit.services import audit_record
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality, Ward

from .arrangements import arrangements_match_payments
from .models import ImportBatch
from .payment_export import payments_reconcile
from .readahead import read_ahead
from .reading import Chunk, ChunkReader
from .report import KINDS, ImportResult
from .sources import Entry
from .writing import ChunkWriter

CHUNK = 5000  # entries a transaction


def accounts_import(*, actor: Actor, municipality: Municipality, entries: Iterable[Entry],
                    source: str, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Load accounts, statements and transactions into ``municipality`` (see the module).
    A file that cannot be read at all raises ImbizoError before anything is written."""
    require(actor, "billing.import", municipality.pk)
    wards = Ward.objects.filter(municipality=municipality).values_list("pk", "code", "number")
    reader = ChunkReader({key: pk for pk, code, number in wards for key in (code, str(number))})
    result = writer = None
    with _collector_paused():
        for chunk in read_ahead(reader.chunks(entries, CHUNK)):
            if result is None:  # the file could be read: an import is under way
                result = _start(actor, municipality, source)
                writer = ChunkWriter(municipality, result)
            _take(result, chunk)
            with transaction.atomic():
                writer.write(chunk)
            if progress:
                progress(chunk.size)
    result = _finish(actor, municipality, result or _start(actor, municipality, source))
    payments_reconcile(actor=actor, municipality=municipality)  # the payments it brought
    arrangements_match_payments(actor=actor, municipality=municipality)  # their instalments
    return result


def _start(actor: Actor, municipality: Municipality, source: str) -> ImportResult:
    return ImportResult(ImportBatch.objects.create(
        municipality=municipality, source=source[:200], actor=actor.label,
        channel=actor.channel, started=timezone.now()))


def _take(result: ImportResult, chunk: Chunk) -> None:
    """What the reader found besides rows to write."""
    result.rows_read += chunk.rows_read
    result.declare(chunk.declared)
    result.ignored_columns += chunk.ignored_columns
    for rejection in chunk.rejected:
        result.reject(rejection)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while rows are read: it walked every object alive each
    few thousand tuples made, about a tenth of an import's time. Rows make no cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@transaction.atomic
def _finish(actor: Actor, municipality: Municipality, result: ImportResult) -> ImportResult:
    batch = result.batch
    batch.finished = timezone.now()
    batch.rows_read = result.rows_read
    for name in ("created", "updated", "unchanged", "rejected"):
        setattr(batch, f"accounts_{name}", getattr(result.accounts, name))
    batch.report = result.as_dict()
    batch.save(update_fields=["finished", "rows_read", "accounts_created", "accounts_updated",
                              "accounts_unchanged", "accounts_rejected", "report", "updated"])
    audit_record(actor=actor.label, channel=actor.channel, action="billing.import",
                 obj=batch, municipality_code=municipality.code,
                 changes={"source": batch.source, "rows_read": result.rows_read,
                          **{kind: vars(getattr(result, kind)) for kind in KINDS}})
    return result
