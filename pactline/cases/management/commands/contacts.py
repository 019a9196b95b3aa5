from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pactline.cases.contacts import contacts_rotate_keys


class Command(BaseCommand):
    help = "Contacts: `rotate-keys` re-encrypts personal fields with the newest key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["rotate-keys"])

    def handle(self, *args: Any, **options: Any) -> None:
        count = contacts_rotate_keys()
        self.stdout.write(f"re-encrypted {count} contact(s) with the newest key")
