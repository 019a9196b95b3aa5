"""`pactline contacts rotate-keys`: re-encrypt personal data at rest with the newest key.

It lives in the top layer because the data it covers spans apps: contacts' personal fields
(`pactline.cases`) and the stored files of email raw sources, attachments and quarantined mail
(`pactline.channels.email`). After it has run, the old key can be dropped from
`PACTLINE_FIELD_KEYS`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pactline.cases.contacts import contacts_rotate_keys
from pactline.channels.email.files import email_files_rotate_keys


class Command(BaseCommand):
    help = (
        "Personal data at rest: `rotate-keys` re-encrypts contacts' personal fields and the "
        "stored email sources and attachments with the newest key."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["rotate-keys"])

    def handle(self, *args: Any, **options: Any) -> None:
        contacts = contacts_rotate_keys()
        self.stdout.write(f"re-encrypted {contacts} contact(s) with the newest key")
        files = email_files_rotate_keys()
        self.stdout.write(f"re-encrypted {files} email file(s) with the newest key")
