"""The demo on every channel: calls through the queue_log importer, mail through the SMTP
listener, chats, social messages, recordings with a client's request, an outbound campaign.
The counts follow from the fixed seeds and the fixed `now`; a second run changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail as outbox
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import override_settings

from pactline.audit.models import AuditEvent
from pactline.audit.selectors import audit_chain_verify
from pactline.billing.models import InvoiceLine, UsageRecord
from pactline.cases.models import Case, SlaClock, TimelineEntry
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.email.models import (
    Direction,
    EmailAttachment,
    EmailMessage,
    QuarantinedEmail,
    QuarantineReason,
)
from pactline.channels.email.tokens import CASE_TOKEN
from pactline.channels.outbound.models import CallAttempt, CallListEntry, Campaign, DoNotCall
from pactline.channels.recordings.models import Recording, RecordingKind
from pactline.channels.social.models import SocialMessage
from pactline.channels.voice.models import AgentStateChange, Call, ImportRun, ImportStatus
from pactline.metrics.models import Rollup, Statement
from pactline.privacy.models import MaterialRequest, RequestStatus
from pactline.reports.models import GeneratedReport
from pactline.web.demo import DemoOptions, demo_load

# The demo is loaded once for the module (outside the tests' transactions: the SMTP listener
# and the importer's writer use connections of their own) and the database is emptied after.
pytestmark = pytest.mark.django_db

# Wednesday 18 November 2026, 15:00 UTC; two days of calls keep the test quick.
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
OPTIONS = DemoOptions(now=NOW, call_days=2)


def _by_client(rows: Any) -> dict[str, int]:
    return {
        row["client__code"]: row["n"] for row in rows.values("client__code").annotate(n=Count("id"))
    }


def _state() -> dict[str, Any]:
    return {
        "calls": _by_client(Call.objects),
        "agent_states": AgentStateChange.objects.count(),
        "imports": ImportRun.objects.count(),
        "cases": Case.objects.count(),
        "timeline": TimelineEntry.objects.count(),
        "clocks": SlaClock.objects.count(),
        "inbound_mail": _by_client(EmailMessage.objects.filter(direction=Direction.INBOUND)),
        "replies": EmailMessage.objects.filter(direction=Direction.OUTBOUND).count(),
        "attachments": EmailAttachment.objects.count(),
        "quarantined": QuarantinedEmail.objects.count(),
        "chats": _by_client(ChatSession.objects),
        "chat_messages": ChatMessage.objects.count(),
        "social": SocialMessage.objects.count(),
        "recordings": Recording.objects.count(),
        "requests": MaterialRequest.objects.count(),
        "campaign_entries": CallListEntry.objects.count(),
        "attempts": CallAttempt.objects.count(),
        "do_not_call": DoNotCall.objects.count(),
        "audit": AuditEvent.objects.count(),
        "statements": _by_client(Statement.objects),
        "reports": _by_client(GeneratedReport.objects),
        "rollup_offered": Rollup.objects.aggregate(offered=Sum("offered"))["offered"],
    }


@dataclass(frozen=True)
class Loaded:
    first: list[str]
    second: list[str]
    state: dict[str, Any]
    replies_mailed: int


@pytest.fixture(scope="module")
def loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    var = tmp_path_factory.mktemp("demo")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var, MEDIA_ROOT=var / "media"),
        time_machine.travel(NOW, tick=True),
    ):
        try:
            first = demo_load(options=OPTIONS)
            state = _state()
            mailed = len([m for m in outbox.outbox if CASE_TOKEN.search(str(m.subject))])
            second = demo_load(options=OPTIONS)
            yield Loaded(first, second, state, mailed)
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_every_channel_is_loaded_once_with_counts_that_follow_from_the_seeds(
    loaded: Loaded,
) -> None:
    state = loaded.state
    assert state["calls"] == {
        "huaxin-home": 544,
        "kestrel-energy": 160,
        "meridian-telecom": 646,
        "northwind-retail": 350,
    }
    assert state["agent_states"] == 3548
    # The recent days' mail (19, 20 and 25) and, back to 1 October, the older flow.
    assert state["inbound_mail"] == {
        "kestrel-energy": 79,
        "meridian-telecom": 75,
        "northwind-retail": 89,
    }
    assert (state["replies"], state["attachments"], state["quarantined"]) == (230, 2, 1)
    assert state["chats"] == {
        "huaxin-home": 4,
        "kestrel-energy": 3,
        "meridian-telecom": 3,
        "northwind-retail": 3,
    }
    assert (state["chat_messages"], state["social"]) == (51, 149)
    assert (state["recordings"], state["requests"]) == (16, 1)
    assert (state["campaign_entries"], state["attempts"], state["do_not_call"]) == (12, 14, 2)
    assert "calls: Northwind Retail: 350 calls on 2 open days (2026-11-17 to 2026-11-18)" in (
        "\n".join(loaded.first)
    )

    # A second run finds everything there and writes nothing, not even an audit event.
    assert _state() == state
    assert "already imported" in "\n".join(loaded.second)
    assert audit_chain_verify().intact


def test_the_calls_came_through_the_importer_with_agent_states(
    loaded: Loaded,
) -> None:
    runs = ImportRun.objects.all()
    assert {run.status for run in runs} == {ImportStatus.FINISHED}
    assert {run.lines_rejected for run in runs} == {0}
    assert {run.format for run in runs} == {"queue_log"}
    states = set(AgentStateChange.objects.values_list("state", flat=True))
    assert {"member_added", "member_removed", "pause", "unpause"} <= states
    outcomes = set(Call.objects.values_list("outcome", flat=True))
    assert {"answered", "abandoned"} <= outcomes
    assert Call.objects.filter(unanswered_rings__gt=0).exists()
    assert Call.objects.filter(transfer_count__gt=0).exists()
    assert Call.objects.filter(hold_seconds__gt=0, acw_seconds__gt=0).exists()
    assert Call.objects.filter(outcome="abandoned", wait_seconds__lt=5).exists()  # short abandons
    # Meridian's transfers go to the second-line queue its escalation ladder names.
    assert Call.objects.filter(client__code="meridian-telecom", transfer_count=1).exists()


def test_mail_arrived_over_smtp_threaded_and_one_was_quarantined(
    loaded: Loaded,
) -> None:
    quarantined = QuarantinedEmail.objects.get()
    assert quarantined.reason == QuarantineReason.UNPARSEABLE
    assert quarantined.client is not None and quarantined.client.code == "kestrel-energy"

    chinese = EmailMessage.objects.get(subject="订单 NW-51877 一直没有发货")
    assert chinese.from_name == "李明"
    assert "羊毛毯" in chinese.text_body

    # Ellen's photo, the agent's reply, and her answer threaded to it by In-Reply-To.
    photo = EmailMessage.objects.get(message_id__startswith="demo-northwind-retail-photo@")
    assert photo.attachments.get().filename == "side-table-leg.png"
    thread = list(EmailMessage.objects.filter(case=photo.case).order_by("received_at"))
    assert [m.direction for m in thread] == [
        Direction.INBOUND,
        Direction.OUTBOUND,
        Direction.INBOUND,
    ]
    assert thread[2].in_reply_to == thread[1].message_id
    assert photo.case.status == "open"

    # The Spanish customer's second message joined her own first one.
    spanish = EmailMessage.objects.get(message_id__startswith="demo-northwind-retail-es-2@")
    assert (
        spanish.case_id
        == EmailMessage.objects.get(message_id__startswith="demo-northwind-retail-es@").case_id
    )
    # Replies left through the mailer (the test's locmem backend).
    assert loaded.replies_mailed == 230


def test_chats_social_recordings_and_the_campaign(
    loaded: Loaded,
) -> None:
    waiting = ChatSession.objects.get(ended_at__isnull=True)
    assert waiting.client.code == "huaxin-home"
    assert not ChatMessage.objects.filter(session=waiting).exclude(author_kind="customer").exists()
    assert ChatMessage.objects.filter(author_kind="bot").count() == 1

    replies = SocialMessage.objects.filter(direction="out")
    assert replies.count() == 60  # 7 recent, 53 on the older threads
    assert set(replies.values_list("delivery", flat=True)) == {"delivered"}

    transcripts = Recording.objects.filter(kind=RecordingKind.TRANSCRIPT)
    assert transcripts.count() == 8
    kestrel = transcripts.filter(client__code="kestrel-energy")
    assert not any("4111 1111 1111 1111" in t.transcript_text for t in kestrel)
    assert Call.objects.filter(case__isnull=False).count() == 8
    request = MaterialRequest.objects.get()
    assert request.status == RequestStatus.APPROVED
    assert request.recording.client.code == "huaxin-home"

    campaign = Campaign.objects.get()
    assert campaign.kind == "satisfaction_survey"
    statuses = dict(
        CallListEntry.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    assert statuses == {"completed": 7, "do_not_call": 2, "exhausted": 1, "pending": 2}
    scores = [
        s for s in CallAttempt.objects.values_list("survey_score", flat=True) if s is not None
    ]
    assert sorted(scores) == [6, 8, 9, 10]


def test_each_client_opens_on_a_measured_month_with_a_statement_and_reports(
    loaded: Loaded,
) -> None:
    from pactline.channels.voice.models import Call as Calls

    state = loaded.state
    codes = {"huaxin-home", "kestrel-energy", "meridian-telecom", "northwind-retail"}
    assert state["statements"] == dict.fromkeys(codes, 1)
    assert set(state["reports"]) == codes
    # Every inbound call that finished is offered once in the rollups, and the chats, mail
    # and social cases once each.
    finished = Calls.objects.filter(direction="inbound").exclude(outcome="in_progress").count()
    assert state["rollup_offered"] >= finished
    statement = Statement.objects.get(client__code="northwind-retail")
    assert (statement.period_start.isoformat(), statement.period_end.isoformat()) == (
        "2026-10-01",
        "2026-10-31",
    )
    for report in GeneratedReport.objects.all():
        pdf = report.files.get(format="pdf")
        assert pdf.file.name.endswith(".pdf") and pdf.size > 1000, report


def test_the_closed_month_bills_the_tickets_resolved_in_it(loaded: Loaded) -> None:
    # Mail and social messages reach back to 1 October, the month the demo closes: every
    # per-ticket item bills the cases first resolved in it, and the older mail is all answered.
    lines = {
        line.client.code: line
        for line in InvoiceLine.objects.filter(
            model="per_ticket", invoice__kind="invoice"
        ).select_related("client", "invoice")
    }
    assert {code: (line.usage_count, line.amount) for code, line in lines.items()} == {
        "huaxin-home": (14, Decimal("58.80")),  # chat and social, 4.20 each
        "kestrel-energy": (44, Decimal("209.00")),  # chat and email, 4.75 each
        "meridian-telecom": (40, Decimal("3600.00")),  # every channel, 90.00 each up to 10,000
        "northwind-retail": (49, Decimal("188.65")),  # email, 3.85 each
    }
    meridian = lines["meridian-telecom"]
    assert (meridian.invoice.period_start, meridian.invoice.period_end) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    resolved = UsageRecord.objects.filter(
        client=meridian.client, kind="ticket", event="resolved", price_item=meridian.item
    )
    october = [r for r in resolved if r.at.astimezone(ZoneInfo("Asia/Kolkata")).month == 10]
    assert meridian.usage_count == len(october) > 0
    assert meridian.amount == meridian.usage_count * Decimal("90.00")  # the first tier

    older = EmailMessage.objects.filter(
        direction=Direction.INBOUND, received_at__lt=datetime(2026, 11, 6, tzinfo=UTC)
    )
    assert older.count() > 100
    assert not older.exclude(case__email_messages__direction=Direction.OUTBOUND).exists()
