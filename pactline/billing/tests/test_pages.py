"""Billing pages: who may open and act on each (a denied request changes nothing), the exact
figures, Chinese, and bad form input answered with the field's error, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.billing.models import (
    CreditExclusion,
    DiversionEntry,
    Invoice,
    Payment,
    VolumeForecast,
)
from pactline.billing.tests.pages_support import Billing, billing_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

READERS = frozenset({"client_a_viewer", "client_a_manager", "provider_admin", "billing"})
MANAGERS = frozenset({"provider_admin", "billing"})
# Who sees client A without reading its billing: they get 403; client B's users get 404.
SEES_A = frozenset({"client_a_agent", "supervisor", "qa_analyst", "planner"})
OTHERS = frozenset({"client_b_manager", "client_b_agent"})
EVERYONE = READERS | SEES_A | OTHERS | {"anonymous"}


def http_as(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def state() -> tuple[int, ...]:
    return (
        Invoice.objects.filter(status="issued").count(),
        Payment.objects.count(),
        DiversionEntry.objects.count(),
        CreditExclusion.objects.count(),
        VolumeForecast.objects.count(),
        AuditEvent.objects.count(),
    )


Url = Callable[[Billing], str]
READ_PAGES: list[tuple[str, Url]] = [
    ("client", lambda b: "/clients/client-a/billing/"),
    ("account", lambda b: "/clients/client-a/billing/account/"),
    ("diversion", lambda b: "/clients/client-a/billing/diversion/"),
    ("invoice", lambda b: f"/invoices/{b.invoice.pk}/"),
    ("credit note", lambda b: f"/invoices/{b.credit_note.pk}/"),
    ("line usage", lambda b: f"/invoices/lines/{b.invoice.lines.get().pk}/usage/"),
    ("line usage csv", lambda b: f"/invoices/lines/{b.invoice.lines.get().pk}/usage.csv"),
    ("csv", lambda b: f"/invoices/{b.invoice.pk}/download.csv"),
]
MANAGE_PAGES: list[tuple[str, Url, dict[str, str]]] = [
    ("issue", lambda b: f"/invoices/{b.draft.pk}/issue/", {}),
    (
        "payment",
        lambda b: f"/invoices/{b.invoice.pk}/payment/",
        {"amount": "100.00", "received_on": "2026-11-05", "reference": "BANK-0043"},
    ),
    ("close", lambda b: "/clients/client-a/billing/close/", {"period": "2026-10-01"}),
    (
        "exclusions",
        lambda b: "/clients/client-a/billing/exclusions/",
        {
            "month": "2026-09-01",
            "reference": "phone.answer_within",
            "kind": "force_majeure",
            "reason": "Storm",
        },
    ),
    (
        "top-up",
        lambda b: "/clients/client-a/billing/diversion/top-up/",
        {"amount": "50.00", "reference": "PRE-2"},
    ),
    ("late fees", lambda b: "/clients/client-a/billing/late-fees/", {}),
]


def _expected(persona: str, allowed: frozenset[str]) -> set[int]:
    if persona == "anonymous":
        return {302}
    if persona in allowed:
        return {200}
    if persona in OTHERS:
        return {404}
    return {403}


@pytest.mark.parametrize(("name", "url"), READ_PAGES, ids=[page[0] for page in READ_PAGES])
def test_who_reads_each_page(billing: Billing, name: str, url: Url) -> None:
    got = {
        persona: http_as(billing.world, persona).get(url(billing)).status_code
        for persona in sorted(EVERYONE)
    }
    expected = {persona: _expected(persona, READERS) for persona in sorted(EVERYONE)}
    assert {p: s for p, s in got.items() if s not in expected[p]} == {}


@pytest.mark.parametrize(
    ("name", "url", "data"), MANAGE_PAGES, ids=[page[0] for page in MANAGE_PAGES]
)
def test_who_acts_and_a_denied_post_changes_nothing(
    billing: Billing, name: str, url: Url, data: dict[str, str]
) -> None:
    for persona in sorted(EVERYONE - MANAGERS):
        http = http_as(billing.world, persona)
        # A draft is missing (404) for whoever may not manage it; other pages are 403.
        expected = {302} if persona == "anonymous" else {403, 404}
        assert http.get(url(billing)).status_code in expected, persona
        before = state()
        assert http.post(url(billing), data).status_code in expected, persona
        assert state() == before, persona
    for persona in sorted(MANAGERS):
        assert http_as(billing.world, persona).get(url(billing)).status_code == 200


def test_the_workspace_is_for_those_who_close_months(billing: Billing) -> None:
    for persona in sorted(EVERYONE):
        status = http_as(billing.world, persona).get("/billing/").status_code
        assert status == (200 if persona in MANAGERS else 302 if persona == "anonymous" else 404)


def test_a_draft_is_missing_for_the_client(billing: Billing) -> None:
    for persona in ("client_a_viewer", "client_a_manager"):
        http = http_as(billing.world, persona)
        assert http.get(f"/invoices/{billing.draft.pk}/").status_code == 404
        draft_line = billing.draft.lines.get()
        assert http.get(f"/invoices/lines/{draft_line.pk}/usage/").status_code == 404
        page = http.get("/clients/client-a/billing/").content.decode()
        assert "999.00" not in page and f"/invoices/{billing.draft.pk}/" not in page
    assert (
        http_as(billing.world, "billing").get(f"/invoices/{billing.draft.pk}/").status_code == 200
    )


def test_the_invoice_page_shows_the_exact_figures(billing: Billing) -> None:
    page = http_as(billing.world, "client_a_viewer").get(f"/invoices/{billing.invoice.pk}/")
    html = page.content.decode()
    assert "INV-2026-000007" in html
    assert '<td class="num" id="subtotal">1,234.50</td>' in html
    assert '<td class="num" id="tax">123.45</td>' in html
    assert "<strong>1,357.95 AUD</strong>" in html
    assert "Paid: 500.00 AUD" in html
    assert "CN-2026-000001" in html  # the correction
    assert "2 records" in html
    # The client neither issues nor records payments.
    assert f"/invoices/{billing.invoice.pk}/payment/" not in html
    assert "/issue/" not in html


def test_the_clients_billing_page(billing: Billing) -> None:
    response = http_as(billing.world, "client_a_manager").get("/clients/client-a/billing/")
    html = response.content.decode()
    # Newest period first; within September, the later document first. No draft.
    assert [invoice.number for invoice in response.context["page"].object_list] == [
        "CN-2026-000001",
        "INV-2026-000007",
    ]
    assert "Credited: 200.00 AUD (on charges of 1,234.50 AUD)." in html
    assert "phone.answer_within missed: 10 percent of the at-risk amount 2000" in html
    assert (
        "phone.abandon_rate missed, excluded (force majeure: Storm outage; approved by "
        "client:jane): no credit" in html
    )
    assert "Service credits for 2026-10" not in html  # October's memo is on the draft
    assert '<p class="figure">97.50</p>' in html  # the diversion balance
    assert "Close a month" not in html  # not the client's to do


def test_the_statement_of_account(billing: Billing) -> None:
    html = http_as(billing.world, "client_a_viewer").get("/clients/client-a/billing/account/")
    text = html.content.decode()
    assert '<th class="num" id="balance-owed">800.00 AUD</th>' in text
    for figure in ("1,357.95", "500.00", "57.95", "857.95"):
        assert figure in text


def test_a_lines_usage_is_the_periods_local_days(billing: Billing) -> None:
    line = billing.invoice.lines.get()
    response = http_as(billing.world, "client_a_viewer").get(f"/invoices/lines/{line.pk}/usage/")
    assert [record.source_id for record in response.context["page"].object_list] == [1, 2]


def test_the_workspace_lists_periods_drafts_and_overdue(billing: Billing) -> None:
    with time_machine.travel(datetime(2026, 12, 7, 3, 0, tzinfo=UTC), tick=False):
        response = http_as(billing.world, "billing").get("/billing/")
    assert [p.client.code for p in response.context["periods"]] == ["client-a", "client-b"]
    assert list(response.context["drafts"]) == [billing.draft]
    overdue = [(row.invoice.number, row.outstanding) for row in response.context["overdue"]]
    assert overdue == [("INV-2026-000007", Decimal("800.00")), ("INV-2026-000008", Decimal("10"))]
    html = response.content.decode()
    assert "800.00" in html and "36" in html


def test_chinese_pages(billing: Billing) -> None:
    http = http_as(billing.world, "client_a_viewer")
    html = http.get("/clients/client-a/billing/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "phone.answer_within 未达标：抵扣风险金额 2000 的 10%" in html
    assert "已获得的服务抵扣" in html  # Service credits earned
    assert "转接预付余额" in html  # Diversion balance
    account = http.get("/clients/client-a/billing/account/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "对账单" in account.content.decode()


# --- Acting ------------------------------------------------------------------------------------


def test_recording_a_payment_once(billing: Billing) -> None:
    http = http_as(billing.world, "billing")
    data = {"amount": "300.00", "received_on": "2026-11-05", "reference": "BANK-0043"}
    url = f"/invoices/{billing.invoice.pk}/payment/"
    assert http.post(url, data).status_code == 302
    assert http.post(url, data).status_code == 302  # the same reference: recorded once
    assert list(Payment.objects.filter(reference="BANK-0043").values_list("amount", flat=True)) == [
        Decimal("300.00")
    ]
    html = http.get(f"/invoices/{billing.invoice.pk}/").content.decode()
    assert "Paid: 800.00 AUD" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "abc", "received_on": "2026-11-05", "reference": "R"}, "amount", "number"),
        ({"amount": "-5", "received_on": "2026-11-05", "reference": "R"}, "amount", "0.01"),
        ({"amount": "1e999", "received_on": "2026-11-05", "reference": "R"}, "amount", ""),
        ({"amount": "5", "received_on": "2026-13-01", "reference": "R"}, "received_on", "date"),
        ({"amount": "5", "received_on": "0001-01-01", "reference": "R"}, "received_on", "1970"),
        ({"amount": "5", "received_on": "2026-11-05", "reference": "a\x00b"}, "reference", "NUL"),
        ({"amount": "5", "received_on": "2026-11-05", "reference": ""}, "reference", "required"),
        # More than the 800.00 outstanding: the service's refusal, on the amount.
        ({"amount": "900", "received_on": "2026-11-05", "reference": "R"}, "amount", "800"),
    ],
)
def test_a_bad_payment_names_its_field(
    billing: Billing, data: dict[str, str], field: str, message: str
) -> None:
    before = state()
    response = http_as(billing.world, "billing").post(
        f"/invoices/{billing.invoice.pk}/payment/", data
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert state() == before


def test_no_payment_on_a_credit_note(billing: Billing) -> None:
    response = http_as(billing.world, "billing").post(
        f"/invoices/{billing.credit_note.pk}/payment/",
        {"amount": "5", "received_on": "2026-11-05", "reference": "R"},
    )
    assert response.status_code == 400 and Payment.objects.count() == 1


def test_issuing_a_draft_freezes_it_once(billing: Billing) -> None:
    http = http_as(billing.world, "billing")
    page = http.get(f"/invoices/{billing.draft.pk}/issue/").content.decode()
    assert "999.00 AUD" in page and "Issue it" in page
    response = http.post(f"/invoices/{billing.draft.pk}/issue/")
    assert response.status_code == 302
    issued = Invoice.objects.get(pk=billing.draft.pk)
    assert issued.status == "issued" and issued.number.startswith("INV-")
    again = http.post(f"/invoices/{billing.draft.pk}/issue/", follow=True)
    assert "This document was already issued; here it is." in again.content.decode()
    assert Invoice.objects.get(pk=billing.draft.pk).number == issued.number
    # Now issued, the client sees it.
    viewer = http_as(billing.world, "client_a_viewer")
    assert viewer.get(f"/invoices/{billing.draft.pk}/").status_code == 200


def test_top_up_exclusion_and_forecast(billing: Billing) -> None:
    http = http_as(billing.world, "billing")
    top_up = {"amount": "50.00", "reference": "PRE-2"}
    assert http.post("/clients/client-a/billing/diversion/top-up/", top_up).status_code == 302
    html = http.get("/clients/client-a/billing/").content.decode()
    assert '<p class="figure">147.50</p>' in html
    exclusion = {
        "month": "2026-09-15",
        "reference": "phone.answer_within",
        "kind": "client_caused",
        "reason": "The client's IVR outage",
        "approved_by": "Priya Raman",
    }
    assert http.post("/clients/client-a/billing/exclusions/", exclusion).status_code == 302
    row = CreditExclusion.objects.get()
    assert (row.month, row.reference, row.kind, row.approved_by, row.recorded_by) == (
        date(2026, 9, 1),
        "phone.answer_within",
        "client_caused",
        "Priya Raman",
        "user:billing",
    )
    listed = http.get("/clients/client-a/billing/exclusions/").content.decode()
    assert "<td>client-caused</td>" in listed and "<td>Priya Raman</td>" in listed
    forecast = {"month": "2026-10-01", "reference": "phone", "forecast": "12000"}
    assert http.post("/clients/client-a/billing/forecasts/", forecast).status_code == 302
    assert VolumeForecast.objects.get().forecast == 12000


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        (
            "/clients/client-a/billing/exclusions/",
            {
                "month": "2026-09-01",
                "reference": "phone.answer_within",
                "kind": "bogus",
                "reason": "x",
                "approved_by": "Priya Raman",
            },
            "kind",
        ),
        (
            "/clients/client-a/billing/exclusions/",
            {
                "month": "2026-09-01",
                "reference": "phone.answer_within",
                "kind": "client_caused",
                "reason": "x",
                "approved_by": " ",
            },
            "approved_by",
        ),
        (
            "/clients/client-a/billing/exclusions/",
            {
                "month": "2026-09-01",
                "reference": "phone",
                "kind": "client_caused",
                "reason": "x",
                "approved_by": "Priya Raman",
            },
            "reference",
        ),
        (
            "/clients/client-a/billing/forecasts/",
            {"month": "2026-09-01", "reference": "phone", "forecast": "-1"},
            "forecast",
        ),
        (
            "/clients/client-a/billing/forecasts/",
            {"month": "9999-99-99", "reference": "phone", "forecast": "1"},
            "month",
        ),
        (
            "/clients/client-a/billing/diversion/top-up/",
            {"amount": "0", "reference": "P"},
            "amount",
        ),
        ("/clients/client-a/billing/close/", {"period": "not a date"}, "period"),
        ("/clients/client-a/billing/close/", {"period": "2099-01-01"}, "period"),
    ],
)
def test_bad_form_input_names_its_field(
    billing: Billing, url: str, data: dict[str, str], field: str
) -> None:
    before = state()
    response = http_as(billing.world, "billing").post(url, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert state() == before


def test_the_menu_offers_billing_to_those_who_read_it(billing: Billing) -> None:
    def menu(persona: str) -> str:
        html = http_as(billing.world, persona).get("/").content.decode()
        return html.split('<nav class="mainnav"')[1].split("</nav>")[0]

    assert 'href="/billing/"' in menu("billing") and 'href="/billing/"' in menu("provider_admin")
    assert 'href="/clients/client-a/billing/"' in menu("client_a_viewer")
    for persona in ("supervisor", "client_a_agent", "qa_analyst"):
        assert "/billing/" not in menu(persona), persona


def test_downloads_of_an_issued_invoice(billing: Billing) -> None:
    http = http_as(billing.world, "client_a_viewer")
    pdf = http.get(f"/invoices/{billing.invoice.pk}/download.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="client-a-INV-2026-000007.pdf"' in pdf["Content-Disposition"]
    csv = http.get(f"/invoices/{billing.invoice.pk}/download.csv")
    assert "INV-2026-000007" in csv.content.decode("utf-8-sig")
    assert http.get(f"/invoices/{billing.invoice.pk}/download.xml").status_code == 404
    assert http.get(f"/invoices/{billing.draft.pk}/download.pdf").status_code == 404


def test_the_client_and_the_provider_record_volume_forecasts(billing: Billing) -> None:
    url = "/clients/client-a/billing/forecasts/"
    uploaders = frozenset({"client_a_manager", "provider_admin", "billing"})
    for persona in sorted(EVERYONE - uploaders):
        http = http_as(billing.world, persona)
        expected = {302} if persona == "anonymous" else {403, 404}
        before = state()
        data = {"month": "2026-09-01", "reference": "phone", "forecast": "9000"}
        assert http.post(url, data).status_code in expected, persona
        assert state() == before, persona
    manager = http_as(billing.world, "client_a_manager")
    assert (
        'href="/clients/client-a/billing/forecasts/"'
        in manager.get("/clients/client-a/billing/").content.decode()
    )
    sent = {"month": "2026-09-01", "reference": "phone", "forecast": "9000"}
    assert manager.post(url, sent).status_code == 302
    row = VolumeForecast.objects.get()
    assert (row.month, row.reference, row.forecast) == (date(2026, 9, 1), "phone", 9000)
    assert row.uploaded_by == f"user:{billing.world.client_a_manager.user.username}"


def test_a_client_whose_agreement_prepays_no_diversions_is_shown_no_balance(
    billing: Billing,
) -> None:
    diverting = http_as(billing.world, "billing").get("/clients/client-a/billing/")
    other = http_as(billing.world, "billing").get("/clients/client-b/billing/")
    assert 'id="diversion"' in diverting.content.decode()
    assert other.status_code == 200 and 'id="diversion"' not in other.content.decode()
