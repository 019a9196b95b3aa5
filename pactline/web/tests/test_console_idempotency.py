"""Double submits in the console change nothing: the reply sent twice with the form's key
(a double click, a retry, two identical requests at the same moment) is recorded and emailed
once, and the repeat gets the first answer."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.channels.email.services import email_receive
from pactline.common import idempotency
from pactline.common.models import IdempotencyRecord
from pactline.web.console import views
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    CARE,
    EMAIL,
    HTMX,
    NOW,
    SYSTEM,
    Console,
    console_fixture,
    frozen,
    http_as,
    snapshot,
)
from pactline.workforce.tests.support import enable

KEY = "0b5f3d1e-8a4c-4c0e-9a55-3c1f0e6d2b7a"
BODY = "A new lamp is on its way."


def _reply(http: HttpClient, case: Case, key: str = KEY, body: str = BODY, **extra: Any) -> Any:
    data = {"body": body, "idempotency_key": key}
    return http.post(f"/console/cases/{case.pk}/reply/", data, **extra)


def _replies(case: Case) -> int:
    return TimelineEntry.objects.filter(case=case, kind=EntryKind.AGENT_REPLY).count()


def test_the_console_reply_sent_twice_is_recorded_and_emailed_once(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    first = _reply(http, console.email, **HTMX)
    after_first = snapshot()
    second = _reply(http, console.email, **HTMX)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content
    assert second["HX-Trigger"] == first["HX-Trigger"] == "console-case-changed"
    assert second["Content-Type"] == first["Content-Type"]
    assert "Idempotent-Replayed" not in first and second["Idempotent-Replayed"] == "true"
    assert snapshot() == after_first
    assert _replies(console.email) == 1
    [sent] = mail.outbox
    assert sent.body == BODY + "\n"


def test_a_page_post_repeated_gets_the_same_redirect_and_runs_once(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    first = _reply(http, console.email)
    second = _reply(http, console.email)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == f"/console/cases/{console.email.pk}/"
    assert _replies(console.email) == 1 and len(mail.outbox) == 1


def test_without_a_key_every_post_runs(console: Console) -> None:
    """Backward compatible: a request that carries no key is not deduplicated."""
    http = http_as(console, "client_a_agent")
    http.post(f"/console/cases/{console.phone.pk}/note/", {"body": "Called back"})
    http.post(f"/console/cases/{console.phone.pk}/note/", {"body": "Called back"})
    notes = TimelineEntry.objects.filter(case=console.phone, kind=EntryKind.NOTE).count()
    assert notes == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_with_a_different_reply_is_refused_naming_the_key(
    console: Console,
) -> None:
    http = http_as(console, "client_a_agent")
    _reply(http, console.email, **HTMX)
    before = snapshot()
    other = _reply(http, console.email, body="Something else entirely.", **HTMX)
    assert other.status_code == 422
    assert other.content.decode() == (
        f"The idempotency key {KEY} was already used for a different request; send this "
        "request with a new key."
    )
    # The same key on another case (another path) is a different request too.
    assert _reply(http, console.phone, **HTMX).status_code == 422
    assert snapshot() == before


def test_two_users_with_the_same_key_do_not_collide(console: Console) -> None:
    agent = http_as(console, "client_a_agent")
    supervisor = http_as(console, "supervisor")
    first = _reply(agent, console.phone, body="Called back.", **HTMX)
    second = _reply(supervisor, console.phone, body="Called back.", **HTMX)
    assert "Idempotent-Replayed" not in second
    assert first.status_code == second.status_code == 200
    assert _replies(console.phone) == 2
    owners = sorted(IdempotencyRecord.objects.values_list("owner", flat=True))
    agent_user, supervisor_user = console.a_agent, console.world.supervisor.user
    assert supervisor_user is not None
    assert owners == sorted([f"user:{agent_user.pk}", f"user:{supervisor_user.pk}"])


def test_a_key_that_is_not_a_key_is_refused_naming_the_field(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    for bad in ("k" * 201, "two words", "键"):
        response = _reply(http, console.email, key=bad, **HTMX)
        assert response.status_code == 422
        assert response.content.decode() == (
            "idempotency_key: at most 200 visible ASCII characters, without spaces."
        )
    assert not IdempotencyRecord.objects.exists()
    assert _replies(console.email) == 0 and mail.outbox == []
    assert _reply(http, console.email, key="k" * 200, **HTMX).status_code == 200


def test_a_failed_request_releases_its_key(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5xx is not kept: the retry with the same key runs."""
    original = views.ACTIONS["reply"]
    calls: list[int] = []

    def fail_once(*args: Any) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return original(*args)

    monkeypatch.setitem(views.ACTIONS, "reply", fail_once)
    http = http_as(console, "client_a_agent")
    http.raise_request_exception = False
    assert _reply(http, console.email, **HTMX).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    retried = _reply(http, console.email, **HTMX)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried
    assert _replies(console.email) == 1 and len(mail.outbox) == 1


