from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pactline.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Work with the audit log. `audit verify` checks the hash chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.intact:
            raise CommandError(
                f"audit log broken at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events before it are intact)"
            )
        self.stdout.write(f"audit log intact: {report.checked} events")
