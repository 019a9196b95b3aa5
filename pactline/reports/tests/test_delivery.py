"""Reports on schedule: generated once their period ends, emailed once to the agreement's
recipients with its formats attached, in the report's language; immutable and versioned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from pactline.audit.models import AuditEvent
from pactline.cases.tests.fixtures import load_example, northwind
from pactline.core.agreement.operations import Report
from pactline.metrics.consumer import consume_all
from pactline.metrics.tests.support import SYSTEM, CallSpec, import_calls
from pactline.metrics.tests.test_rollups import VECTOR
from pactline.reports.models import GeneratedReport, GeneratedReportFile
from pactline.reports.services import (
    due_periods,
    report_generate,
    reports_generate_due,
    settling_periods,
)
from pactline.reports.tests.test_data import DAILY, MONTHLY

pytestmark = pytest.mark.django_db

TUESDAY_1AM_NY = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def report(frequency: str, due: int | None) -> Report:
    return Report(
        name="r",
        frequency=frequency,
        recipients=("a@b.example",),
        format=("pdf",),
        contents=("volume",),
        due_days=due,
    )


def test_due_periods_follow_frequency_and_delivery_days() -> None:
    wednesday = date(2026, 3, 4)
    assert due_periods(report("daily", None), wednesday) == [(date(2026, 3, 3), date(2026, 3, 3))]
    assert due_periods(report("daily", 2), wednesday) == [
        (date(2026, 3, 2), date(2026, 3, 2)),
        (date(2026, 3, 3), date(2026, 3, 3)),
    ]
    assert due_periods(report("weekly", None), date(2026, 3, 9)) == [
        (date(2026, 3, 2), date(2026, 3, 8))
    ]
    assert due_periods(report("weekly", None), wednesday) == []  # Mon 23 Feb week: too late
    assert due_periods(report("monthly", 5), wednesday) == [(date(2026, 2, 1), date(2026, 2, 28))]
    assert due_periods(report("monthly", 5), date(2026, 3, 6)) == []
    assert due_periods(report("quarterly", 10), date(2026, 4, 10)) == [
        (date(2026, 1, 1), date(2026, 3, 31))
    ]


def test_due_reports_are_emailed_once_to_their_recipients(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()

    sent = reports_generate_due(now=TUESDAY_1AM_NY)
    assert {(d.report_name, d.period_start) for d in sent} == {
        (DAILY, date(2026, 3, 2)),
        (MONTHLY, date(2026, 2, 1)),  # still inside its 5 delivery days
    }
    assert len(mail.outbox) == 2
    by_subject = {message.subject: message for message in mail.outbox}
    daily = by_subject["Daily operations summary — Northwind Retail, March 2, 2026"]
    assert daily.to == ["tom.becker@northwind-retail.example"]
    assert [name for name, _data, _type in daily.attachments] == [
        "daily-operations-summary-2026-03-02-v1.html",
        "daily-operations-summary-2026-03-02-v1.csv",
    ]
    assert "Service levels: 1 met, 1 missed, 8 not measured." in daily.body
    report = GeneratedReport.objects.get(report_name=DAILY)
    assert f"/reports/{report.pk}/" in daily.body
    assert report.emailed_at == TUESDAY_1AM_NY
    assert report.emailed_to == ["tom.becker@northwind-retail.example"]
    monthly = by_subject["Monthly service review — Northwind Retail, February 2026"]
    assert monthly.to == [
        "priya.raman@northwind-retail.example",
        "tom.becker@northwind-retail.example",
    ]
    assert [t for _n, _d, t in monthly.attachments] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert monthly.attachments[0][1].startswith(b"%PDF")

    # Every format is stored, under its digest.
    stored = GeneratedReportFile.objects.filter(report=report)
    assert sorted(stored.values_list("format", flat=True)) == ["csv", "html", "pdf", "xlsx"]
    assert all(f.file.name == f"reports/{client.code}/{f.sha256}.{f.format}" for f in stored)

    # Running again, even with changed data, sends nothing and generates nothing.
    late = [CallSpec("late", datetime(2026, 3, 2, 18, tzinfo=UTC), "answered", 3, talk=60)]
    import_calls(client, late, tmp_path, name="late")
    consume_all()
    assert reports_generate_due(now=TUESDAY_1AM_NY + timedelta(minutes=1)) == []
    assert reports_generate_due(now=TUESDAY_1AM_NY + timedelta(hours=20)) == []
    assert len(mail.outbox) == 2
    assert GeneratedReport.objects.count() == 2


WEDNESDAY_1AM_NY = TUESDAY_1AM_NY + timedelta(days=1)


def test_settling_periods_follow_the_close_of_the_delivery_window() -> None:
    # Monday 2 March's window closed with Tuesday; a week later the last days still settle.
    daily = settling_periods(report("daily", None), date(2026, 3, 4))
    assert daily[-1] == (date(2026, 3, 2), date(2026, 3, 2))
    assert daily[0] == (date(2026, 2, 24), date(2026, 2, 24))
    assert len(daily) == 7
    assert settling_periods(report("monthly", 5), date(2026, 3, 5)) == []  # window still open
    assert settling_periods(report("monthly", 5), date(2026, 3, 6)) == [
        (date(2026, 2, 1), date(2026, 2, 28))
    ]
    assert settling_periods(report("monthly", 5), date(2026, 3, 12)) == [
        (date(2026, 2, 1), date(2026, 2, 28))
    ]
    assert settling_periods(report("monthly", 5), date(2026, 3, 13)) == []


def test_late_data_is_emailed_as_a_revision_when_the_window_closes(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    reports_generate_due(now=TUESDAY_1AM_NY)
    mail.outbox.clear()

    # Monday's last call arrives on Tuesday with the next import.
    late = [CallSpec("late", datetime(2026, 3, 2, 18, tzinfo=UTC), "answered", 3, talk=60)]
    import_calls(client, late, tmp_path, name="late")
    consume_all()
    assert reports_generate_due(now=TUESDAY_1AM_NY + timedelta(hours=20)) == []

    sent = reports_generate_due(now=WEDNESDAY_1AM_NY)
    revisions = [d for d in sent if d.replaces is not None]
    assert [(d.report_name, d.period_start, d.version, d.replaces) for d in revisions] == [
        (DAILY, date(2026, 3, 2), 2, 1)
    ]
    assert revisions[0].sent_to == ("tom.becker@northwind-retail.example",)
    by_subject = {message.subject: message for message in mail.outbox}
    revision = by_subject["Revised: Daily operations summary — Northwind Retail, March 2, 2026"]
    assert "This is version 2 of the report. It replaces version 1:" in revision.body
    assert [name for name, _d, _t in revision.attachments] == [
        "daily-operations-summary-2026-03-02-v2.html",
        "daily-operations-summary-2026-03-02-v2.csv",
    ]
    # Tuesday's own report went out as usual, not as a revision.
    assert "Daily operations summary — Northwind Retail, March 3, 2026" in by_subject

    first, second = GeneratedReport.objects.filter(
        report_name=DAILY, period_start=date(2026, 3, 2)
    ).order_by("version")
    assert second.content["sections"]["volume"]["total"]["offered"] == 13
    assert first.content["sections"]["volume"]["total"]["offered"] == 12
    assert (second.emailed_at, second.settled_at) == (WEDNESDAY_1AM_NY, WEDNESDAY_1AM_NY)
    assert first.emailed_at == TUESDAY_1AM_NY and first.settled_at is None
    event = AuditEvent.objects.get(action="report.revised")
    assert event.payload["version"] == 2 and event.payload["replaces"] == 1

    # Settled once: more late data, and more runs, send nothing more for Monday.
    later = [CallSpec("later", datetime(2026, 3, 2, 19, tzinfo=UTC), "answered", 3, talk=60)]
    import_calls(client, later, tmp_path, name="later")
    consume_all()
    outbox = len(mail.outbox)
    assert reports_generate_due(now=WEDNESDAY_1AM_NY + timedelta(hours=1)) == []
    assert len(mail.outbox) == outbox
    assert (
        GeneratedReport.objects.filter(report_name=DAILY, period_start=date(2026, 3, 2)).count()
        == 2
    )


def test_an_unchanged_report_settles_without_an_email(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    reports_generate_due(now=TUESDAY_1AM_NY)
    mail.outbox.clear()

    sent = reports_generate_due(now=WEDNESDAY_1AM_NY)
    assert [(d.report_name, d.period_start, d.replaces) for d in sent] == [
        (DAILY, date(2026, 3, 3), None)
    ]
    assert len(mail.outbox) == 1
    monday = GeneratedReport.objects.get(report_name=DAILY, period_start=date(2026, 3, 2))
    assert monday.version == 1 and monday.settled_at == WEDNESDAY_1AM_NY


def test_a_period_never_emailed_is_not_sent_when_it_settles(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    # Nothing ran on Tuesday: Monday's window closed unsent; Tuesday's report is due.
    sent = reports_generate_due(now=WEDNESDAY_1AM_NY)
    assert {(d.report_name, d.period_start) for d in sent} == {
        (DAILY, date(2026, 3, 3)),
        (MONTHLY, date(2026, 2, 1)),
    }
    assert not GeneratedReport.objects.filter(period_start=date(2026, 3, 2)).exists()


def test_a_report_is_immutable_and_a_change_is_a_new_version(tmp_path: Path) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()
    first = report_generate(
        actor=SYSTEM,
        client=client,
        report_name=DAILY,
        period_start=date(2026, 3, 2),
        now=TUESDAY_1AM_NY,
    )
    assert first.created and first.report.version == 1
    again = report_generate(
        actor=SYSTEM, client=client, report_name=DAILY, period_start=date(2026, 3, 2)
    )
    assert not again.created and again.report.pk == first.report.pk

    late = [CallSpec("late", datetime(2026, 3, 2, 18, tzinfo=UTC), "answered", 3, talk=60)]
    import_calls(client, late, tmp_path, name="late")
    consume_all()
    second = report_generate(
        actor=SYSTEM, client=client, report_name=DAILY, period_start=date(2026, 3, 2)
    )
    assert second.created and second.report.version == 2
    assert second.report.content_hash != first.report.content_hash
    assert second.report.content["sections"]["volume"]["total"]["offered"] == 13
    first.report.refresh_from_db()
    assert first.report.content["sections"]["volume"]["total"]["offered"] == 12  # kept as it was
    with pytest.raises(TypeError):
        first.report.save()


def test_periods_that_have_not_ended_or_do_not_start_a_period_are_refused() -> None:
    from pactline.common.errors import ValidationFailed

    client = northwind()
    with pytest.raises(ValidationFailed):  # Tuesday 3 March has not ended at 01:00
        report_generate(
            actor=SYSTEM,
            client=client,
            report_name=DAILY,
            period_start=date(2026, 3, 3),
            now=TUESDAY_1AM_NY,
        )
    with pytest.raises(ValidationFailed):
        report_generate(
            actor=SYSTEM,
            client=client,
            report_name=MONTHLY,
            period_start=date(2026, 2, 2),
            now=TUESDAY_1AM_NY,
        )
    with pytest.raises(ValidationFailed):
        report_generate(
            actor=SYSTEM,
            client=client,
            report_name="No such report",
            period_start=date(2026, 2, 1),
            now=TUESDAY_1AM_NY,
        )
    with pytest.raises(ValidationFailed):
        report_generate(
            actor=SYSTEM,
            client=client,
            report_name=DAILY,
            period_start=date(1, 1, 1),
            now=TUESDAY_1AM_NY,
        )
    assert not GeneratedReport.objects.exists()


def test_a_failed_send_is_retried_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = northwind()
    import_calls(client, VECTOR, tmp_path)
    consume_all()

    def refuse(self: object, fail_silently: bool = False) -> int:
        raise OSError("SMTP server unreachable")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        assert reports_generate_due(now=TUESDAY_1AM_NY) == []
    assert not GeneratedReport.objects.filter(emailed_at__isnull=False).exists()
    assert GeneratedReport.objects.count() == 2  # generated, not sent
    assert len(reports_generate_due(now=TUESDAY_1AM_NY + timedelta(minutes=1))) == 2
    assert len(mail.outbox) == 2


def test_the_chinese_agreement_is_emailed_in_chinese(tmp_path: Path) -> None:
    client = load_example("customer-service-zh").client
    calls = [
        CallSpec(
            spec.call_id,
            datetime(2026, 3, 2, 2, tzinfo=UTC) + timedelta(seconds=n * 30),
            spec.outcome,
            spec.wait,
            talk=spec.talk,
        )
        for n, spec in enumerate(VECTOR)
    ]
    import_calls(client, calls, tmp_path)
    consume_all()
    out = StringIO()
    call_command("reports", "run-due", "--now", "2026-04-01T09:00:00+08:00", stdout=out)
    assert "emailed huaxin-home '客服月度服务报告' 2026-03-01 v1" in out.getvalue()
    (message,) = mail.outbox
    assert message.subject == "客服月度服务报告 — 华信家居，2026年3月"
    assert message.to == ["wang.lei@huaxin-home.example", "zhao.jing@huaxin-home.example"]
    assert message.body.startswith("您好：")
    assert "附件格式：PDF, XLSX。" in message.body
    assert [name for name, _d, _t in message.attachments] == [
        "客服月度服务报告-2026-03-01-v1.pdf",
        "客服月度服务报告-2026-03-01-v1.xlsx",
    ]
    call_command("reports", "run-due", "--now", "2026-04-01T10:00:00+08:00", stdout=out)
    assert len(mail.outbox) == 1


def test_generate_command(tmp_path: Path) -> None:
    client = northwind()
    out = StringIO()
    call_command(
        "reports",
        "generate",
        "--client",
        client.code,
        "--report",
        MONTHLY,
        "--period",
        "2026-02-01",
        stdout=out,
    )
    assert "generated: 'Monthly service review' 2026-02-01..2026-02-28 v1" in out.getvalue()
    call_command(
        "reports",
        "generate",
        "--client",
        client.code,
        "--report",
        MONTHLY,
        "--period",
        "2026-02-01",
        stdout=out,
    )
    assert "unchanged: 'Monthly service review'" in out.getvalue()
