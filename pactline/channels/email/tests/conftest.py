"""The listener on a free loopback port for each test, and an SMTP client that talks to it."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.channels.email.smtp import SmtpListener, SupportMailHandler
from pactline.tenancy.models import Client

FIXTURES = Path(__file__).parent / "fixtures"
MAX_BYTES = 64 * 1024


def eml(name: str, **values: object) -> bytes:
    """A fixture message; `{placeholders}` in it (e.g. `{case_id}`) are filled in."""
    raw = (FIXTURES / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{" + key.encode() + b"}", str(value).encode())
    return raw


@dataclass
class Clock:
    """What the listener takes as "now" (it would otherwise be the wall clock)."""

    now: datetime


@dataclass(frozen=True)
class Mailer:
    port: int

    def connect(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.port, timeout=10)

    def send(
        self,
        raw: bytes,
        to: tuple[str, ...] = ("care@northwind-retail.example",),
        sender: str = "customer@example.com",
    ) -> dict[str, tuple[int, bytes]]:
        """Deliver like an MTA does (SIZE declared); returns the refused recipients."""
        with self.connect() as smtp:
            return smtp.sendmail(sender, list(to), raw)

    def data(
        self,
        raw: bytes,
        to: tuple[str, ...] = ("care@northwind-retail.example",),
        sender: str = "customer@example.com",
    ) -> tuple[int, bytes]:
        """One transaction step by step, without declaring a size; returns the DATA reply."""
        with self.connect() as smtp:
            smtp.ehlo()
            code, _ = smtp.mail(sender)
            assert code == 250
            for recipient in to:
                code, _ = smtp.rcpt(recipient)
                assert code == 250
            return smtp.data(raw)


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9AM_NY)


@pytest.fixture
def northwind_client(transactional_db: None, media: Path) -> Client:
    return northwind()


@pytest.fixture
def northwind_client_db(db: None, media: Path) -> Client:
    """Northwind Retail for tests that call the services in the test's own transaction."""
    return northwind()


@pytest.fixture
def mailer(northwind_client: Client, clock: Clock) -> Iterator[Mailer]:
    handler = SupportMailHandler(now=lambda: clock.now)
    with SmtpListener(handler, host="127.0.0.1", port=0, max_bytes=MAX_BYTES) as listener:
        yield Mailer(listener.port)
