"""`makemessages` that also extracts the pure-Python core's `N_("…")` markers.

The core cannot import Django's gettext, so it marks its messages with `N_`; Django's command
has no option for extra keywords, hence this subclass (`--keyword` adds more)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--keyword",
            action="append",
            default=[],
            help="An extra xgettext keyword (N_ is always included).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra = [f"--keyword={word}" for word in options.pop("keyword") if word != "N_"]
        self.xgettext_options = [*self.xgettext_options, *extra]
        super().handle(*args, **options)
