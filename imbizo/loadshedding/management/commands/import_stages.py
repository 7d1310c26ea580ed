from pathlib import Path

from django.core.management.base import BaseCommand

from imbizo.core.errors import ImbizoError
from imbizo.core.import_errors import import_refused
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.services import stages_import


class Command(BaseCommand):
    help = ("Import a national load-shedding stage history (CSV: created_at,stage), all or "
            "nothing (docs/loadshedding.md).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            report = stages_import(actor=system_actor("cli"), path=file)
        except ImbizoError as exc:
            raise import_refused(self, exc) from None
        newest = f"; newest {report.newest:%Y-%m-%d %H:%M}" if report.newest else ""
        self.stdout.write(self.style.SUCCESS(
            f"Stage changes: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged{newest}"
            + (" (announced)" if report.announced else "") + "."))