def test_an_answer_that_cannot_be_read_is_a_409_not_a_second_run(console: Console) -> None:
    """E.g. its field key was rotated away: the repeat neither fails nor runs again."""
    http = http_as(console, "client_a_agent")
    _reply(http, console.email, **HTMX)
    IdempotencyRecord.objects.update(headers="not a Fernet token")
    before = snapshot()
    repeat = _reply(http, console.email, **HTMX)
    assert repeat.status_code == 409
    assert snapshot() == before and len(mail.outbox) == 1


def test_a_request_refused_by_the_csrf_check_reserves_nothing(console: Console) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(console.a_agent)
    assert _reply(http, console.email, **HTMX).status_code == 403
    assert not IdempotencyRecord.objects.exists()


def test_every_form_of_the_console_case_page_carries_a_fresh_key(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    url = f"/console/cases/{console.email.pk}/"
    pages = [http.get(url).content.decode() for _ in range(2)]
    forms = [re.findall(r"<form\b[^>]*method=\"post\".*?</form>", page, re.S) for page in pages]
    assert len(forms[0]) >= 5
    keys = []
    for page_forms in forms:
        for form in page_forms:
            if 'action="/i18n/setlang/"' in form:
                continue  # the language switch is exempt
            [key] = re.findall(r'name="idempotency_key" value="([0-9a-f-]{36})"', form)
            keys.append(key)
    assert len(set(keys)) == len(keys)  # every rendering gets its own


# --- Two identical requests at the same moment ---------------------------------------------------


def _race_world(world: World) -> Case:
    client = world.client_a
    load(client, "general-outsourcing")
    assert world.client_a_agent.user is not None
    enable(world.client_a_agent.user, client)
    [delivery] = email_receive(actor=SYSTEM, raw=EMAIL, mail_from="", rcpt_tos=[CARE], now=NOW)
    return Case.objects.get(pk=delivery.case_id)


def _at_once(http: HttpClient, case: Case, count: int) -> list[Any]:
    barrier = threading.Barrier(count)
    responses: list[Any] = [None] * count

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = _reply(http, case, **HTMX)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def _slow_reply(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The reply takes a while, so the twin arrives while the first is still running."""
    original = views.ACTIONS["reply"]

    def slow(*args: Any) -> str:
        time.sleep(seconds)
        return original(*args)

    monkeypatch.setitem(views.ACTIONS, "reply", slow)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("frozen")
def test_two_identical_replies_at_the_same_moment_run_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _race_world(world)
    _slow_reply(monkeypatch, 0.5)
    http = HttpClient()
    assert world.client_a_agent.user is not None
    http.force_login(world.client_a_agent.user)

    first, second = _at_once(http, case, 2)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    replayed = sorted(r.get("Idempotent-Replayed", "") for r in (first, second))
    assert replayed == ["", "true"]
    assert _replies(case) == 1 and len(mail.outbox) == 1
    assert IdempotencyRecord.objects.get().status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("frozen")
def test_a_twin_that_waits_too_long_is_told_the_first_is_still_running(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _race_world(world)
    _slow_reply(monkeypatch, 1.5)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    http = HttpClient()
    assert world.client_a_agent.user is not None
    http.force_login(world.client_a_agent.user)

    responses = _at_once(http, case, 2)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409]
    [busy] = [r for r in responses if r.status_code == 409]
    assert busy["Retry-After"] == "1"
    assert busy.content.decode() == (
        f"A request with the idempotency key {KEY} is still running, or stopped before it "
        "finished; try again in a moment, or send a new key if it does not finish."
    )
    assert _replies(case) == 1 and len(mail.outbox) == 1
    # Once the first has finished, the repeat gets its answer.
    assert _reply(http, case, **HTMX)["Idempotent-Replayed"] == "true"
