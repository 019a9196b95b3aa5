"""The social webhook: signature, validation, dedup, thread → case, reopen, redaction."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import override_settings
from django.utils.crypto import salted_hmac

from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.test_pages_support import example_for
from pactline.cases.models import Case, CaseStatus, Channel, EntryKind, TimelineEntry
from pactline.cases.services import case_resolve
from pactline.channels.social.models import SocialMessage, SocialThread
from pactline.channels.social.signing import social_webhook_secret
from pactline.channels.social.tests.support import (  # noqa: F401 - fixture
    SYSTEM,
    WECHAT,
    Social,
    deliver,
    snapshot,
    social_fixture,
    wechat,
)
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

CARD = "4111-1111-1111-1111"


def test_the_secret_is_derived_from_the_client_code(social: Social) -> None:
    client = social.world.client_b
    expected = salted_hmac("pactline.social", client.code, algorithm="sha256").hexdigest()
    assert social_webhook_secret(client) == expected
    assert social_webhook_secret(social.world.client_a) != expected


def test_a_signed_message_opens_a_social_case(social: Social) -> None:
    client = social.world.client_b
    body = json.dumps(wechat()).encode()
    signature = hmac.new(social_webhook_secret(client).encode(), body, hashlib.sha256).hexdigest()
    response = deliver(client, body, signature=f"sha256={signature}")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] is True
    case = Case.objects.get(pk=data["case_id"])
    assert (case.client_id, case.channel, case.subject) == (
        client.pk,
        Channel.SOCIAL,
        "沙发什么时候送到？",
    )
    message = SocialMessage.objects.get(pk=data["id"])
    assert (message.platform, message.message_id, message.author_name) == ("wechat", "wx-1", "王芳")
    assert message.thread.account == WECHAT
    entry = TimelineEntry.objects.filter(case=case).last()
    assert entry is not None
    assert (entry.kind, entry.body) == (EntryKind.CUSTOMER_MESSAGE, "沙发什么时候送到？")


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "md5=abc", "sha256=zz"],
    ids=["missing", "wrong", "other-scheme", "garbage"],
)
def test_a_missing_or_wrong_signature_is_401_and_stores_nothing(
    social: Social, signature: str
) -> None:
    before = snapshot()
    response = deliver(social.world.client_b, wechat(), signature=signature)
    assert response.status_code == 401
    assert snapshot() == before


def test_a_body_signed_for_another_client_or_altered_is_401(social: Social) -> None:
    from pactline.channels.social.signing import social_signature

    body = json.dumps(wechat()).encode()
    before = snapshot()
    signed_for_a = social_signature(social.world.client_a, body)
    assert deliver(social.world.client_b, body, signature=signed_for_a).status_code == 401
    signed = social_signature(social.world.client_b, body)
    altered = body.replace(b"wx-1", b"wx-2")
    assert altered != body
    assert deliver(social.world.client_b, altered, signature=signed).status_code == 401
    assert snapshot() == before


def test_an_unknown_client_gets_the_same_401(social: Social) -> None:
    from django.test import Client as HttpClient

    response = HttpClient().post(
        "/api/v1/social/no-such-client/messages",
        json.dumps(wechat()),
        content_type="application/json",
        HTTP_X_PACTLINE_SIGNATURE="sha256=" + "0" * 64,
    )
    assert response.status_code == 401


def test_the_old_secret_keeps_working_while_it_is_a_fallback(social: Social) -> None:
    client = social.world.client_b
    body = json.dumps(wechat()).encode()
    from pactline.channels.social.signing import social_signature

    old = social_signature(client, body)
    with override_settings(SECRET_KEY="a-brand-new-secret-key-" * 3, SECRET_KEY_FALLBACKS=[]):
        assert deliver(client, body, signature=old).status_code == 401
    from django.conf import settings

    with override_settings(
        SECRET_KEY="a-brand-new-secret-key-" * 3, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert deliver(client, body, signature=old).status_code == 201


def test_a_message_delivered_twice_is_stored_once(social: Social) -> None:
    first = deliver(social.world.client_b, wechat())
    before = snapshot()
    second = deliver(social.world.client_b, wechat(text="changed on the second delivery"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json() | {"created": False}
    assert snapshot() == before
    # The same id on another platform is another message.
    weibo = wechat(platform="weibo", account="weibo:华信家居官方")
    assert deliver(social.world.client_b, weibo).status_code == 201


def test_a_thread_keeps_one_open_case(social: Social) -> None:
    client = social.world.client_b
    one = deliver(client, wechat("wx-1")).json()
    two = deliver(client, wechat("wx-2", text="还在吗？")).json()
    other = deliver(client, wechat("wx-3", thread_id="openid-77")).json()
    assert one["case_id"] == two["case_id"] != other["case_id"]
    assert one["thread_id"] == two["thread_id"] != other["thread_id"]
    bodies = list(
        TimelineEntry.objects.filter(
            case_id=one["case_id"], kind=EntryKind.CUSTOMER_MESSAGE
        ).values_list("body", flat=True)
    )
    assert bodies == ["沙发什么时候送到？", "还在吗？"]


def test_a_resolved_case_reopens_and_a_closed_one_is_replaced(social: Social) -> None:
    client = social.world.client_b
    first = deliver(client, wechat("wx-1")).json()
    case = Case.objects.get(pk=first["case_id"])
    case_resolve(actor=SYSTEM, case=case)
    again = deliver(client, wechat("wx-2", text="又坏了")).json()
    assert again["case_id"] == case.pk
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    kinds = list(TimelineEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == [EntryKind.RESOLVE, EntryKind.REOPEN, EntryKind.CUSTOMER_MESSAGE]

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    later = deliver(client, wechat("wx-3", text="新问题")).json()
    assert later["case_id"] != case.pk
    assert SocialThread.objects.get(pk=later["thread_id"]).case_id == later["case_id"]
    assert later["thread_id"] == first["thread_id"]


def test_card_data_is_redacted_before_it_is_stored(social: Social) -> None:
    text = f"卡号 {CARD} 安全码 123 有效期 12/29"
    response = deliver(social.world.client_b, wechat(text=text))
    message = SocialMessage.objects.get(pk=response.json()["id"])
    assert (
        message.text == "卡号 [card …1111] 安全码 [security code removed] 有效期 [expiry removed]"
    )
    case = Case.objects.get(pk=message.case_id)
    assert "1111-1111" not in case.subject
    assert all("4111" not in body for body in TimelineEntry.objects.values_list("body", flat=True))


def test_attachments_are_kept_with_the_message(social: Social) -> None:
    attachments = [
        {"url": "https://cdn.example/p/1.jpg", "name": "破损.jpg", "content_type": "image/jpeg"}
    ]
    response = deliver(social.world.client_b, wechat(text="", attachments=attachments))
    assert response.status_code == 201
    message = SocialMessage.objects.get(pk=response.json()["id"])
    assert message.attachments == attachments
    entry = TimelineEntry.objects.filter(case_id=message.case_id).last()
    assert entry is not None and entry.body == "[破损.jpg]"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"account": "wechat:别人的服务号"}, "account"),
        ({"account": "weibo:华信家居官方"}, "platform"),
        ({"platform": "myspace"}, "platform"),
        ({"text": "", "attachments": []}, "text"),
        ({"message_id": ""}, "message_id"),
        ({"sent_at": "yesterday"}, "sent_at"),
        ({"sent_at": "2026-03-02T09:15:00"}, "sent_at"),
        ({"attachments": [{"url": "javascript:alert(1)"}]}, "attachments.0.url"),
        ({"author": {"name": "no id"}}, "author.id"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    social: Social, changes: dict[str, object], field: str
) -> None:
    before = snapshot()
    response = deliver(social.world.client_b, wechat(**changes))
    assert response.status_code == 422, response.content
    assert field in [error["path"] for error in response.json()["errors"]]
    assert snapshot() == before


def test_a_body_that_is_not_json_is_422(social: Social) -> None:
    response = deliver(social.world.client_b, b"{not json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body"


def test_a_client_account_on_another_clients_path_is_refused(social: Social) -> None:
    before = snapshot()
    response = deliver(social.world.client_a, wechat())
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "account"
    assert snapshot() == before


def test_a_whatsapp_sender_becomes_a_contact_others_do_not(social: Social) -> None:
    client = Client.objects.create(code="client-c", name="Client C")
    data = json.loads(example_for(client, "general-outsourcing"))
    data["channels"]["social"]["addresses"].append("whatsapp:+18005550199")
    version = agreement_version_create(actor=SYSTEM, text=json.dumps(data), client=client).version
    hold_escalation_roles(version.client)
    agreement_version_activate(
        actor=SYSTEM, version=agreement_version_propose(actor=SYSTEM, version=version)
    )
    payload = wechat(
        platform="whatsapp",
        account="whatsapp:+18005550199",
        author={"id": "12125550123", "name": "Ola"},
        text="hi",
    )
    response = deliver(client, payload)
    assert response.status_code == 201, response.content
    thread = SocialThread.objects.get(pk=response.json()["thread_id"])
    assert thread.contact is not None and thread.contact.phone_list == ["+12125550123"]

    facebook = wechat(platform="facebook", account="facebook:NorthwindRetail", message_id="fb-1")
    response = deliver(client, facebook)
    assert SocialThread.objects.get(pk=response.json()["thread_id"]).contact_id is None


def test_nul_characters_and_absurd_times_never_reach_the_database(social: Social) -> None:
    before = snapshot()
    response = deliver(social.world.client_b, wechat(sent_at="0001-01-01T00:00:00+08:00"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "sent_at"
    assert snapshot() == before
    response = deliver(social.world.client_b, wechat(message_id="wx-\x00-1", text="a\x00b"))
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["message_id", "text"]
    assert snapshot() == before


def test_the_webhook_is_in_the_openapi_document_without_a_token(social: Social) -> None:
    from django.test import Client as HttpClient

    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]
    webhook = paths["/api/v1/social/{client_code}/messages"]["post"]
    assert "security" not in webhook or webhook["security"] in ([], [{}])
    assert "X-Pactline-Signature" in [p["name"] for p in webhook["parameters"]]
    assert "/api/v1/social/{client_code}/outbox" in paths


def test_the_command_prints_the_secret(social: Social) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("social_secret", "client-b", stdout=out)
    assert social_webhook_secret(social.world.client_b) in out.getvalue()
    assert "/api/v1/social/client-b/messages" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("social_secret", "nobody", stdout=out)
