"""The public chat start form is rate-limited per client and address: over the limit a 429
with a translated message and nothing stored; other addresses and other clients unaffected."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import translation
from pytest_django.fixtures import Settings

from pactline.channels.chat.limits import address_bucket, chat_start_attempt
from pactline.channels.chat.models import ChatSession
from pactline.channels.chat.tests.support import (  # noqa: F401 - fixture
    Chats,
    chats_fixture,
    snapshot,
)

START = {"name": "Grace Hopper", "email": "grace@example.com", "message": "Hello"}
REFUSAL = (
    "Too many chats have been started from your network in the last minute. "
    "Please wait a minute, then try again."
)


@pytest.fixture(autouse=True)
def two_per_minute(settings: Settings) -> None:
    settings.PACTLINE_CHAT_START_LIMIT = {"window_seconds": 60, "per_address": 2, "per_client": 0}


def _start(client: str = "client-a", address: str = "203.0.113.7", **extra: Any) -> Any:
    return HttpClient(REMOTE_ADDR=address, **extra).post(f"/chat/{client}/", START)


def test_the_third_start_within_a_minute_is_refused_and_stores_nothing(chats: Chats) -> None:
    assert [_start().status_code for _ in range(2)] == [302, 302]
    before = snapshot()
    refused = _start()
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    html = refused.content.decode()
    assert REFUSAL in html
    assert 'value="Grace Hopper"' in html  # what was typed is kept
    assert (
        f"frame-ancestors {'https://www.northwind-retail.example'}"
        in refused["Content-Security-Policy"]
    )
    assert snapshot() == before


def test_other_addresses_and_other_clients_are_unaffected(chats: Chats) -> None:
    sessions = ChatSession.objects.count()
    for _ in range(2):
        _start()
    assert _start().status_code == 429
    assert _start(address="198.51.100.9").status_code == 302
    assert _start(client="client-b").status_code == 302  # same address, another client
    assert ChatSession.objects.count() == sessions + 4


def test_the_refusal_is_translated(chats: Chats) -> None:
    for _ in range(2):
        _start()
    refused = _start(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 429
    with translation.override("zh-hans"):
        message = translation.gettext(REFUSAL)
    assert message != REFUSAL
    assert message in refused.content.decode()


def test_bad_input_counts_too_and_a_get_does_not(chats: Chats) -> None:
    http = HttpClient(REMOTE_ADDR="203.0.113.8")
    for _ in range(5):
        assert http.get("/chat/client-a/").status_code == 200
    assert http.post("/chat/client-a/", {"name": "Eve", "email": "nope"}).status_code == 400
    assert http.post("/chat/client-a/", {"name": "Eve", "email": "nope"}).status_code == 400
    before = snapshot()
    assert http.post("/chat/client-a/", START).status_code == 429
    assert snapshot() == before


def test_a_client_wide_ceiling_when_configured(chats: Chats, settings: Settings) -> None:
    settings.PACTLINE_CHAT_START_LIMIT = {"window_seconds": 60, "per_address": 0, "per_client": 3}
    codes = [_start(address=f"203.0.113.{n}").status_code for n in range(1, 5)]
    assert codes == [302, 302, 302, 429]
    assert _start(client="client-b").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    chats: Chats, settings: Settings
) -> None:
    settings.PACTLINE_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    for customer in ("203.0.113.20", "203.0.113.21"):
        for _ in range(2):
            response = _start(address=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {customer}")
            assert response.status_code == 302
    # A forged left-hand entry does not buy a fresh count.
    forged = _start(address=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.20")
    assert forged.status_code == 429


def test_windows_end_and_ipv6_counts_per_64() -> None:
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::9")
    assert address_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_bucket("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_bucket("not an address") == "not an address"


@pytest.mark.django_db
def test_a_new_window_starts_afresh() -> None:
    at = 1_700_000_080.0  # 40 s into a minute (1_700_000_040 starts one)
    verdicts = [chat_start_attempt(client_id=1, address="203.0.113.30", now=at) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[-1].retry_after == 20
    assert chat_start_attempt(client_id=1, address="203.0.113.30", now=at + 20).allowed
