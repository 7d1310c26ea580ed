from django.core.management import call_command
from django.core.management.base import BaseCommand

from imbizo.core.processes import run_together, web_command, worker_command


class Command(BaseCommand):
    help = "Serve web, API and the task worker (granian WSGI); Ctrl-C stops everything."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="serve HTTP only")

    def handle(self, *args, **opts):
        call_command("collectstatic", interactive=False, verbosity=0)
        commands = [web_command(opts["host"], opts["port"])]
        if not opts["no_worker"]:
            commands.append(worker_command())
        self.stdout.write(f"Imbizo at http://{opts['host']}:{opts['port']}/ (Ctrl-C stops)")
        raise SystemExit(run_together(commands))
