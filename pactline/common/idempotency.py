"""Idempotency keys: a state-changing request sent twice changes things once.

Every POST, PUT, PATCH or DELETE that carries a key (the `Idempotency-Key` header, or the
hidden `idempotency_key` field that `{% idempotency_key %}` puts in every form the pages
render) runs once per sender and key; a repeat gets the first answer again, marked
`Idempotent-Replayed: true`, whether it is a double click, a retry after a lost connection or
two identical requests at the same moment. Requests without a key run as before (API clients
choose whether to send one; sign-in and the language switch carry none).

* The sender is the signed-in user, the API token (by its digest) or, for anonymous pages such
  as the customer's chat, the client's address: one sender can never replay another's answer.
* The key is reserved before the view runs, by an INSERT that hits the unique (sender, key)
  constraint: a concurrent twin waits for the first answer (up to `WAIT_SECONDS`), then gets
  409 if the first is still running. The same key with a different request (method, path,
  fields or body; the CSRF token aside) is refused with 422 naming the key.
* Only answers below 400 are kept. Refusals (4xx) change nothing, so running the request again
  is safe and a corrected request may reuse its key; failures (5xx) may be retried.
* Kept answers are encrypted at rest and expire after `TTL`; one that must not be kept (sent
  with `Cache-Control: no-store`, e.g. a new API token shown once) expires after `SECRET_TTL`,
  long enough for a double click. Expired rows are purged as requests come in.

The check runs in `process_view`, after Django's CSRF check has accepted the request."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import InvalidToken
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.common.crypto import decrypt_bytes, decrypt_text, encrypt_bytes, encrypt_text
from pactline.common.http import remote_address
from pactline.common.models import IdempotencyRecord

logger = logging.getLogger(__name__)

METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
REPLAYED = "Idempotent-Replayed"
KEY_MAX = 200
TTL = timedelta(hours=24)
SECRET_TTL = timedelta(minutes=5)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
PURGE_EVERY_SECONDS = 600.0
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
UNHASHED_FIELDS = frozenset({"csrfmiddlewaretoken", FIELD})
UNKEPT_HEADERS = frozenset({"content-length", "set-cookie"})

_last_purge = 0.0


def new_key() -> str:
    """A fresh key for a form as it is rendered."""
    return str(uuid.uuid4())


# --- What the request is, and who sent it ----------------------------------------------------


def _is_form(request: HttpRequest) -> bool:
    return request.method == "POST" and request.content_type in FORM_TYPES


def request_key(request: HttpRequest) -> tuple[str, str] | None:
    """(where it came from, the key) or None when the request carries no key."""
    header = request.headers.get(HEADER)
    if header is not None and header.strip():
        return HEADER, header.strip()
    if _is_form(request):
        field = request.POST.get(FIELD, "").strip()
        if field:
            return FIELD, field
    return None


def key_is_valid(key: str) -> bool:
    """At most `KEY_MAX` visible ASCII characters (a UUID, a client's own request id)."""
    return len(key) <= KEY_MAX and all("!" <= char <= "~" for char in key)


def request_owner(request: HttpRequest) -> str:
    """Who sent it: an API token (by digest), the signed-in user, or an anonymous address."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return "token:" + hashlib.sha256(credentials.strip().encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{remote_address(request)}"[:100]


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the method, the path with its query and the content: a form's fields in
    order of name (not the raw body, whose multipart boundary differs between two sends of
    the same form; the CSRF token aside), uploaded files by name, size and content."""
    digest = hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n".encode())
    if not _is_form(request):
        digest.update(request.body)
        return digest.hexdigest()
    for name in sorted(request.POST):
        if name not in UNHASHED_FIELDS:
            digest.update(json.dumps([name, request.POST.getlist(name)]).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            digest.update(
                json.dumps([name, upload.name, upload.size, content.hexdigest()]).encode()
            )
    return digest.hexdigest()


# --- Answers ---------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _refusal(request: HttpRequest, status: int, message: str, where: str) -> HttpResponse:
    if _wants_json(request):
        errors = [{"path": where, "message": message, "line": None}]
        return JsonResponse({"detail": message, "errors": errors}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _invalid_key(request: HttpRequest, where: str) -> HttpResponse:
    message = _("%(name)s: at most %(n)s visible ASCII characters, without spaces.") % {
        "name": where,
        "n": KEY_MAX,
    }
    return _refusal(request, 422, message, where)


def _different_request(request: HttpRequest, key: str, where: str) -> HttpResponse:
    message = _(
        "The idempotency key %(key)s was already used for a different request; send this "
        "request with a new key."
    ) % {"key": key}
    return _refusal(request, 422, message, where)


def _in_progress(request: HttpRequest, key: str, where: str) -> HttpResponse:
    message = _(
        "A request with the idempotency key %(key)s is still running, or stopped before it "
        "finished; try again in a moment, or send a new key if it does not finish."
    ) % {"key": key}
    response = _refusal(request, 409, message, where)
    response["Retry-After"] = "1"
    return response


def _replay(request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
    """The first answer again, as the view gave it."""
    meta = json.loads(decrypt_text(record.headers))
    response = HttpResponse(decrypt_bytes(bytes(record.body)), status=record.status_code or 200)
    for name, value in meta["headers"]:
        response[name] = value
    response[REPLAYED] = "true"
    if "csp" in meta:  # a page framed by the client's own site (the customer's chat)
        response._csp_config = meta["csp"]  # type: ignore[attr-defined]
    if meta.get("xframe_options_exempt"):
        response.xframe_options_exempt = True
    if record.csp_nonce:  # the replayed page's scripts and styles carry the first nonce
        request._csp_nonce = record.csp_nonce  # type: ignore[attr-defined]
    return response


# --- Reservation and completion --------------------------------------------------------------


def _expired(record: IdempotencyRecord, now: datetime) -> bool:
    return record.created_at < now - (SECRET_TTL if record.secret else TTL)


def idempotency_purge(*, now: datetime) -> int:
    """Delete expired records; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(
        Q(created_at__lt=now - TTL) | Q(secret=True, created_at__lt=now - SECRET_TTL)
    ).delete()
    return deleted


def _purge_now_and_then(now: datetime) -> None:
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_SECONDS:
        return
    _last_purge = time.monotonic()
    try:
        idempotency_purge(now=now)
    except DatabaseError:
        logger.exception("expired idempotency records could not be purged")


def _reserve(
    request: HttpRequest, owner: str, key: str, where: str, fingerprint: str
) -> int | HttpResponse:
    """The reserved row's id, or the answer for a key that is taken."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, request_hash=fingerprint, created_at=now
                )
            return record.pk
        except IntegrityError:
            pass
        found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if found is not None and _expired(found, now):
            IdempotencyRecord.objects.filter(pk=found.pk, created_at=found.created_at).delete()
            continue
        if found is not None and found.request_hash != fingerprint:
            return _different_request(request, key, where)
        if found is not None and found.status_code is not None:
            try:
                return _replay(request, found)
            except (InvalidToken, ValueError, KeyError):  # its key rotated away: unreadable
                logger.exception("idempotency record %s cannot be replayed", found.pk)
                return _in_progress(request, key, where)
        if time.monotonic() >= deadline:
            return _in_progress(request, key, where)
        time.sleep(POLL_SECONDS)  # the first request is running (or just released the key)


def _complete(request: HttpRequest, record_id: int, response: HttpResponseBase) -> None:
    """Keep the answer for repeats, or release the key when the answer is not worth keeping."""
    records = IdempotencyRecord.objects.filter(pk=record_id)
    try:
        # Streamed, refused (4xx) or failed (5xx): release the key.
        if not isinstance(response, HttpResponse) or not 200 <= response.status_code < 400:
            records.delete()
            return
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in UNKEPT_HEADERS
        ]
        meta: dict[str, Any] = {"headers": headers}
        if hasattr(response, "_csp_config"):
            meta["csp"] = response._csp_config
        if getattr(response, "xframe_options_exempt", False):
            meta["xframe_options_exempt"] = True
        nonce = getattr(request, "_csp_nonce", None)
        records.update(
            status_code=response.status_code,
            headers=encrypt_text(json.dumps(meta)),
            body=encrypt_bytes(response.content),
            csp_nonce=str(nonce) if nonce else "",
            secret="no-store" in response.get("Cache-Control", ""),
        )
    except DatabaseError:
        logger.exception("the answer to idempotency record %s could not be kept", record_id)


# --- The middleware --------------------------------------------------------------------------


class IdempotencyMiddleware:
    """Runs a keyed state-changing request once per sender and key (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        record_id: int | None = getattr(request, "_idempotency_record", None)
        if record_id is not None:
            _complete(request, record_id, response)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method not in METHODS:
            return None
        found = request_key(request)
        if found is None:
            return None
        where, key = found
        if not key_is_valid(key):
            return _invalid_key(request, where)
        _purge_now_and_then(timezone.now())
        outcome = _reserve(
            request, request_owner(request), key, where, request_fingerprint(request)
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        request._idempotency_record = outcome  # type: ignore[attr-defined]
        return None
