"""The SMTP listener: aiosmtpd's protocol with Pactline's handler.

- RCPT: only the support addresses of clients with an agreement in force are accepted
  (case-insensitive); anything else is refused with 550 5.1.1, so we never accept mail we
  would then have to bounce.
- Size: aiosmtpd advertises SIZE and refuses larger mail with 552 (at MAIL FROM when the
  client declares the size, else after DATA).
- DATA: the message is handed to `email_receive` (parse, thread, store, or quarantine) and
  answered 250; 451 when the database failed transiently, so the sender retries.

Database work runs in worker threads, never in the event loop, and each call closes its
thread's connections afterwards: an idle listener holds no database connection, and no
connection outlives the thread pool (Django would otherwise leave one per worker thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from types import TracebackType
from typing import Self

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections
from django.utils import timezone

from pactline.channels.email.selectors import support_address_owners
from pactline.channels.email.services import Outcome, email_receive
from pactline.tenancy.access import Actor, system_actor

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
IDENT = "Pactline ESMTP"


def max_message_bytes() -> int:
    """`PACTLINE_SMTP_MAX_BYTES` from the settings, else the environment, else 25 MB."""
    configured = getattr(settings, "PACTLINE_SMTP_MAX_BYTES", None)
    if configured is None:
        configured = os.environ.get("PACTLINE_SMTP_MAX_BYTES") or DEFAULT_MAX_BYTES
    return int(configured)


def _with_fresh_connections[T](call: Callable[[], T]) -> T:
    try:
        return call()
    finally:
        connections.close_all()


async def in_thread[**P, T](function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await asyncio.to_thread(_with_fresh_connections, partial(function, *args, **kwargs))


class SupportMailHandler:
    """aiosmtpd handler; `now` is injectable so tests can place mail in business hours."""

    def __init__(
        self, *, actor: Actor | None = None, now: Callable[[], datetime] = timezone.now
    ) -> None:
        self.actor = actor or system_actor("smtpd")
        self.now = now

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd looks for
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            owners = await in_thread(support_address_owners, address, self.now())
        except Exception:
            logger.exception("support address lookup failed for %s", address)
            return "451 4.3.0 Mailbox lookup failed, try again later"
        if not owners:
            return f"550 5.1.1 <{address}>: no such support mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd looks for
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        try:
            deliveries = await in_thread(
                email_receive,
                actor=self.actor,
                raw=raw,
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                now=self.now(),
            )
        except Exception:
            # Transient database trouble (or the quarantine itself failed): the sender keeps
            # the message and tries again, so it is not lost.
            logger.exception("inbound email not stored; asked the sender to retry")
            return "451 4.3.0 Temporary failure storing the message, try again later"
        for delivery in deliveries:
            logger.info(
                "email %s for client %s (case %s)",
                delivery.outcome,
                delivery.client_id,
                delivery.case_id,
            )
        if all(delivery.outcome == Outcome.QUARANTINED for delivery in deliveries):
            return "250 2.0.0 Message accepted for review"
        return "250 2.0.0 Message accepted"


class SmtpListener:
    """The listener on `host:port` (port 0: any free port, read back from `port`).

    `run()` serves in the calling thread until SIGINT/SIGTERM (the management command);
    `start()`/`stop()` (or `with`) serve from a background thread (tests, embedding)."""

    def __init__(
        self,
        handler: SupportMailHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 8025,
        max_bytes: int | None = None,
        hostname: str | None = None,
    ) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.max_bytes = max_bytes if max_bytes is not None else max_message_bytes()
        self.hostname = hostname or host
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            data_size_limit=self.max_bytes,
            hostname=self.hostname,
            ident=IDENT,
            enable_SMTPUTF8=True,
        )

    async def _serve(self, ready: Callable[[], None] | None = None) -> None:
        loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        server = await loop.create_server(self._protocol, host=self.host, port=self.port)
        self.port = server.sockets[0].getsockname()[1]
        if ready is not None:
            ready()
        try:
            await self._stopped.wait()
        finally:
            server.close()
            # Open sessions end with the loop (asyncio.run cancels them); waiting for them
            # here would let one idle client hold the listener open for its 5-minute timeout.

    def run(self, ready: Callable[[], None] | None = None) -> None:
        """Serve until SIGINT or SIGTERM."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            self._loop = loop
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self._stop_soon)
            await self._serve(ready)

        asyncio.run(main())

    def _stop_soon(self) -> None:
        if self._stopped is not None:
            self._stopped.set()

    def start(self) -> Self:
        started = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            try:
                with asyncio.Runner() as runner:
                    self._loop = runner.get_loop()
                    runner.run(self._serve(started.set))
            except BaseException as exc:
                failure.append(exc)
                started.set()

        self._thread = threading.Thread(target=main, name="pactline-smtpd", daemon=True)
        self._thread.start()
        started.wait(timeout=10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                self._loop.call_soon_threadsafe(self._stop_soon)
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
