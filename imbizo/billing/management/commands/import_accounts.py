"""imbizo import-accounts: load the billing system's accounts file (docs/billing.md)."""

from itertools import chain
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from imbizo.billing.importer import accounts_import
from imbizo.billing.report import ImportResult
from imbizo.billing.sources import csv_accounts, csv_statements, csv_transactions, jsonl_entries
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import municipalities_served

SHOWN = 50  # rejected rows printed; the batch's report in the admin holds them all


class Command(BaseCommand):
    help = ("Import utility accounts, statements and transactions from the billing system: "
            "good rows load, each bad row is reported with its line and reason, and a row "
            "unchanged since the last import is left as it is.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="accounts: CSV, or JSON Lines with "
                                                    "statements and transactions nested")
        parser.add_argument("--format", choices=["csv", "json"],
                            help="default: from the file's name (.csv, else JSON Lines)")
        parser.add_argument("--municipality", help="its code (default: the only municipality "
                                                   "served, if there is one)")
        parser.add_argument("--statements", type=Path,
                            help="CSV of statement lines, one row a line (with --format csv)")
        parser.add_argument("--transactions", type=Path,
                            help="CSV of transactions (with --format csv)")
        parser.add_argument("--encoding", default="utf-8-sig",
                            help="of the files (default: UTF-8, with or without a BOM; "
                                 "an export from Excel may need cp1252)")

    def handle(self, *args, **opts):
        path, encoding = opts["file"], opts["encoding"]
        kind = opts["format"] or ("csv" if path.suffix.lower() == ".csv" else "json")
        if kind == "json" and (opts["statements"] or opts["transactions"]):
            raise CommandError("--statements and --transactions go with --format csv; in JSON "
                               "Lines they are nested in each account.")
        if kind == "csv":
            entries = chain(csv_accounts(path, encoding), *(
                read(opts[name], encoding) for name, read in (
                    ("statements", csv_statements), ("transactions", csv_transactions))
                if opts[name]))
        else:
            entries = jsonl_entries(path, encoding)
        bar = tqdm(desc=f"importing {path.name}", unit=" rows", disable=opts["verbosity"] < 1,
                   mininterval=1)
        try:
            result = accounts_import(
                actor=system_actor("cli"), municipality=_municipality(opts["municipality"]),
                entries=entries, source=", ".join(p.name for p in (
                    path, opts["statements"], opts["transactions"]) if p),
                progress=bar.update)
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        self.stdout.write(report_text(result))
        rejected = result.rejected_count
        unmatched = [r["total"] for r in result.reconciliation() if not r["matches"]]
        problems = [f"{rejected} row(s) rejected"] if rejected else []
        if unmatched:
            problems.append(f"control total(s) not matched: {', '.join(unmatched)}")
        if problems:
            raise CommandError(" and ".join(problems) + "; every other row was loaded.",
                               returncode=1)


def _municipality(code: str | None) -> Municipality:
    if code:
        found = Municipality.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"No municipality {code!r}.")
        return found
    served = municipalities_served(limit=2)
    if len(served) != 1:
        raise CommandError("Name the municipality: --municipality CODE.")
    return served[0]


def report_text(r: ImportResult) -> str:
    """The reconciliation report, as the command prints it."""
    lines = [f"{r.batch.source} into {r.batch.municipality.code}: {r.rows_read} account "
             "row(s) read"]
    for kind in ("accounts", "statements", "transactions"):
        c = getattr(r, kind)
        lines.append(f"  {kind:<13} {c.created} created, {c.updated} updated, "
                     f"{c.unchanged} unchanged, {c.rejected} rejected")
    lines.append("  loaded        " + ", ".join(f"{k} R {v:,.2f}" for k, v in r.loaded.items()))
    for row in r.reconciliation():
        verdict = "matches" if row["matches"] else "DOES NOT MATCH"
        lines.append(f"  control       {row['total']}: declared {row['declared']}, loaded "
                     f"{row['loaded']}: {verdict}")
    if r.ignored_columns:
        lines.append(f"  ignored columns: {', '.join(r.ignored_columns)}")
    if r.rejected:
        lines.append("rejected:")
        lines += [f"  {x.where}" + (f" (account {x.account})" if x.account else "")
                  + f": {x.reason}" for x in r.rejected[:SHOWN]]
        if r.rejected_count > SHOWN:
            lines.append(f"  ... and {r.rejected_count - SHOWN} more (listed in import "
                         f"batch {r.batch.uuid}, in the admin)")
    return "\n".join(lines)
