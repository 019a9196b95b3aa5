"""Failed sign-ins lock out the username and the address (django-axes), with a clear page, and
every refusal is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings

from conftest import PASSWORD, World
from pactline.audit.models import AuditEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _three_strikes(settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _sign_in(username: str, password: str, address: str = "192.0.2.10") -> tuple[int, str]:
    response = HttpClient(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password}
    )
    return response.status_code, response.content.decode()


def _audited() -> list[tuple[str, str, str]]:
    return [
        (event.action, event.payload["username"], event.payload["address"])
        for event in AuditEvent.objects.filter(action__startswith="sign_in.").order_by("id")
    ]


def test_a_wrong_password_is_refused_and_audited(world: World) -> None:
    status, html = _sign_in("sup", "wrong")
    assert status == 200
    assert "Please enter a correct username and password" in html
    assert _audited() == [("sign_in.failed", "sup", "192.0.2.10")]
    event = AuditEvent.objects.get(action="sign_in.failed")
    assert event.object_id == str(world.supervisor.user.pk)  # type: ignore[union-attr]
    assert event.actor_label == "anonymous"


def test_the_third_failure_locks_the_username_even_with_the_right_password(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        assert _sign_in("sup", "wrong")[0] == 200
        assert _sign_in("sup", "wrong")[0] == 200
        status, html = _sign_in("sup", "wrong")
        assert status == 429
        assert 'id="locked-out"' in html
        assert "Try again in 15 minutes" in html
        # Locked: the right password from another address is refused too (per user).
        status, html = _sign_in("sup", PASSWORD, address="198.51.100.7")
        assert status == 429
        assert "sessionid" not in HttpClient().cookies
    assert _audited() == [
        ("sign_in.failed", "sup", "192.0.2.10"),
        ("sign_in.failed", "sup", "192.0.2.10"),
        ("sign_in.locked_out", "sup", "192.0.2.10"),
        ("sign_in.locked_out", "sup", "198.51.100.7"),
    ]


def test_failures_from_one_address_lock_that_address_for_every_user(world: World) -> None:
    for username in ("nobody", "someone", "else"):
        _sign_in(username, "guess", address="203.0.113.5")
    # A real user from that address is refused; the same user elsewhere signs in.
    assert _sign_in("a-viewer", PASSWORD, address="203.0.113.5")[0] == 429
    assert _sign_in("a-viewer", PASSWORD, address="192.0.2.99")[0] == 302


def test_the_lockout_ends_after_the_cool_off(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            _sign_in("sup", "wrong")
        assert _sign_in("sup", PASSWORD)[0] == 429
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        assert _sign_in("sup", PASSWORD)[0] == 429  # a new attempt restarted the wait
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        assert _sign_in("sup", PASSWORD)[0] == 302


def test_the_lockout_page_is_translated(world: World) -> None:
    for _ in range(3):
        _sign_in("sup", "wrong")
    response = HttpClient(REMOTE_ADDR="192.0.2.10", HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/login/", {"username": "sup", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        "username=%00sup&password=wrong",
        "username=%ED%A0%80&password=wrong",  # a lone surrogate, UTF-8 encoded
        "username=" + "x" * 5000 + "&password=wrong",
    ],
)
def test_odd_usernames_are_refused_and_audited_without_error(world: World, body: str) -> None:
    response = HttpClient(REMOTE_ADDR="192.0.2.10").post(
        "/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    (action, stored, _address) = _audited()[0]
    assert action == "sign_in.failed"
    assert "\x00" not in stored and len(stored) <= 150
    stored.encode("utf-8")  # storable as text anywhere
