import json

from django.core.management.base import BaseCommand, CommandError

from imbizo.core.errors import ImbizoError
from imbizo.geo.selectors import locate


class Command(BaseCommand):
    help = "Print, as JSON, the ward, municipality, province and traditional authority at a point."

    def add_arguments(self, parser):
        parser.add_argument("lat", type=float)
        parser.add_argument("lon", type=float)

    def handle(self, *args, **opts):
        try:
            place = locate(lat=opts["lat"], lon=opts["lon"])
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(place.as_dict(), ensure_ascii=False))
