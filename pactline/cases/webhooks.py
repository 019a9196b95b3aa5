"""Escalation webhooks: a signed JSON POST to the URL the agreement names.

Every request carries `X-Pactline-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact body
bytes under the client's key (`webhook_secret`), which is derived from the project secret so
nothing has to be stored; receivers recompute it over the raw body before parsing. Sending uses
the standard library (no new dependency) and never follows redirects: a signed escalation is
not re-posted to wherever a 3xx points."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.crypto import salted_hmac

from pactline.cases.models import EscalationAction, WebhookDelivery
from pactline.tenancy.models import Client

EVENT = "sla.escalation"
TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 2000
USER_AGENT = "Pactline-Webhook/1"


def webhook_secret(client: Client) -> str:
    """The client's signing key (hex); stable while the project secret is."""
    return salted_hmac("pactline.webhook", client.code, algorithm="sha256").hexdigest()


def webhook_signature(secret: str, body: bytes) -> str:
    """The `X-Pactline-Signature` value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def webhook_payload(action: EscalationAction, *, attempt: int) -> dict[str, Any]:
    """What the receiver gets: the escalation, the case and the clock as they are now."""
    event = action.event
    clock = event.clock
    case = action.case
    return {
        "event": EVENT,
        "delivery": delivery_id(action, attempt),
        "occurred_at": _iso(event.occurred_at),
        "sla_event": {"kind": event.kind, "level": event.level},
        "escalation": {
            "ladder": action.spec.get("ladder"),
            "level": action.spec.get("level"),
            "action": action.action_type,
        },
        "case": {
            "id": case.pk,
            "subject": case.subject,
            "status": case.status,
            "priority": case.priority,
            "channel": case.channel,
        },
        "clock": {
            "key": clock.key,
            "cycle": clock.cycle,
            "due_at": _iso(clock.due_at),
            "breached_at": _iso(clock.breached_at),
        },
        "client": {"code": case.client.code},
    }


def delivery_id(action: EscalationAction, attempt: int) -> str:
    return f"{action.pk}-{attempt}"


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: dict[str, str]


def webhook_request(action: EscalationAction, *, attempt: int) -> WebhookRequest:
    """The exact bytes and headers of one attempt (built before sending, so they can be logged)."""
    body = json.dumps(
        webhook_payload(action, attempt=attempt), ensure_ascii=False, separators=(",", ":")
    ).encode()
    return WebhookRequest(
        url=str(action.spec["action"]["url"]),
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Pactline-Event": EVENT,
            "X-Pactline-Delivery": delivery_id(action, attempt),
            "X-Pactline-Signature": webhook_signature(webhook_secret(action.case.client), body),
        },
    )


@dataclass(frozen=True)
class WebhookResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError: a failed attempt


_opener = urllib.request.build_opener(_NoRedirect)


def _excerpt(raw: bytes) -> str:
    return raw[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def webhook_send(request: WebhookRequest, *, timeout: float = TIMEOUT_SECONDS) -> WebhookResult:
    """POST once. Never raises for network or HTTP errors: they are the result."""
    if urlsplit(request.url).scheme not in ("http", "https"):
        return WebhookResult(None, 0, error="only http and https URLs are posted to")
    http = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        with _opener.open(http, timeout=timeout) as response:
            raw = response.read()
            return WebhookResult(response.status, elapsed(), excerpt=_excerpt(raw))
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read() if exc.fp is not None else b""
        except OSError:
            raw = b""
        return WebhookResult(exc.code, elapsed(), error=f"HTTP {exc.code}", excerpt=_excerpt(raw))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return WebhookResult(None, elapsed(), error=str(reason)[:500] or type(exc).__name__)


def webhook_delivery_record(
    action: EscalationAction,
    *,
    attempt: int,
    request: WebhookRequest,
    result: WebhookResult,
    at: datetime,
) -> WebhookDelivery:
    """One row of the delivery log per attempt, whatever its outcome."""
    return WebhookDelivery.objects.create(
        client_id=action.client_id,
        action=action,
        attempt=attempt,
        url=request.url[:500],
        attempted_at=at,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error,
        response_excerpt=result.excerpt,
    )
