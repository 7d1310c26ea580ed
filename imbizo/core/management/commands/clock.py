import signal
import threading

from django.core.management.base import BaseCommand

from imbizo.core.clock import JOBS, clock_run, clock_tick


class Command(BaseCommand):
    help = "Run the repeating safety-net jobs (re-enqueue lost message and webhook tasks)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")

    def handle(self, *args, once: bool, **opts):
        if once:
            for path, count in clock_tick(0.0, {}).items():
                self.stdout.write(f"{path}: {count}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"clock running {len(JOBS)} jobs (Ctrl-C stops)")
        clock_run(stop)
