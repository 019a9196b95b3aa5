from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pactline.audit.chain import ChainAnchor
from pactline.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Work with the audit log. `audit verify` checks every client's keyed chain, its head, "
        "and the anchors published in statements and reports; `--anchor CLIENT:SEQ:MAC` (as "
        "printed on a statement or report, repeatable) checks the chain still holds that entry."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="CLIENT:SEQ:MAC",
            help="a chain head printed on an issued statement or report ('provider:…' for "
            "the provider chain)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchors = [ChainAnchor.parse(text) for text in options["anchor"]]
        except ValueError as exc:
            raise CommandError(f"--anchor: {exc}") from None
        report = audit_chain_verify(anchors)
        if not report.intact:
            where = f"event #{report.broken_at}" if report.broken_at else "its end"
            raise CommandError(
                f"audit log broken in chain {report.chain} at {where}: {report.reason} "
                f"({report.checked} events before it are intact)"
            )
        self.stdout.write(
            f"audit log intact: {report.checked} events, {report.anchors} anchors found"
        )
