"""imbizo import-representatives: load the published list of councillors, ward committee
members and traditional councils from a CSV file (docs/representatives.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.representatives.importer import representatives_import


class Command(BaseCommand):
    help = ("Import representatives from a CSV file, all or nothing: every bad row is "
            "reported with its line, column and reason, and then nothing is loaded.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--photos", type=Path,
                            help="folder the photo column's file names are in (default: "
                                 "the file's own folder)")
        parser.add_argument("--encoding", default="utf-8-sig",
                            help="of the file (default: UTF-8, with or without a BOM)")

    def handle(self, *args, **opts):
        try:
            r = representatives_import(actor=system_actor("cli"), path=opts["file"],
                                       photos=opts["photos"], encoding=opts["encoding"])
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"{opts['file'].name}: {r.rows} row(s): {r.created} created, {r.updated} updated, "
            f"{r.unchanged} unchanged, {r.retired} retired; {r.photos} photo(s) stored, "
            f"{r.councils} traditional council(s) created or changed"))
