# ruff: noqa: N999 - the command is `pactline import`, so its module is named `import`
"""`pactline import queue-log|cdr FILE --client CODE …` — telephony records into calls."""

from __future__ import annotations

import re
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from pactline.channels.voice.importing import ImportOptions, ImportRejected, voice_file_import
from pactline.channels.voice.models import ImportFormat, ImportRun
from pactline.common.errors import ValidationFailed
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = "Import telephony records: Asterisk queue_log, Asterisk or FreeSWITCH CDRs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        queue_log = kinds.add_parser("queue-log", help="An Asterisk queue_log file.")
        queue_log.add_argument(
            "--timezone",
            required=True,
            help="The PBX's IANA time zone (realtime-dump times; default phone region).",
        )
        cdr = kinds.add_parser("cdr", help="A CDR file: legs grouped into calls.")
        cdr.add_argument(
            "--format",
            required=True,
            choices=[
                ImportFormat.ASTERISK,
                ImportFormat.FREESWITCH_CSV,
                ImportFormat.FREESWITCH_JSON,
            ],
        )
        cdr.add_argument(
            "--timezone",
            default="UTC",
            help="The time zone of the CDR's local times (default UTC, as with usegmtime=yes).",
        )
        for sub in (queue_log, cdr):
            sub.add_argument("file", type=Path)
            sub.add_argument("--client", required=True, help="The client's code.")
            sub.add_argument(
                "--strict", action="store_true", help="Write nothing if any line is bad."
            )
            sub.add_argument(
                "--reject-file",
                type=Path,
                default=None,
                help="Where bad lines go (default: var/imports/…).",
            )
            sub.add_argument(
                "--region",
                default=None,
                help="ISO country for numbers without +country code (default: from the zone).",
            )
            sub.add_argument("--encoding", default="utf-8")
            sub.add_argument("--batch-size", type=int, default=2000)
            sub.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(_("no client with code '%(code)s'") % {"code": options["client"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a readable file") % {"path": path})
        if options["region"] and not re.fullmatch(r"[A-Za-z]{2}", options["region"]):
            raise CommandError(_("--region is a two-letter country code"))
        import_options = ImportOptions(
            path=path,
            format=ImportFormat.QUEUE_LOG if options["kind"] == "queue-log" else options["format"],
            timezone=options["timezone"],
            strict=options["strict"],
            reject_path=options["reject_file"],
            region=(options["region"] or "").upper() or None,
            encoding=options["encoding"],
            batch_size=max(1, options["batch_size"]),
        )
        try:
            run = self._run(client, import_options, quiet=options["no_progress"])
        except ImportRejected as rejected:
            self._show_errors(rejected)
            raise CommandError(
                _("%(count)d bad line(s); nothing was imported (--strict).")
                % {"count": rejected.rejected}
            ) from None
        except ValidationFailed as invalid:
            raise CommandError(str(invalid)) from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        self._report(run)

    def _run(self, client: Client, options: ImportOptions, *, quiet: bool) -> ImportRun:
        actor = system_actor("cli")
        if quiet:
            return voice_file_import(actor=actor, client=client, options=options)
        total = options.path.stat().st_size * (2 if options.strict else 1)
        stream: IO[str] = getattr(self.stderr, "_out", sys.stderr)
        console = Console(file=stream, stderr=True)
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(options.path.name, total=total)
            return voice_file_import(
                actor=actor,
                client=client,
                options=options,
                progress=lambda done: bar.update(task, completed=done),
            )

    def _show_errors(self, rejected: ValidationFailed) -> None:
        for error in rejected.errors[:ERRORS_SHOWN]:
            self.stderr.write(f"  line {error.line}: {error.message}")
        if len(rejected.errors) > ERRORS_SHOWN:
            self.stderr.write(_("  … and more"))
        path = getattr(rejected, "reject_path", "")
        if path:
            self.stderr.write(_("Rejected lines written to %(path)s") % {"path": path})

    def _report(self, run: ImportRun) -> None:
        self.stdout.write(
            _(
                "%(file)s: %(lines)d line(s) read, %(created)d record(s) created, "
                "%(updated)d updated, %(unchanged)d unchanged (duplicates), "
                "%(ignored)d ignored, %(rejected)d rejected"
            )
            % {
                "file": run.file_name,
                "lines": run.lines_read,
                "created": run.imported,
                "updated": run.updated,
                "unchanged": run.duplicates,
                "ignored": run.lines_ignored,
                "rejected": run.lines_rejected,
            }
        )
        for kind, counts in sorted(run.counts.items()):
            self.stdout.write(
                f"  {kind}: {counts['created']} created, {counts['updated']} updated,"
                f" {counts['unchanged']} unchanged"
            )
        if run.lines_rejected:
            self.stderr.write(
                _("%(count)d bad line(s) were skipped; see %(path)s")
                % {"count": run.lines_rejected, "path": run.reject_path}
            )
            for error in run.errors[:ERRORS_SHOWN]:
                self.stderr.write(f"  line {error['line']}: {error['message']}")
