from pathlib import Path

from django.core.management.base import BaseCommand

from imbizo.core.errors import ImbizoError
from imbizo.core.import_errors import import_refused
from imbizo.core.permissions import system_actor
from imbizo.loadshedding.importer import loadshedding_import


class Command(BaseCommand):
    help = ("Import load-shedding area schedules: DIR/generated/*.csv and "
            "DIR/area_metadata.yaml (eskom-calendar), all or nothing (docs/loadshedding.md).")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        try:
            report = loadshedding_import(actor=system_actor("cli"), directory=directory)
        except ImbizoError as exc:
            raise import_refused(self, exc) from None
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(self.style.SUCCESS(
            f"Areas: {report.areas_created} created, {report.areas_updated} updated, "
            f"{report.areas_unchanged} unchanged; {report.slots_written} slots written "
            f"in {report.seconds:.1f} s."))
