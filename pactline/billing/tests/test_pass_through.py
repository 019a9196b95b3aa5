"""Pass-through charges: recorded once by reference, imported from a carrier's CSV, billed at
cost plus the agreement's markup."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import EXAMPLES
from pactline.billing.close import month_close
from pactline.billing.models import UsageRecord
from pactline.billing.pass_through import charges_import, pass_through_record, reference_key
from pactline.billing.tests.close_support import Loaded, met, statement
from pactline.billing.tests.support import SYSTEM
from pactline.common.errors import Forbidden, ValidationFailed
from pactline.tenancy.tests.holders import hold_escalation_roles

pytestmark = pytest.mark.django_db

# 5 September 2026 in Adelaide (UTC+9:30) begins at 4 September 14:30 UTC.
SEP_5 = datetime(2026, 9, 4, 14, 30, tzinfo=UTC)
NOW = datetime(2026, 10, 2, tzinfo=UTC)
CSV = (
    "date,amount,description,reference\n"
    "2026-09-05,12.40,Carrier line rental,INV-1/1\n"
    "2026-09-05,7.60,Carrier line rental,INV-1/2\n"
    "2026-09-12,30,Toll-free usage,INV-1/3\n"
)


def marked_up() -> Loaded:
    """Kestrel's per-minute agreement with a 10 percent pass-through markup."""
    text = (EXAMPLES / "call-centre-per-minute.yaml").read_text(encoding="utf-8")
    text = text.replace("pass_through_markup_percent: 0", "pass_through_markup_percent: 10", 1)
    version = agreement_version_create(actor=SYSTEM, text=text, create_client=True).version
    agreement_version_propose(actor=SYSTEM, version=version, now=version.created_at)
    hold_escalation_roles(version.client)
    version = agreement_version_activate(actor=SYSTEM, version=version, now=version.created_at)
    return Loaded(version.client, version)


def _record(loaded: Loaded, **fields: object) -> UsageRecord:
    given: dict[str, object] = {
        "at": SEP_5,
        "amount": Decimal("12.40"),
        "description": "Carrier line rental",
        "reference": "INV-1/1",
    }
    given.update(fields)
    return pass_through_record(actor=SYSTEM, client=loaded.client, now=NOW, **given)  # type: ignore[arg-type]


def test_a_charge_is_recorded_once_by_its_reference(world: World) -> None:
    at = marked_up()
    record = _record(at)
    assert (record.kind, record.source, record.part, record.source_id) == (
        "pass_through",
        "pass_through",
        "charge",
        reference_key("INV-1/1"),
    )
    assert (record.amount, record.description, record.at, record.agreement_version_id) == (
        Decimal("12.40"),
        "Carrier line rental",
        SEP_5,
        at.version.pk,
    )
    assert _record(at).pk == record.pk
    assert UsageRecord.objects.filter(client=at.client).count() == 1
    with pytest.raises(ValidationFailed) as raised:
        _record(at, amount=Decimal("12.41"))
    assert [error.path for error in raised.value.errors] == ["reference"]
    with pytest.raises(Forbidden):
        pass_through_record(
            actor=world.qa_analyst.actor,
            client=at.client,
            at=SEP_5,
            amount=Decimal("1"),
            description="x",
            reference="R",
            now=NOW,
        )


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-3")}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": Decimal("0.0000001")}, "amount"),
        ({"description": "  "}, "description"),
        ({"reference": ""}, "reference"),
        ({"at": datetime(2026, 9, 5)}, "at"),
        ({"at": datetime(2026, 1, 5, tzinfo=UTC)}, "at"),  # before the agreement
    ],
)
def test_bad_charges_name_their_field(fields: dict[str, object], path: str) -> None:
    at = marked_up()
    with pytest.raises(ValidationFailed) as raised:
        _record(at, **fields)
    assert [error.path for error in raised.value.errors] == [path]
    assert not UsageRecord.objects.filter(client=at.client).exists()


