import os

from django.core.management.base import BaseCommand

from imbizo.core.processes import worker_command


class Command(BaseCommand):
    help = "Run the task worker (database queue, or RQ when REDIS_URL is set)."

    def handle(self, *args, **opts):
        cmd = worker_command()
        os.execv(cmd[0], cmd)
