"""Figures that are right on ordinary data, in every channel: chats and emails answered
within N s, chat handle time from the chat's own timeline, breached but unanswered contacts
counted as missed where they breached, and the cycles still within target at the period's end
reported as pending (the report's side: `pactline/reports/tests/test_pending.py`).

Northwind (America/New_York; business hours Mon-Fri 08:00-20:00, Sat 09:00-17:00), March
2026. Chat answers "within 30 s" (SL-B, 85 %) and first response 60 s (normal); email first
response 8 business hours and resolution 3 business days (normal); social first response 2
business hours (normal)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from pactline.cases.models import Case
from pactline.cases.services import case_agent_reply, case_open, case_resolve
from pactline.cases.tests.fixtures import northwind
from pactline.channels.chat.services import chat_message_add, chat_session_end, chat_session_start
from pactline.channels.social.services import Inbound, social_message_receive
from pactline.core.kpi import aht, service_level
from pactline.metrics.consumer import consume_all
from pactline.metrics.dashboards.figures import result_row
from pactline.metrics.models import Statement
from pactline.metrics.selectors import Filter, measured_between
from pactline.metrics.statements import statement_issue
from pactline.metrics.tests.support import SYSTEM, CallSpec, import_calls
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

MARCH = (datetime(2026, 3, 1, 5, tzinfo=UTC), datetime(2026, 4, 1, 4, tzinfo=UTC))
APRIL_2 = datetime(2026, 4, 2, 12, tzinfo=UTC)
MON = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _chat(
    client: Client,
    start: datetime,
    *,
    bot: timedelta | None = None,
    agent: timedelta | None = None,
    end: timedelta | None = None,
    resolve: timedelta | None = None,
) -> Case:
    started = chat_session_start(
        actor=SYSTEM, client=client, customer_name="Ada", first_message="Hi", at=start, now=start
    )
    session = started.session
    for kind, offset in (("bot", bot), ("agent", agent)):
        if offset is not None:
            at = start + offset
            chat_message_add(
                actor=SYSTEM, session=session, author_kind=kind, text="Hello", at=at, now=at
            )
    if end is not None:
        chat_session_end(actor=SYSTEM, session=session, now=start + end)
    if resolve is not None:
        case_resolve(actor=SYSTEM, case=session.case, now=start + resolve)
    return session.case


def _email(client: Client, opened: datetime, reply: datetime | None = None) -> Case:
    case = case_open(
        actor=SYSTEM, client=client, channel="email", priority="normal", at=opened, now=opened
    )
    if reply is not None:
        case_agent_reply(actor=SYSTEM, case=case, body="On it", at=reply, now=reply)
    return case


def _social(client: Client, sent: datetime, message_id: str, reply: datetime | None) -> Case:
    stored = social_message_receive(
        actor=SYSTEM,
        client=client,
        inbound=Inbound(
            platform="facebook",
            account="facebook:NorthwindRetail",
            thread_id=f"t-{message_id}",
            message_id=message_id,
            author_id="fb-7",
            author_name="Ann",
            text="Where is my parcel?",
            sent_at=sent,
        ),
        now=sent,
    )
    case = stored.message.case
    if reply is not None:
        case_agent_reply(actor=SYSTEM, case=case, body="Tracking sent", at=reply, now=reply)
    return case


def _month(client: Client, tmp_path: Path) -> None:
    # Chat: answered in 20 s (talk 280 s, wrap-up 180 s); in 45 s (talk 555 s, wrap-up
    # capped at 15 min); abandoned after 60 s with nobody joining; a bot at 5 s and a person
    # at 25 s (talk 95 s, never resolved: no wrap-up).
    _chat(client, MON, agent=20 * S, end=5 * MIN, resolve=8 * MIN)
    _chat(client, MON + HOUR, agent=45 * S, end=10 * MIN, resolve=40 * MIN)
    _chat(client, MON + 2 * HOUR, end=60 * S)
    _chat(client, MON + 3 * HOUR, bot=5 * S, agent=25 * S, end=2 * MIN)
    # Email: answered in 30 min; written at 06:00 (closed) and answered 25 s after the 08:00
    # opening; never answered, breached at 18:00 on Tue 10 March; written on 31 March at
    # 15:00 EDT and due on 1 April at 11:00: pending at the month's end.
    _email(client, MON, MON + 30 * MIN)
    _email(client, MON - 4 * HOUR, MON - 2 * HOUR + 25 * S)
    _email(client, datetime(2026, 3, 10, 14, tzinfo=UTC))
    _email(client, datetime(2026, 3, 31, 19, tzinfo=UTC))
    # Social: answered in an hour; never answered, due at 12:00 on Tue 3 March.
    _social(client, MON, "m-1", MON + HOUR)
    _social(client, MON + 24 * HOUR, "m-2", None)
    # Phone: waits 10 and 25 s answered, 40 s abandoned.
    import_calls(
        client,
        [
            CallSpec("p1", MON, "answered", 10, talk=60),
            CallSpec("p2", MON + MIN, "answered", 25, talk=60),
            CallSpec("p3", MON + 2 * MIN, "abandoned", 40),
        ],
        tmp_path,
    )
    consume_all()


def _results(statement: Statement) -> dict[str, dict]:
    [segment] = statement.content["segments"]
    return {f"{r['channel']}.{r['name']}": r for r in segment["results"]}


def _figures(result: dict) -> tuple[str | None, str | None, str | None, str, int]:
    return (
        result["value"] and str(round(Decimal(result["value"]), 2)),
        result["numerator"],
        result["denominator"],
        result["verdict"],
        result["pending"],
    )


def test_every_channel_is_measured_on_an_ordinary_month(tmp_path: Path) -> None:
    client = northwind()
    _month(client, tmp_path)

    chat = measured_between(client.id, *MARCH, Filter(channels=("chat",))).measures
    assert (chat.offered, chat.answered, chat.abandoned) == (4, 3, 1)
    assert (chat.answered_wait_seconds, chat.abandoned_wait_seconds) == (20 + 45 + 25, 60)
    assert chat.within[30].answered == 2
    sl = service_level(chat, variant="SL-B", threshold=30)
    assert (sl.numerator, sl.denominator) == (2, 4)
    # Handle time from the chat's own timeline: agent joined to end, plus wrap-up.
    assert (chat.handled, chat.talk_seconds, chat.acw_seconds) == (3, 280 + 555 + 95, 180 + 900)
    assert aht(chat, includes_hold=True, includes_acw=True).value == Decimal(670)

    email = measured_between(client.id, *MARCH, Filter(channels=("email",))).measures
    # Business seconds to the first human reply: 1800, and 25 from the 08:00 opening.
    assert (email.offered, email.answered, email.answered_wait_seconds) == (4, 2, 1825)
    assert email.within[30].answered == 1

    social = measured_between(client.id, *MARCH, Filter(channels=("social",))).measures
    assert (social.offered, social.answered, social.answered_wait_seconds) == (2, 1, 3600)

    statement, _ = statement_issue(actor=SYSTEM, client=client, day=date(2026, 3, 1), now=APRIL_2)
    results = _results(statement)
    assert _figures(results["chat.answer_within"]) == ("50.00", "2", "4", "missed", 0)
    # The abandoned chat's clock ran past its 60 s: missed, though nobody ever answered.
    assert _figures(results["chat.first_response"]) == ("75.00", "3", "4", "missed", 0)
    # Two met, one breached and never answered (missed where it breached), one pending.
    assert _figures(results["email.first_response"]) == ("66.67", "2", "3", "missed", 1)
    assert _figures(results["email.resolution"]) == ("0.00", "0", "3", "missed", 1)
    assert _figures(results["social.first_response"]) == ("50.00", "1", "2", "missed", 0)
    # Phone, unchanged: SL-C at 20 s, 1 of 3 (the minimum volume is 100 calls).
    assert _figures(results["phone.answer_within"])[:4] == ("33.33", "1", "3", "not_measured")
    assert _figures(results["phone.abandon_rate"])[:4] == ("33.33", "1", "3", "missed")
    assert _figures(results["phone.aht"])[:4] == ("60.00", "120", "2", "met")
    assert (statement.met, statement.missed, statement.not_measured) == (1, 6, 3)


def test_the_statement_page_says_how_many_are_pending(tmp_path: Path) -> None:
    northwind_client = northwind()
    _month(northwind_client, tmp_path)
    statement, _ = statement_issue(
        actor=SYSTEM, client=northwind_client, day=date(2026, 3, 1), now=APRIL_2
    )
    rows = [result_row(data) for data in statement.content["segments"][0]["results"]]
    page = render_to_string("metrics/_results.html", {"rows": rows})
    assert page.count("1 pending: within target at the end of the period") == 2
    with translation.override("zh-hans"):
        page = render_to_string("metrics/_results.html", {"rows": rows})
    assert page.count("（1 项待定：期末仍在目标时间内）") == 2


def test_a_clock_that_falls_due_later_is_missed_without_the_case_changing(
    tmp_path: Path,
) -> None:
    client = northwind()
    opened = datetime(2026, 3, 10, 14, tzinfo=UTC)  # due at 18:00 EDT = 22:00 UTC
    _email(client, opened)
    email = Filter(channels=("email",))
    with time_machine.travel(opened + HOUR, tick=False):
        consume_all()
    assert measured_between(client.id, *MARCH, email).clocks.get("email.first_response") is None
    with time_machine.travel(opened + 9 * HOUR, tick=False):
        consume_all()
    clocks = measured_between(client.id, *MARCH, email).clocks["email.first_response"]
    assert (clocks.stopped, clocks.met, clocks.business_seconds) == (1, 0, 28800)
