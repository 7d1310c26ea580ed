from django.core.management import call_command
from django.core.management.base import BaseCommand

from imbizo.core.processes import clock_command, run_together, web_command, worker_command


class Command(BaseCommand):
    help = ("Serve web, API, the task worker and the clock (granian WSGI); Ctrl-C stops "
            "everything.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true",
                            help="serve HTTP only (no worker, no clock)")

    def handle(self, *args, **opts):
        call_command("collectstatic", interactive=False, verbosity=0)
        commands = [web_command(opts["host"], opts["port"])]
        if not opts["no_worker"]:
            commands += [worker_command(), clock_command()]
        self.stdout.write(f"Imbizo at http://{opts['host']}:{opts['port']}/ (Ctrl-C stops)")
        raise SystemExit(run_together(commands))
