from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.services import LEVELS, Fields, boundaries_import


class Command(BaseCommand):
    help = "Import a boundary layer (GeoJSON or zipped shapefile, WGS84), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=LEVELS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--code-property", default="Code")
        parser.add_argument("--name-property", default="Name")
        parser.add_argument("--parent-property", default="Parent_cod")
        parser.add_argument("--number-property", default="",
                            help="ward number property (default: last 3 digits of the code)")
        parser.add_argument("--parent", default="",
                            help="one parent code for every feature, e.g. CPT")

    def handle(self, *args, **opts):
        spec = Fields(code=opts["code_property"], name=opts["name_property"],
                      parent=opts["parent_property"], number=opts["number_property"],
                      fixed_parent=opts["parent"])
        try:
            result = boundaries_import(actor=system_actor("cli"), level=opts["level"],
                                       path=opts["file"], spec=spec,
                                       progress=opts["verbosity"] > 0)
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"{result.level}: {result.created} created, {result.updated} updated"
            + (f", {len(result.repaired)} invalid geometries repaired "
               f"({', '.join(result.repaired[:10])})" if result.repaired else "")
        ))
