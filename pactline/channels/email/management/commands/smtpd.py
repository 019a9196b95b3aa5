"""`pactline smtpd` — receive support mail over SMTP for the clients' support addresses."""

from __future__ import annotations

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pactline.channels.email.smtp import SmtpListener, SupportMailHandler, max_message_bytes


class Command(BaseCommand):
    help = (
        "Run the SMTP listener for the support addresses of every client's agreement in force. "
        "Ctrl-C stops it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("PACTLINE_SMTP_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PACTLINE_SMTP_PORT", "8025"))
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="largest message accepted (default: PACTLINE_SMTP_MAX_BYTES, else 25 MB)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # aiosmtpd logs every SMTP command at INFO; the handler logs what became of each message.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        max_bytes = options["max_bytes"] or max_message_bytes()
        listener = SmtpListener(
            SupportMailHandler(), host=options["host"], port=options["port"], max_bytes=max_bytes
        )

        def ready() -> None:
            self.stdout.write(
                f"Pactline SMTP is listening on {listener.host}:{listener.port} "
                f"(messages up to {max_bytes} bytes); press Ctrl-C to stop."
            )
            self.stdout.flush()

        listener.run(ready)
        self.stdout.write("Stopped.")
