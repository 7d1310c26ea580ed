"""`imbizo demo-totp <username>`: the current sign-in code of a demo staff login.

It answers only for a device holding the demo's published secret (imbizo/demo/totp.py);
for any other user it refuses, so it cannot read a real staff member's codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.demo.totp import demo_totp_code, is_demo_device


class Command(BaseCommand):
    help = "Print the current console sign-in code of a demo staff user (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        devices = TOTPDevice.objects.filter(user=user, confirmed=True) if user else []
        demo = [d for d in devices if is_demo_device(d)]
        if user is None or not demo or len(demo) != len(devices):
            raise CommandError(f"{username} has no demo TOTP device: this command only "
                               "answers for the demo's staff logins.")
        self.stdout.write(demo_totp_code(demo[0]))
