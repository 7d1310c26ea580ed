"""The ``imbizo`` command: Django's management commands, with dashes allowed.

``imbizo seed-demo`` runs ``seed_demo``; ``imbizo migrate`` runs ``migrate``.
"""

import os
import sys


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
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
