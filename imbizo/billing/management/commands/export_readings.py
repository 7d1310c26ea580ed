"""imbizo export-readings: the meter readings ready for the billing system, as CSV
(docs/billing.md, "Meter readings")."""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imbizo.billing.readings import readings_export
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import municipalities_served


class Command(BaseCommand):
    help = ("Write the meter readings ready for the billing system (not flagged, or "
            "reviewed by revenue staff) as CSV, and mark them exported: those not exported "
            "yet, or with --since every one read on or after that day.")

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="its code (default: the only municipality "
                                                   "served, if there is one)")
        parser.add_argument("--since", type=date.fromisoformat,
                            help="YYYY-MM-DD: export again every reading read since then")
        parser.add_argument("--output", type=Path,
                            help="the CSV file to write (default: standard output)")

    def handle(self, *args, **opts):
        municipality = _municipality(opts["municipality"])
        path: Path | None = opts["output"]
        partial = path.with_name(path.name + ".partial") if path else None
        try:
            if partial is None:
                readings = readings_export(actor=system_actor("cli"), municipality=municipality,
                                           since=opts["since"], out=sys.stdout)
            else:
                # Written beside, then moved into place: the file is whole or absent.
                with partial.open("w", encoding="utf-8", newline="") as out:
                    readings = readings_export(actor=system_actor("cli"),
                                               municipality=municipality,
                                               since=opts["since"], out=out)
                partial.replace(path)
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        finally:
            if partial is not None:
                partial.unlink(missing_ok=True)
        self.stderr.write(f"{len(readings)} reading(s) of {municipality.code} exported"
                          + (f" to {path}" if path else ""))


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
