"""Every page, every demo user: the demo loaded by `pactline demo` itself, at a fixed moment
and again at the real current time (month boundaries and "today" find what a fixed date hides);
then every link, htmx source and menu entry reachable from each user's home page is followed.
No answer may be a 5xx, and no link the app shows a user may answer 403 or 404."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test import override_settings

from pactline.agreements.selectors import agreement_version_in_force
from pactline.billing.models import Invoice
from pactline.billing.tests.pages_support import ITEM, document
from pactline.knowledge.services import knowledge_article_create, knowledge_attachment_add
from pactline.tenancy.access import actor_for_user, system_actor
from pactline.tenancy.models import Client, Role, TokenScope
from pactline.tenancy.services import api_token_create
from pactline.web.demo import DEMO_USERS
from pactline.web.tests.crawl import Visit, crawl
from pactline.web.tests.route_matrix import matrix, member

pytestmark = pytest.mark.django_db

# Wednesday 18 November 2026, 15:00 UTC.
FIXED_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
# Two days of calls: every page has data behind it (this month's included) at a tenth of the
# full month's load time.
CALL_DAYS = "2"


@pytest.fixture(scope="module", params=["fixed now", "real now"])
def demo(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The demo, loaded once per "now" outside the tests' transactions (the SMTP listener and
    the importer use connections of their own); the database is emptied after."""
    var = tmp_path_factory.mktemp("demo")
    clock = (
        time_machine.travel(FIXED_NOW, tick=True)
        if request.param == "fixed now"
        else contextlib.nullcontext()
    )
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var, MEDIA_ROOT=var / "media"),
        clock,
    ):
        try:
            call_command("demo", "--call-days", CALL_DAYS, stdout=io.StringIO())
            yield request.param
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_every_page_reachable_from_home_answers_every_demo_user(demo: str) -> None:
    visits: list[Visit] = []
    for demo_user in DEMO_USERS:
        http = HttpClient()
        http.force_login(get_user_model().objects.get(username=demo_user.username))
        visits += crawl(http, user=demo_user.username)

    broken = [visit for visit in visits if visit.status >= 500 or visit.status in (403, 404)]
    assert not broken, f"{len(broken)} broken at {demo}:\n" + "\n".join(map(str, broken))
    # Each user reached more than their home page; the provider's roles reach every area.
    reached = {visit.user: visit for visit in visits if visit.url != "/"}
    assert set(reached) == {demo_user.username for demo_user in DEMO_USERS}


def issued_invoice(client: Client) -> Invoice:
    """An issued invoice with a line, unless the demo has issued one: the billing routes'
    parameters."""
    found = Invoice.objects.filter(client=client, status="issued").first()
    if found is not None:
        return found
    version = agreement_version_in_force(client, FIXED_NOW)
    assert version is not None
    return document(
        client,
        version,
        number="INV-2026-900001",
        sequence=900001,
        issued_on=FIXED_NOW.date(),
        subtotal="10",
        total="10",
        lines=((ITEM, "per_minute", "20", "minute", "0.50", "10.00", 0),),
    )


@pytest.mark.parametrize("demo", ["fixed now"], indirect=True)
def test_authorization_matrix_of_every_route_and_api_operation(demo: str) -> None:
    """Generated from the URL configuration and the OpenAPI document: every route × anonymous,
    another client's user, the same client's users without the role, and the allowed role."""
    kestrel = Client.objects.get(code="kestrel-energy")
    article = knowledge_article_create(
        actor=system_actor("test"),
        client=kestrel,
        title="Meter readings",
        body="How to read a smart meter.",
        published=True,
    )
    knowledge_attachment_add(
        actor=system_actor("test"), article=article, content=io.BytesIO(b"%PDF-1.4"), name="a.pdf"
    )
    issued_invoice(kestrel)
    api_token_create(
        actor=actor_for_user(member(kestrel, Role.CLIENT_MANAGER, "manager")),
        client=kestrel,
        name="matrix",
        scope=TokenScope.READ,
    )

    problems, checked = matrix(HttpClient())

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    assert checked > 100
