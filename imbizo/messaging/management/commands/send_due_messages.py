from django.core.management.base import BaseCommand

from imbizo.messaging.services import message_dispatch_due


class Command(BaseCommand):
    help = "Enqueue again queued messages whose send task is overdue (run it every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit: int, **opts):
        count = message_dispatch_due(limit=limit)
        self.stdout.write(f"{count} overdue message(s) enqueued.")
