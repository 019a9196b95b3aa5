"""Card data is stored nowhere: card numbers and security codes, written in every way people
write them (English and Chinese), pushed through every way text enters the product — the
chat, social and email channels, the console's replies and notes, call events, uploaded
transcripts, outbound call lists and dispositions, surveys, the knowledge base — and then
every column of every table (encrypted ones decrypted) and every stored file is searched for
a Luhn-valid card number. None may be found."""

from __future__ import annotations

import base64
import json
import re
from contextlib import suppress
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient

from pactline.cases.models import Case
from pactline.channels.chat.models import ChatMessage
from pactline.channels.email.services import email_receive
from pactline.channels.email.storage import unseal
from pactline.channels.outbound.models import CallListEntry
from pactline.channels.outbound.services import call_list_upload, campaign_create
from pactline.channels.recordings.services import recording_attach
from pactline.channels.social.tests.support import deliver, wechat
from pactline.common.crypto import EncryptedTextField
from pactline.core.redact import find_card_numbers
from pactline.knowledge.services import knowledge_article_create
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import Membership, Role, TokenScope
from pactline.tenancy.services import api_token_create
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    CARE,
    NOW,
    SYSTEM,
    Console,
    console_fixture,
    frozen,
    http_as,
)

# The card numbers are test numbers of the schemes; every one is Luhn-valid.
SPELLINGS = [
    "my card is 4111 1111 1111 1111 737",
    "order 55 4111 1111 1111 1111",
    "5500.0000.0000.0004 exp 12/27",
    "3400  000000  00009 cvv737",
    "4111\u00a01111\u00a01111\u00a01111, CVV number: 737",
    "4111\u202f1111\u202f1111\u202f1111",
    "4111–1111–1111–1111 CVV - 737",
    "6011—1111—1111—1117",
    "card4111111111111111",
    "卡号６０１１ １１１１ １１１１ １１１７，安全码是737",
    "卡号 4012888888881881，卡背后三位 123，有效期至 09/28",
    "信用卡3566 0020 2036 0505 CVV2为 456",
]
TEXT = " / ".join(SPELLINGS)
SHORT = "Ann 4111 1111 1111 1111"
assert all(find_card_numbers(spelling) for spelling in SPELLINGS)

# Digests (SHA-256, HMAC blind indexes, password hashes): hexadecimal tokens, never words.
_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32,}(?![0-9A-Za-z])")
# Identifiers that mail systems assign (Message-ID, In-Reply-To, References): `make_msgid`
# puts a random 64-bit number in each, which passes Luhn as often as any number does.
_MAIL_IDS = {"message_id", "in_reply_to", "references"}
_MAIL_ID_NAMES = {"message-id", "in-reply-to", "references"}
_MAIL_ID_HEADER = re.compile(
    r"^(?:message-id|in-reply-to|references):.*\n(?:[ \t].*\n)*", re.I | re.M
)


def _post(http: HttpClient, url: str, body: Any, **extra: Any) -> Any:
    return http.post(url, json.dumps(body), content_type="application/json", **extra)


