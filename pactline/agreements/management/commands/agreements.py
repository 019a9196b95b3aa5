"""`pactline agreements load|export|list` — agreements from and to documents."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pactline.agreements.documents import document_export
from pactline.agreements.loading import agreement_file_load
from pactline.agreements.models import AgreementVersion
from pactline.common.errors import ValidationFailed
from pactline.tenancy.access import system_actor


class Command(BaseCommand):
    help = "Load agreement documents (YAML or JSON), export versions, list what is stored."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="Validate a document and store it as a version.")
        load.add_argument("files", nargs="+", type=Path)
        load.add_argument("--format", choices=["yaml", "json"], default=None)
        load.add_argument(
            "--activate",
            action="store_true",
            help="Propose and activate the version (an amendment still honours its notice days).",
        )
        export = actions.add_parser("export", help="Print a stored version as a document.")
        export.add_argument("version_id", type=int)
        export.add_argument("--format", choices=["yaml", "json"], default="yaml")
        actions.add_parser("list", help="List agreements and their versions.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            self._load(options["files"], options["format"], activate=options["activate"])
        elif action == "export":
            version = AgreementVersion.objects.filter(pk=options["version_id"]).first()
            if version is None:
                raise CommandError(f"no agreement version #{options['version_id']}")
            text, _content_type = document_export(version.document, options["format"])
            self.stdout.write(text, ending="")
        else:
            self._list()

    def _load(self, files: list[Path], fmt: str | None, *, activate: bool) -> None:
        actor = system_actor("cli")
        failed = 0
        for path in files:
            try:
                outcome = agreement_file_load(actor=actor, path=path, fmt=fmt, activate=activate)
            except ValidationFailed as invalid:
                failed += 1
                self.stderr.write(f"{path}: {len(invalid.errors)} error(s); nothing stored")
                for error in invalid.errors:
                    self.stderr.write(f"  {error}")
                continue
            except OSError as exc:
                failed += 1
                self.stderr.write(f"{path}: cannot be read: {exc.strerror}")
                continue
            self.stdout.write(f"{path}: {outcome}")
        if failed:
            raise CommandError(f"{failed} of {len(files)} document(s) rejected")

    def _list(self) -> None:
        versions = AgreementVersion.objects.select_related("agreement", "client").order_by(
            "client__code", "agreement__reference", "number"
        )
        for version in versions:
            effective = version.effective_from.isoformat() if version.effective_from else "-"
            self.stdout.write(
                f"#{version.pk}\t{version.client.code}\t{version.agreement.reference}"
                f"\tv{version.number}\t{version.status}\t{effective}"
            )
