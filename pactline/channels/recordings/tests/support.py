"""Test helpers (no tests here): the contents attached in the recordings tests and those of the
apps above, and what the attaching left behind."""

from __future__ import annotations

from pathlib import Path

from pactline.audit.models import AuditEvent
from pactline.tenancy.access import system_actor

SYSTEM = system_actor("test")
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4
TRANSCRIPT = (
    b"Agent: How can I help?\n"
    b"Customer: My card is 4111 1111 1111 1111, CVV 123, expiry 12/28.\n"
    b"Agent: Thank you.\n"
)
TRANSCRIPT_REDACTED = (
    "Agent: How can I help?\n"
    "Customer: My card is [card …1111], CVV [security code removed], "
    "expiry [expiry removed].\n"
    "Agent: Thank you.\n"
)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def attached_count() -> int:
    return AuditEvent.objects.filter(action="recording.attached").count()