def test_month_close_bills_charges_with_the_markup(world: World) -> None:
    """Line rental 12.40 + 7.60 = 20.00 plus 10 percent = 22.00 (2 charges); toll-free 30 plus
    10 percent = 33.00."""
    at = marked_up()
    assert len(charges_import(actor=SYSTEM, client=at.client, text=CSV, now=NOW)) == 3
    assert len(charges_import(actor=SYSTEM, client=at.client, text=CSV, now=NOW)) == 3
    assert UsageRecord.objects.filter(client=at.client).count() == 3
    statement(
        at,
        date(2026, 9, 1),
        [
            met("phone.answer_within"),
            met("phone.emergency_answer"),
            met("phone.abandon_rate", "5", "<="),
            met("email.first_response"),
        ],
        issued_at=NOW,
    )
    invoice = month_close(
        actor=world.billing.actor, client=at.client, period_start=date(2026, 9, 1), now=NOW
    ).invoice
    lines = [
        (line.item, line.amount, line.usage_count)
        for line in invoice.lines.order_by("position")
        if line.model == "pass_through"
    ]
    assert lines == [
        ("Carrier line rental", Decimal("22.00"), 2),
        ("Toll-free usage", Decimal("33.00"), 1),
    ]


def test_a_bad_line_imports_nothing_and_every_bad_line_is_told(tmp_path: Path) -> None:
    at = marked_up()
    text = (
        "date,amount,description,reference\n"
        "2026-09-05,12.40,Carrier line rental,INV-1/1\n"
        "5/9/2026,0,Carrier line rental,INV-1/2\n"
        "2026-09-06,1.00,,INV-1/3\n"
        "2026-09-07,2.00,Toll-free usage,INV-1/1\n"
    )
    with pytest.raises(ValidationFailed) as raised:
        charges_import(actor=SYSTEM, client=at.client, text=text, now=NOW)
    assert [(error.line, error.path) for error in raised.value.errors] == [
        (3, "date"),
        (3, "amount"),
        (4, "description"),
        (5, "reference"),
    ]
    assert not UsageRecord.objects.filter(client=at.client).exists()
    with pytest.raises(ValidationFailed) as raised:
        charges_import(actor=SYSTEM, client=at.client, text="day,amount\n", now=NOW)
    assert [(error.line, error.path) for error in raised.value.errors] == [
        (1, "date"),
        (1, "description"),
        (1, "reference"),
    ]

    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("billing", "charges", "--client", at.client.code, "--file", str(bad))
    assert "line 3, date:" in str(failed.value)
    assert "line 5, reference:" in str(failed.value)
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    out = StringIO()
    call_command("billing", "charges", "--client", at.client.code, "--file", str(good), stdout=out)
    assert out.getvalue().strip() == f"{at.client.code}: 3 pass-through charge(s) recorded"
    assert UsageRecord.objects.filter(client=at.client, kind="pass_through").count() == 3
    with pytest.raises(CommandError, match="--client"):
        call_command("billing", "charges", "--client", "nobody", "--file", str(good))


def test_the_charges_page_loads_a_carriers_file_once(world: World) -> None:
    at = marked_up()
    url = f"/clients/{at.client.code}/billing/charges/"
    http = HttpClient()
    http.force_login(world.billing.user)
    bad = http.post(url, {"text": CSV + "2026-09-13,-3,Refund,INV-1/4\n"})
    assert bad.status_code == 400
    assert "line 5, <strong>amount</strong>" in bad.content.decode()
    assert UsageRecord.objects.filter(client=at.client).count() == 0
    upload = SimpleUploadedFile("carrier.csv", CSV.encode("gb18030"), content_type="text/csv")
    assert http.post(url, {"file": upload}).status_code == 302
    assert http.post(url, {"text": CSV}).status_code == 302  # the same file again: kept once
    amounts = UsageRecord.objects.filter(client=at.client).values_list("amount", flat=True)
    assert sorted(amounts) == [Decimal("7.60"), Decimal("12.40"), Decimal("30")]
    page = http.get(url).content.decode()
    assert "<td>2026-09-12</td><td>Toll-free usage</td>" in page
    manager = HttpClient()
    manager.force_login(world.client_a_manager.user)
    assert manager.post(url, {"text": CSV}).status_code == 404  # not the manager's client
