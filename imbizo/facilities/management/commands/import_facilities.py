"""imbizo import-facilities: load a published facilities file (docs/facilities.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.facilities.catalogue import KNOWN, SourceSpec
from imbizo.facilities.importer import ImportReport, facilities_import
from imbizo.facilities.kinds import KINDS
from imbizo.facilities.models import FacilitySource

SHOWN = 40  # skipped rows and notes printed


class Command(BaseCommand):
    help = ("Import facilities of one kind from a published CSV or point shapefile, all or "
            "nothing: each bad row is reported with its reason and nothing is loaded.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV, or .shp (beside .shx and .dbf) or "
                                                    "a .zip holding them")
        parser.add_argument("--kind", required=True, help=f"one of: {', '.join(KINDS)}")
        parser.add_argument("--columns", default="",
                            help="which column holds what, e.g. name=FacilityName,"
                                 "lon=longitude,lat=latitude,ref=Code (fields: name, lon, lat, "
                                 "ref, address, phone, hours; default: found by name)")
        parser.add_argument("--source", default="",
                            help=f"the data set's key (default: recognised; known: "
                                 f"{', '.join(KNOWN)})")
        parser.add_argument("--source-name", default="")
        parser.add_argument("--licence", default="", help="e.g. CC BY 4.0")
        parser.add_argument("--licence-url", default="")
        parser.add_argument("--attribution", default="",
                            help="the text shown wherever its data is shown")
        parser.add_argument("--credit", default="",
                            help="the attribution in at most 40 characters, for USSD")
        parser.add_argument("--encoding", default="utf-8-sig",
                            help="of a CSV (default UTF-8, with or without a BOM)")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="leave bad rows out (each reported) instead of refusing "
                                 "the file")

    def handle(self, *args, **opts):
        if opts["kind"].strip().lower() not in KINDS:
            raise CommandError(f"Unknown kind {opts['kind']!r}; the kinds are: "
                               f"{', '.join(KINDS)}.")
        try:
            report = facilities_import(
                actor=system_actor("cli"), kind=opts["kind"], path=opts["file"],
                columns=opts["columns"], source=_source(opts), encoding=opts["encoding"],
                skip_invalid=opts["skip_invalid"])
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(report_text(report))


def _source(opts) -> SourceSpec | None:
    """The source named on the command line, if any: a known one, a new one with its
    terms, or one an earlier import recorded."""
    key = opts["source"].strip()
    terms = {name: opts[name].strip() for name in ("source_name", "licence", "licence_url",
                                                    "attribution", "credit")}
    if not key:
        if any(terms.values()):
            raise CommandError("--source-name, --licence, --attribution and --credit go "
                               "with --source KEY.")
        return None
    if not any(terms.values()):
        if key in KNOWN:
            return KNOWN[key]
        row = FacilitySource.objects.filter(key=key).first()
        if row is None:
            raise CommandError(f"No source {key!r} yet: give its terms (--source-name, "
                               "--licence, --attribution).")
        return SourceSpec(key, row.name, row.licence, row.licence_url, row.attribution,
                          row.credit, row.url)
    missing = [f"--{n.replace('_', '-')}" for n in ("source_name", "licence", "attribution")
               if not terms[n]]
    if missing:
        raise CommandError(f"A source needs {', '.join(missing)} too: its data is shown only "
                           "with its licence and attribution.")
    return SourceSpec(key, terms["source_name"], terms["licence"], terms["licence_url"],
                      terms["attribution"], (terms["credit"] or terms["licence"])[:40])


def report_text(report: ImportReport) -> str:
    lines = [f"{report.file} ({report.source}, {report.kind}): {report.loaded} loaded "
             f"({report.created} new, {report.updated} updated, {report.unchanged} unchanged), "
             f"{report.withdrawn} withdrawn, {len(report.skipped)} skipped, "
             f"{len(report.snapped)} snapped to the nearest ward, {report.unplaced} outside "
             "every ward held"]
    for title, notes in (("Skipped", report.skipped), ("Snapped", report.snapped),
                         ("Notes", report.warnings)):
        if notes:
            lines.append(f"{title}:")
            lines += [f"  {note}" for note in notes[:SHOWN]]
            if len(notes) > SHOWN:
                lines.append(f"  ... and {len(notes) - SHOWN} more")
    return "\n".join(lines) + "\n"
