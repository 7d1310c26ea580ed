from django.core.management.base import BaseCommand, CommandError

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_create
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality


class Command(BaseCommand):
    help = "Create an API key for a municipality and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("municipality_code")
        parser.add_argument("--name", default="Integration")
        parser.add_argument("--role", default=Role.AGENT, choices=Role.values)

    def handle(self, *args, **opts):
        municipality = Municipality.objects.filter(code=opts["municipality_code"]).first()
        if municipality is None:
            raise CommandError(f"No municipality {opts['municipality_code']!r}.")
        try:
            _row, key = api_key_create(actor=system_actor("cli"), municipality=municipality,
                                       name=opts["name"], role=opts["role"])
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(key)
