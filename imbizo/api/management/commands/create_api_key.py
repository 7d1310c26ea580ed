"""imbizo create-api-key: a key for an integrator, printed once."""

from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from imbizo.api.keys import api_key_create
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import ROLE_PERMISSIONS, Role, system_actor
from imbizo.geo.models import Municipality

# api_key_create refuses the administrator roles: a key never manages keys or people.
ADMIN_ROLES = (Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN)
KEY_ROLES = [role for role in Role if role not in ADMIN_ROLES]
DEFAULT_ROLE = Role.AGENT


class _HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Keeps the epilog's table as written."""


def roles_epilog() -> str:
    width = max(len(role) for role in KEY_ROLES)
    lines = ["Roles a key can hold, and what each may do in the key's municipality:"]
    lines += [f"  {role.value:<{width}}  {role.label}: "
              f"{', '.join(sorted(ROLE_PERMISSIONS[role]))}" for role in KEY_ROLES]
    lines.append(f"A key cannot hold {' or '.join(ADMIN_ROLES)}.")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Create an API key for a municipality and print it (it is shown only this once)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("epilog", roles_epilog())
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("municipality_code", help="the municipality's code, e.g. DMO")
        parser.add_argument("--name", default="Integration",
                            help="what the key is for, shown beside it (default: %(default)s)")
        parser.add_argument("--role", default=DEFAULT_ROLE.value,
                            choices=[role.value for role in KEY_ROLES],
                            help="what the key may do (default: %(default)s); see below")

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
