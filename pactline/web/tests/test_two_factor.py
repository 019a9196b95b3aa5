"""Two-factor sign-in (TOTP): the password alone reaches nothing once a user has an authenticator,
enrolment from the account menu, and enrolment required per role by setting."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from pytest_django.fixtures import Settings

from conftest import PASSWORD, World
from pactline.audit.models import AuditEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # on a 30-second step boundary
CODE_PAGE = "/login/code/"
SETUP_PAGE = "/account/two-factor/"


def _code(key: bytes, at: datetime) -> str:
    return f"{_at(key, at):06d}"


def _at(key: bytes, at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return int(totp(key))


def _wrong(key: bytes, at: datetime) -> str:
    right = _at(key, at)
    near = {_at(key, at + timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if n not in near and n != right)


def _device(user: User | None) -> TOTPDevice:
    assert user is not None
    return TOTPDevice.objects.create(user=user, name="phone", key=random_hex(20), confirmed=True)


def _password_only(username: str) -> HttpClient:
    http = HttpClient()
    response = http.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return http


def test_the_password_alone_reaches_no_page_once_the_user_has_an_authenticator(
    world: World,
) -> None:
    _device(world.provider_admin.user)
    http = _password_only("admin")

    assert http.get("/").headers["Location"] == f"{CODE_PAGE}?next=%2F"
    for path in ("/clients/", "/clients/client-a/tokens/", "/cases/", "/admin/"):
        response = http.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith(CODE_PAGE), path
    # The API does not take the half-signed-in session either.
    assert http.get("/api/v1/clients").status_code == 401
    # A write is not let through either.
    response = http.post("/clients/client-a/tokens/", {"name": "x", "scope": "read"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="api_token.created").exists()
    page = http.get(CODE_PAGE)
    assert page.status_code == 200
    assert "Enter your code" in page.content.decode()


def test_a_wrong_code_is_refused_and_audited(world: World) -> None:
    device = _device(world.supervisor.user)
    with time_machine.travel(T0, tick=False):
        http = _password_only("sup")
        response = http.post(CODE_PAGE, {"code": _wrong(device.bin_key, T0), "next": "/"})
        assert response.status_code == 422
        assert "That code is not valid" in response.content.decode()
        assert http.get("/").status_code == 302
    event = AuditEvent.objects.get(action="sign_in.second_factor_failed")
    assert event.actor_user_id == world.supervisor.user.pk  # type: ignore[union-attr]
    assert event.payload == {"address": "127.0.0.1"}


@pytest.mark.parametrize("bad", ["", "abcdef", "12345678901", "\x00"])
def test_a_malformed_code_is_refused_on_its_field(world: World, bad: str) -> None:
    _device(world.supervisor.user)
    http = _password_only("sup")
    response = http.post(CODE_PAGE, {"code": bad})
    assert response.status_code == 422
    assert "code" in response.context["form"].errors
    assert http.get("/").status_code == 302


def test_the_right_code_signs_in_and_returns_to_the_page_asked_for(world: World) -> None:
    device = _device(world.supervisor.user)
    with time_machine.travel(T0, tick=False):
        http = _password_only("sup")
        assert http.get("/cases/").headers["Location"] == f"{CODE_PAGE}?next=%2Fcases%2F"
        response = http.post(
            f"{CODE_PAGE}?next=%2Fcases%2F", {"code": _code(device.bin_key, T0), "next": "/cases/"}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/cases/"
        assert http.get("/").status_code == 200
        assert http.get("/api/v1/clients").status_code == 200
        # The code page has nothing left to ask.
        assert http.get(CODE_PAGE).status_code == 302


def test_a_code_is_not_accepted_twice(world: World) -> None:
    device = _device(world.supervisor.user)
    with time_machine.travel(T0, tick=False):
        code = _code(device.bin_key, T0)
        first = _password_only("sup")
        assert first.post(CODE_PAGE, {"code": code}).status_code == 302
        second = _password_only("sup")
        assert second.post(CODE_PAGE, {"code": code}).status_code == 422


def test_wrong_codes_slow_down_the_next_check(world: World) -> None:
    device = _device(world.supervisor.user)
    with time_machine.travel(T0, tick=False):
        http = _password_only("sup")
        http.post(CODE_PAGE, {"code": _wrong(device.bin_key, T0)})
        http.post(CODE_PAGE, {"code": _wrong(device.bin_key, T0)})
        # Even the right code waits: two failures pause checking for two seconds.
        response = http.post(CODE_PAGE, {"code": _code(device.bin_key, T0)})
        assert response.status_code == 422
        assert "Too many wrong codes" in response.content.decode()
    later = T0 + timedelta(seconds=3)
    with time_machine.travel(later, tick=False):
        assert http.post(CODE_PAGE, {"code": _code(device.bin_key, later)}).status_code == 302


def _setup_key(html: str) -> bytes:
    match = re.search(r'<code id="totp-key" class="secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the set-up key is on the page"
    text = match.group(1).replace(" ", "")
    return b32decode(text + "=" * (-len(text) % 8))


def test_a_user_turns_two_factor_on_from_the_account_menu(world: World) -> None:
    http = HttpClient()
    http.force_login(world.client_a_viewer.user)
    home = http.get("/").content.decode()
    assert f'href="{SETUP_PAGE}"' in home

    with time_machine.travel(T0, tick=False):
        page = http.get(SETUP_PAGE)
        assert page.status_code == 200
        assert page["Cache-Control"] == "no-store"
        html = page.content.decode()
        assert "<svg" in html
        uri = re.search(r'<code id="totp-uri">([^<]+)</code>', html)
        assert uri and uri.group(1).startswith("otpauth://totp/Pactline%3Aa-viewer?secret=")
        key = _setup_key(html)
        # The key stays the same across reloads until it is confirmed.
        assert _setup_key(http.get(SETUP_PAGE).content.decode()) == key

        refused = http.post(SETUP_PAGE, {"code": _wrong(key, T0)})
        assert refused.status_code == 422
        assert not TOTPDevice.objects.exists()

        done = http.post(SETUP_PAGE, {"code": _code(key, T0)})
        assert done.status_code == 302
        device = TOTPDevice.objects.get()
        assert device.confirmed and device.bin_key == key
        assert device.user == world.client_a_viewer.user
        # This session proved the code: it goes on.
        assert http.get("/").status_code == 200
        assert 'id="two-factor-on"' in http.get(SETUP_PAGE).content.decode()
    assert AuditEvent.objects.filter(action="two_factor.enabled").count() == 1
    # A new sign-in now needs a code.
    assert _password_only("a-viewer").get("/").headers["Location"].startswith(CODE_PAGE)


def test_turning_two_factor_off_needs_a_current_code(world: World) -> None:
    device = _device(world.client_a_viewer.user)
    with time_machine.travel(T0, tick=False):
        http = _password_only("a-viewer")
        assert http.post(CODE_PAGE, {"code": _code(device.bin_key, T0)}).status_code == 302
    later = T0 + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert http.post(SETUP_PAGE, {"code": _wrong(device.bin_key, later)}).status_code == 422
        assert TOTPDevice.objects.count() == 1
    latest = later + timedelta(seconds=30)
    with time_machine.travel(latest, tick=False):
        assert http.post(SETUP_PAGE, {"code": _code(device.bin_key, latest)}).status_code == 302
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.filter(action="two_factor.disabled").count() == 1
    assert _password_only("a-viewer").get("/").status_code == 200


def test_with_the_setting_a_supervisor_without_an_authenticator_must_enrol_first(
    world: World, settings: Settings
) -> None:
    settings.PACTLINE_2FA_REQUIRED_ROLES = ["provider_admin", "supervisor", "client_manager"]
    http = _password_only("sup")

    response = http.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{SETUP_PAGE}?next=%2Fcases%2F"
    assert http.get("/api/v1/clients").status_code == 401
    with time_machine.travel(T0, tick=False):
        page = http.get(f"{SETUP_PAGE}?next=%2Fcases%2F")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Your role requires two-factor sign-in" in html
        key = _setup_key(html)
        done = http.post(
            f"{SETUP_PAGE}?next=%2Fcases%2F", {"code": _code(key, T0), "next": "/cases/"}
        )
        assert done.headers["Location"] == "/cases/"
        assert http.get("/cases/").status_code == 200
        # Required: it cannot be turned off.
        assert "cannot be turned off" in http.get(SETUP_PAGE).content.decode()
        assert http.post(SETUP_PAGE, {"code": _code(key, T0)}).status_code == 422
    assert TOTPDevice.objects.count() == 1


def test_with_the_setting_a_viewer_is_not_asked_to_enrol(world: World, settings: Settings) -> None:
    settings.PACTLINE_2FA_REQUIRED_ROLES = ["provider_admin", "supervisor", "client_manager"]
    http = _password_only("a-viewer")
    assert http.get("/").status_code == 200
    assert http.get("/api/v1/clients").status_code == 200


def test_without_the_setting_nobody_is_asked_to_enrol(world: World) -> None:
    assert _password_only("sup").get("/").status_code == 200


@pytest.mark.parametrize(
    "persona",
    [
        "provider_admin",
        "supervisor",
        "client_a_manager",
        "client_a_viewer",
        "client_a_agent",
        "client_b_manager",
    ],
)
def test_every_role_finds_the_two_factor_page_in_its_account_menu(
    world: World, persona: str
) -> None:
    http = HttpClient()
    http.force_login(getattr(world, persona).user)
    assert f'href="{SETUP_PAGE}"' in http.get("/").content.decode()
    assert http.get(SETUP_PAGE).status_code == 200


def test_the_two_factor_page_needs_a_signed_in_user(db: None) -> None:
    response = HttpClient().get(SETUP_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/")
    assert HttpClient().post(CODE_PAGE, {"code": "123456"}).status_code == 302


def test_a_lost_authenticator_is_reset_from_the_command_line(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    _device(world.supervisor.user)
    out = StringIO()
    call_command("two_factor", "reset", "sup", stdout=out)
    assert out.getvalue() == "sup: two-factor sign-in reset\n"
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.payload == {"username": "sup", "devices": 1}
    assert event.actor_label == "system:two_factor"
    out = StringIO()
    call_command("two_factor", "reset", "sup", stdout=out)  # again: nothing changes
    assert "nothing changed" in out.getvalue()
    assert AuditEvent.objects.filter(action="two_factor.reset").count() == 1
    assert _password_only("sup").get("/").status_code == 200


def test_the_code_step_never_sends_the_user_off_site(world: World) -> None:
    device = _device(world.supervisor.user)
    with time_machine.travel(T0, tick=False):
        http = _password_only("sup")
        response = http.post(
            CODE_PAGE, {"code": _code(device.bin_key, T0), "next": "https://evil.example/"}
        )
    assert response.status_code == 302
    assert response.headers["Location"] == "/wallboard/"  # the supervisor's landing
