"""``imbizo webpush-keys``: print a new VAPID pair for the environment (docs/web.md)."""

from django.core.management.base import BaseCommand

from imbizo.messaging.channels.webpush.keys import vapid_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push, as environment variables."

    def handle(self, *args, **options):
        public, private = vapid_pair()
        self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={public}\n"
                          f"WEBPUSH_VAPID_PRIVATE_KEY={private}\n"
                          "WEBPUSH_VAPID_SUBJECT=mailto:you@example.org\n")
