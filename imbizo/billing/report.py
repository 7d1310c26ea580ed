"""The reconciliation report of one import: what was read, created, updated, left
unchanged and rejected (with where and why), and the totals loaded against the control
totals the file declared."""

from dataclasses import dataclass, field
from decimal import Decimal

from .models import ARREARS_BUCKETS, ImportBatch
from .reading import Rejection
from .records import AccountRow, RowError, money

REPORT_LIMIT = 10_000  # rejected rows listed in the stored report; all are counted
TOTALS = ("balance", *(f"arrears_{b}" for b in ARREARS_BUCKETS))
KINDS = ("accounts", "statements", "transactions")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportResult:
    batch: ImportBatch
    rows_read: int = 0
    accounts: Counts = field(default_factory=Counts)
    statements: Counts = field(default_factory=Counts)
    transactions: Counts = field(default_factory=Counts)
    rejected: list[Rejection] = field(default_factory=list)  # the first REPORT_LIMIT
    loaded: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(TOTALS, Decimal(0)))
    declared: dict[str, object] = field(default_factory=dict)  # the file's control totals
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected_count(self) -> int:
        return sum(getattr(self, kind).rejected for kind in KINDS)

    def reject(self, rejection: Rejection) -> None:
        getattr(self, rejection.kind).rejected += 1
        if len(self.rejected) < REPORT_LIMIT:
            self.rejected.append(rejection)

    def add_total(self, row: AccountRow) -> None:
        loaded = self.loaded
        loaded["balance"] += row.balance
        for bucket, value in zip(ARREARS_BUCKETS, row.arrears, strict=True):
            loaded[f"arrears_{bucket}"] += value

    def declare(self, control: dict) -> None:
        """Control totals, flat: ``"arrears": {"30": ...}`` becomes ``arrears_30``."""
        flat = {k: v for k, v in control.items() if k != "arrears"}
        if isinstance(control.get("arrears"), dict):
            flat |= {f"arrears_{k}": v for k, v in control["arrears"].items()}
        self.declared |= {k: v for k, v in flat.items() if k in ("accounts", *TOTALS)}

    def reconciliation(self) -> list[dict]:
        """Each control total the file declared against what loaded (created, updated or
        unchanged); a difference is explained by the rejected rows."""
        a = self.accounts
        loaded = {"accounts": a.created + a.updated + a.unchanged, **self.loaded}
        found = []
        for name, declared in self.declared.items():
            try:
                value = int(str(declared)) if name == "accounts" \
                    else money({name: declared}, name)
            except (RowError, ValueError):
                found.append({"total": name, "declared": str(declared),
                              "loaded": loaded[name], "matches": False})
                continue
            found.append({"total": name, "declared": value, "loaded": loaded[name],
                          "matches": value == loaded[name]})
        return found

    def as_dict(self) -> dict:
        """JSON-ready, as stored on the import batch and answered by the API."""
        return {
            "batch": str(self.batch.uuid), "source": self.batch.source,
            "rows_read": self.rows_read,
            **{kind: vars(getattr(self, kind)) for kind in KINDS},
            "loaded": {k: str(v) for k, v in self.loaded.items()},
            "reconciliation": [{**r, "declared": str(r["declared"]), "loaded": str(r["loaded"])}
                               for r in self.reconciliation()],
            "ignored_columns": self.ignored_columns,
            "rejected": [vars(r) for r in self.rejected],
            "rejected_not_listed": self.rejected_count - len(self.rejected),
        }
