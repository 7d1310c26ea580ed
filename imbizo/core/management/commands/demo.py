from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the demo municipality (once) and serve everything."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=1)
        call_command("seed_demo")
        call_command("serve", host=opts["host"], port=opts["port"])