def _token(console: Console) -> dict[str, str]:
    user = console.world.supervisor.user
    assert user is not None
    Membership.objects.get_or_create(
        user=user, client=console.world.client_a, role=Role.CLIENT_MANAGER
    )
    _row, raw = api_token_create(
        actor=actor_for_user(user),
        client=console.world.client_a,
        name="integration",
        scope=TokenScope.WRITE,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _email() -> bytes:
    return (
        "From: Maria Gonzalez <maria.gonzalez@example.com>\n"
        f"To: Northwind Care <{CARE}>\n"
        f"Subject: =?utf-8?b?{base64.b64encode(f'card {SHORT}'.encode()).decode()}?=\n"
        "Date: Mon, 02 Mar 2026 09:59:41 -0500\n"
        "Message-ID: <card-data-1@mail.example.com>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b1"\n\n'
        "--b1\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: 8bit\n\n"
        f"{TEXT}\n"
        "--b1\n"
        'Content-Type: text/html; charset="utf-8"\n\n'
        f"<p>{TEXT}</p>\n"
        "--b1--\n"
    ).encode()


def _push_everything(console: Console) -> None:
    a = console.world.client_a
    agent = http_as(console, "client_a_agent")
    token = _token(console)

    # Email: the ingest service the SMTP listener and the mailbox command hand messages to.
    [delivery] = email_receive(
        actor=SYSTEM, raw=_email(), mail_from="maria.gonzalez@example.com", rcpt_tos=[CARE]
    )
    assert delivery.case_id is not None

    # Chat: a provider starts a conversation and posts messages (API); an agent replies.
    started = _post(
        HttpClient(),
        "/api/v1/chats/sessions",
        {
            "client": "client-a",
            "provider": "livechat",
            "external_id": "conv-card",
            "name": SHORT,
            "email": "lin@example.com",
        },
        **token,
    )
    assert started.status_code == 201, started.content
    session_id = started.json()["id"]
    for kind, text in (("customer", TEXT), ("agent", SHORT)):
        response = _post(
            HttpClient(),
            f"/api/v1/chats/sessions/{session_id}/messages",
            {"author_kind": kind, "author_label": SHORT, "text": text},
            **token,
        )
        assert response.status_code == 201, response.content

    # Social: the platform's webhook (client B, Chinese); an agent's reply by API.
    response = deliver(
        console.world.client_b,
        wechat(
            message_id="wx-card",
            text=TEXT,
            author={"id": "openid-card", "name": SHORT},
            attachments=[
                {"url": "https://cdn.example/a.jpg", "name": SHORT, "content_type": "image/jpeg"}
            ],
        ),
    )
    assert response.status_code == 201, response.content
    response = _post(
        agent,
        f"/api/v1/social/cases/{console.social.pk}/replies",
        {"text": TEXT},
        HTTP_IDEMPOTENCY_KEY="reply-card",
    )
    assert response.status_code == 201, response.content

    # The console: a reply on each channel and an internal note.
    for case in (console.chat, console.social, console.phone, console.email):
        response = agent.post(f"/console/cases/{case.pk}/reply/", {"body": TEXT})
        assert response.status_code in (200, 302), response.content
    response = agent.post(f"/console/cases/{console.phone.pk}/note/", {"body": TEXT})
    assert response.status_code in (200, 302), response.content

    # Calls: the live events API, the transcript and the caller's name included.
    for sequence, kind, extra in (
        (1, "queued", {"queue": "support", "caller": "+15551234567", "caller_name": SHORT}),
        (2, "answered", {"agent": "alice"}),
        (3, "ended", {"transcript": TEXT}),
        (4, "wrapup_ended", {"disposition": "billing"}),
    ):
        body = {
            "client": "client-a",
            "call_id": "pbx-card",
            "sequence": sequence,
            "type": kind,
            "at": f"2026-03-02T14:5{sequence}:00Z",
            **extra,
        }
        response = _post(agent, "/api/v1/calls/events", body)
        assert response.status_code == 201, response.content

    # An uploaded transcript file (its name too) and one given as text.
    recording_attach(
        actor=console.world.client_a_agent.actor,
        case=console.phone,
        kind="transcript",
        name=f"{SHORT}.txt",
        content=f"\ufeff{TEXT}\n".encode(),
        content_type="text/plain",
    )
    recording_attach(
        actor=console.world.client_a_agent.actor,
        case=console.chat,
        kind="transcript",
        name="call.txt",
        content=TEXT.encode("utf-8"),
        content_type="text/plain",
        transcript_text=TEXT,
    )

    # Outbound: a call list with card data in its names and a disposition's notes.
    campaign = campaign_create(
        actor=SYSTEM, client=a, name="Card follow-ups", kind="follow_up", now=NOW
    )
    call_list_upload(
        actor=SYSTEM,
        campaign=campaign,
        csv_text=f"phone,name\n+1 212 555 0111,{SHORT}\n",
        now=NOW,
    )
    entry = CallListEntry.objects.get(campaign=campaign)
    response = _post(
        agent,
        f"/api/v1/call-list-entries/{entry.pk}/attempts",
        {"disposition": "reached_follow_up", "notes": TEXT},
    )
    assert response.status_code == 201, response.content

    # A survey answer's comment.
    response = _post(
        HttpClient(),
        f"/api/v1/cases/{console.phone.pk}/surveys",
        {"external_id": "survey-card", "csat": 2, "comment": TEXT},
        **token,
    )
    assert response.status_code in (200, 201), response.content

    # The knowledge base and its full-text index.
    manager = console.world.provider_admin.actor
    knowledge_article_create(
        actor=manager, client=a, title=SHORT, body=TEXT, tags=["cards"], published=True
    )


def _found_in_tables() -> list[str]:
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if table.startswith("channels_email_") and name in _MAIL_IDS:
                        continue
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="replace")
                    if not isinstance(value, str):
                        continue
                    if find_card_numbers(_DIGEST.sub(" ", value)):
                        found.append(f"{table}.{name}: {value[:200]!r}")
    return found


def _found_in_encrypted_fields() -> list[str]:
    found: list[str] = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        for field in fields:
            for pk, value in model._default_manager.values_list("pk", field.attname):
                if value and find_card_numbers(value):
                    found.append(f"{model._meta.label}.{field.name}#{pk}: {value[:200]!r}")
    return found


def _decoded_mail(data: bytes) -> str:
    message = BytesParser(policy=policy.default).parsebytes(data)
    texts = [str(value) for key, value in message.items() if key.lower() not in _MAIL_ID_NAMES]
    for part in message.walk():
        if part.is_multipart():
            continue
        content = part.get_payload(decode=True)
        if isinstance(content, bytes):
            texts.append(content.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)


def _found_in_files() -> list[str]:
    found: list[str] = []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        with suppress(ValueError):
            data = unseal(data)  # the email channel's files are stored encrypted
        text = data.decode("utf-8", errors="replace")
        if path.suffix == ".eml":  # also what its encoded headers and parts decode to
            text = _MAIL_ID_HEADER.sub("", text) + "\n" + _decoded_mail(data)
        if find_card_numbers(text):
            found.append(f"{path.relative_to(settings.MEDIA_ROOT)}: {find_card_numbers(text)}")
    return found


def test_no_card_number_is_stored_anywhere(console: Console) -> None:
    _push_everything(console)
    # What was pushed arrived: the scan below looks at real rows.
    assert ChatMessage.objects.filter(text__contains="[card …1111]").exists()
    assert Case.objects.filter(subject__contains="[card …1111]").exists()
    found = _found_in_tables()
    assert not found, "\n".join(found)
    found = _found_in_encrypted_fields()
    assert not found, "\n".join(found)
    # The raw source of inbound email (email/raw/…) is kept as evidence: this holds once the
    # email channel stores it re-serialised with card data redacted.
    found = _found_in_files()
    assert not found, "\n".join(found)
