"""imbizo export-payments: the completed payments, as a CSV the billing system loads
(docs/billing.md, "Payments")."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imbizo.billing.payment_export import payments_export
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since takes a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = ("Write the completed payments not yet exported as CSV for the billing system, "
            "and mark them exported.")

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="its code (default: every municipality)")
        parser.add_argument("--since", type=_date,
                            help="only payments made on or after this date (YYYY-MM-DD)")
        parser.add_argument("--again", action="store_true",
                            help="include payments exported before (to write a file again)")
        parser.add_argument("--output", "-o", type=Path,
                            help="the file to write (default: standard output)")

    def handle(self, *args, **opts):
        municipality = None
        if opts["municipality"]:
            municipality = Municipality.objects.filter(code=opts["municipality"].upper()).first()
            if municipality is None:
                raise CommandError(f"No municipality {opts['municipality']!r}.")
        path = opts["output"]
        out = path.open("w", encoding="utf-8", newline="") if path else self.stdout
        try:
            export = payments_export(actor=system_actor("cli"), out=out,
                                     municipality=municipality, since=opts["since"],
                                     again=opts["again"])
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        except BaseException:
            if path:
                out.close()
                path.unlink(missing_ok=True)  # nothing was marked: leave no half file
            raise
        if path:
            out.close()
        self.stderr.write(f"{export.count} payment(s), R {export.total:,.2f}, batch "
                          f"{export.batch}")
