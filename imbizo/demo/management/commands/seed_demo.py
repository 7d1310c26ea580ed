from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from imbizo.core.errors import ImbizoError
from imbizo.demo.geography import DEFAULT_SEED, MUNICIPALITY_CODE
from imbizo.demo.seed import CASES, demo_seed


class Command(BaseCommand):
    help = ("Load the generated, fictional demo municipality DMO: wards, suburbs, a traditional "
            "authority, departments, a login for every role (docs/demo.md) and residents. "
            "Runs once; a second run reuses what is there.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="load even with DEBUG off (the demo logins' password is public)")
        parser.add_argument("--cases", type=int, default=CASES,
                            help=f"historical cases to generate (default {CASES})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"seed of the generated data (default {DEFAULT_SEED})")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like a real installation. The demo adds a fictional "
                "municipality, staff logins whose password is published and made-up residents. "
                "Use `imbizo demo` to try Imbizo, or pass --force to load the demo here anyway."
            )
        try:
            report = demo_seed(seed=options["seed"], cases=options["cases"])
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        what = (f"{report.name} ({MUNICIPALITY_CODE}): {report.wards} wards, "
                f"{report.departments} departments, {report.staff} staff logins, "
                f"{report.residents} residents, {report.accounts} municipal accounts")
        if report.loaded:
            self.stdout.write(self.style.SUCCESS(
                f"Loaded the demo municipality {what} in {report.seconds:.1f} s. "
                "Logins: docs/demo.md."))
        else:
            self.stdout.write(f"The demo municipality is already loaded; reusing it: {what}.")
