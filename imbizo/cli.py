"""The ``imbizo`` command: Django's management commands, with dashes allowed.

``imbizo seed-demo`` runs ``seed_demo``; ``imbizo migrate`` runs ``migrate``.
"""

import os
import sys


def _demo_webpush_keys() -> None:
    """Web Push in the demo: a VAPID pair made once and kept in the var directory (the
    same one settings use), unless the environment gives one."""
    if os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY"):
        return
    from pathlib import Path

    from imbizo.messaging.channels.webpush.keys import demo_pair

    var = Path(os.environ.get("IMBIZO_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    public, private = demo_pair(var / "demo-vapid.json")
    os.environ["WEBPUSH_VAPID_PUBLIC_KEY"], os.environ["WEBPUSH_VAPID_PRIVATE_KEY"] = (
        public, private)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbizo.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        if argv[1] == "demo":
            # The demo is for trying Imbizo on one's own machine: debug pages, plain HTTP.
            os.environ.setdefault("DEBUG", "true")
            # The simulator signs its WhatsApp and Telegram requests as the providers
            # would; a real deployment sets its own secrets.
            for name in ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET",
                         "TELEGRAM_SECRET_TOKEN"):
                os.environ.setdefault(name, "imbizo-demo")
            _demo_webpush_keys()
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
