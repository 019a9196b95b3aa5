"""Twilio-compatible status callbacks: the client's auth token and request signatures.

Twilio signs a callback with the account's auth token: base64(HMAC-SHA1(token, URL + every POST
parameter name and value, sorted by name)), sent as `X-Twilio-Signature`. Pactline stores no
token: each client's is derived from the installation's SECRET_KEY (`twilio_auth_token`), is
shown to the provider to configure in Twilio (or a compatible PBX), and changes with the
SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from contextlib import suppress
from email.utils import parsedate_to_datetime

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from pactline.channels.voice.live import TWILIO_STATUSES, LiveEvent
from pactline.channels.voice.models import CallSource
from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.inputs import bounded_instant, text_problem
from pactline.tenancy.models import Client

_SALT = "pactline.twilio"


def twilio_auth_token(client: Client) -> str:
    """The token the client's Twilio account (or PBX) signs its callbacks with."""
    return salted_hmac(_SALT, client.code, algorithm="sha1").hexdigest()


def twilio_signature(token: str, url: str, params: Mapping[str, Iterable[str]]) -> str:
    """What Twilio sends as X-Twilio-Signature for a POST to `url` with `params` (each name
    with all its values; repeated values are signed sorted, as Twilio's own validator does)."""
    material = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            material += name + value
    digest = hmac.new(token.encode(), material.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    token: str, urls: Iterable[str], params: Mapping[str, Iterable[str]], signature: str
) -> bool:
    """True if `signature` signs the parameters for one of `urls` (the URL as this server
    saw it and as configured behind a proxy). Compared in constant time."""
    if not signature:
        return False
    return any(hmac.compare_digest(twilio_signature(token, url, params), signature) for url in urls)


_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
_KEPT = (
    "AccountSid",
    "From",
    "To",
    "Direction",
    "CallDuration",
    "ParentCallSid",
    "RecordingUrl",
    "RecordingSid",
    "RecordingDuration",
    "ForwardedFrom",
    "CallerName",
)


def twilio_event(params: Mapping[str, str]) -> LiveEvent:
    """A status callback's parameters as a live event; ValidationFailed names every bad one."""
    errors: list[FieldError] = []
    sid = params.get("CallSid", "")
    if not _CALL_SID.match(sid):
        errors.append(FieldError("CallSid", _("a call SID is CA followed by 32 hex digits")))
    status = params.get("CallStatus", "")
    if status not in TWILIO_STATUSES:
        errors.append(
            FieldError(
                "CallStatus",
                _("must be one of %(values)s") % {"values": ", ".join(TWILIO_STATUSES)},
            )
        )
    raw_sequence = params.get("SequenceNumber", "")
    if not raw_sequence.isdigit() or len(raw_sequence) > 18:
        errors.append(FieldError("SequenceNumber", _("must be a whole number")))
    at = None
    with suppress(TypeError, ValueError, IndexError):
        at = parsedate_to_datetime(params.get("Timestamp", ""))
    if at is None or at.tzinfo is None:
        errors.append(FieldError("Timestamp", _("must be an RFC 2822 date with a UTC offset")))
    else:
        try:
            at = bounded_instant(at)
        except ValueError as outside:
            errors.append(FieldError("Timestamp", str(outside)))
    duration = params.get("CallDuration", "")
    if duration and not duration.isdigit():
        errors.append(FieldError("CallDuration", _("must be a whole number of seconds")))
    errors += [
        FieldError(name, problem)
        for name in _KEPT
        if (problem := text_problem(params.get(name, ""))) is not None
    ]
    if errors or at is None:
        raise ValidationFailed(errors)
    payload = {name: params[name][:300] for name in _KEPT if params.get(name)}
    return LiveEvent(
        source=CallSource.TWILIO.value,
        call_id=sid,
        sequence=int(raw_sequence),
        kind=status,
        at=at,
        payload=payload,
    )
