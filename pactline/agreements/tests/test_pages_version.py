"""The version page: the whole agreement rendered, its lifecycle buttons, actions and exports."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.agreements.tests.test_pages_support import (  # noqa: F401 - fixture
    A_EXAMPLE,
    A_TITLE,
    Agreements,
    agreements_fixture,
    load,
)
from pactline.audit.models import AuditEvent
from pactline.tenancy.models import Client


def _page(client: HttpClient, version: AgreementVersion) -> str:
    response = client.get(f"/agreements/versions/{version.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, day: str, calendar: str = "") -> str:
    """The weekly-grid row of `day` (in `calendar`, else the first), so assertions stay on it."""
    if calendar:
        html = html[html.index(f'id="calendar-{calendar}"') :]
    match = re.search(rf'<tr><th scope="row">{day}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row for {day}"
    return match.group(1)


def test_chinese_agreement_renders_every_section(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_viewer.user)
    html = _page(client, agreements.a_active)

    assert A_TITLE in html
    monday = _row(html, "Monday")
    assert "09:00–12:00" in monday
    assert "13:30–18:00" in monday
    assert "Closed" in _row(html, "Saturday")
    assert "Closed" in _row(html, "Sunday")
    assert "Public holidays of CN" in html
    assert "2026-06-18" in html and "13:30–21:00" in html  # the mid-year sale override
    assert "Asia/Shanghai" in html
    # Channels with their addresses and calendars.
    assert "+86 400 820 8820" in html
    assert "wechat:华信家居服务号" in html
    # Service levels in words, with targets per priority and the time basis.
    assert "SL-B: answered within the threshold ÷ (answered + abandoned)" in html
    assert "≥ 90% answered within 20 s" in html
    assert "resolved with no repeat contact within 7 days" in html
    assert "3 business days" in html
    assert "Paused while: pending_customer" in html
    # Price, credits, escalation, reporting, policies.
    assert "CNY 6.80" in html and "per handled call" in html
    assert "CNY 9,800.00" in html and "3 agents" in html
    assert "CNY 60,000.00" in html
    assert "45 days after the invoice date" in html
    assert "8% of the month's charges" in html
    assert "phone.answer_within" in html and "50%" in html
    assert "At 75% of the target" in html
    assert "4 h after breach" in html
    assert "Notify the client&#x27;s contacts: 客户服务总监" in html
    assert "客服月度服务报告" in html and "PDF, XLSX" in html
    assert "within 2 h of discovery" in html
    assert "Changes take effect no earlier than 30 days after written notice" in html
    assert "All client data returned as XLSX, CSV, WAV within 15 days" in html
    # The service map, in the order its rows apply (customer-service-zh.yaml scope.service_map).
    table = html[
        html.index('id="service-map"') : html.index("</table>", html.index('id="service-map"'))
    ]
    assert "Service by queue / number / category" in html
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    assert cells == [
        ("Queue", "support", "Inbound support"),
        ("Queue", "complaints", "Complaint handling"),
        ("Queue", "activation", "Service activation"),
        ("Case category", "Inquiry", "Inbound support"),
        ("Case category", "Support request", "Inbound support"),
        ("Case category", "Complaint", "Complaint handling"),
        ("Case category", "Service activation", "Service activation"),
        ("Outbound call in no mapped queue", "—", "Follow-ups"),
        ("Anything else", "—", "Inbound support"),
    ]


def test_overnight_shifts_rounding_and_diversion_fees(client: HttpClient, world: World) -> None:
    version = load(world.client_a, "call-centre-per-minute")
    client.force_login(world.provider_admin.user)
    html = _page(client, version)

    friday = _row(html, "Friday", "faults-line")
    assert '<span class="interval interval-overnight">22:00–06:00' in friday
    assert "06:00–22:00" in friday
    # Kestrel's most urgent priority is "emergency": its phone cases keep the faults line.
    assert 'critical (emergency): <a href="#calendar-faults-line">faults-line</a>' in html.replace(
        "\n", ""
    )
    assert "30/6 (first 30 s, then every 6 s)" in html
    assert "Mobile numbers" in html and "AUD 0.28 per minute" in html
    assert "35% added to usage outside the hours of calendar contact-centre" in html
    assert "more than 10 points" in html  # the open last credit band
    assert "<dt>Tax</dt><dd>GST at 10%, added to the prices</dd>" in html
    assert "Invoices are issued when the client asks and are due at once" in html
    assert "interest at 10% a year on invoices paid more than 7 days late" in html
    assert "<dt>Diversion prepayment</dt><dd>AUD 500.00 paid before calls are forwarded" in html
    assert "<dt>Telecom pass-through charges</dt><dd>Billed at cost</dd>" in html
    assert "Tax ID ABN 51 824 753 556" in html and "Tax ID ABN 37 605 912 448" in html
    assert "<dt>Credits given</dt><dd>As a line on the month&#x27;s invoice</dd>" in html


def test_around_the_clock_calendar_and_customer_tiers(client: HttpClient, world: World) -> None:
    general = load(world.client_a, "general-outsourcing")
    client.force_login(world.provider_admin.user)
    assert "24/7 — open continuously" in _page(client, general)

    telecom = load(world.client_b, "telecom-tiers")
    html = _page(client, telecom)
    assert "Enterprise" in html and "this agreement" in html
    assert "Response and resolution targets × 0.25" in html
    assert "INR 90.00" in html and "1–10,000" in html  # graduated ticket tiers


@pytest.mark.parametrize(
    ("persona", "version_name", "shown", "hidden"),
    [
        (
            "provider_admin",
            "a_draft",
            ["Propose to the client"],
            ["Accept this version", "Activate"],
        ),
        (
            "provider_admin",
            "a_proposed",
            ["requires the client's written acceptance before this change is put in force"],
            ["Accept this version", "Propose to the client", ">Activate<", 'name="reason"'],
        ),
        (
            "client_a_manager",
            "a_proposed",
            ["Accept this version"],
            [">Activate<", "Propose to the client"],
        ),
        (
            "client_a_viewer",
            "a_proposed",
            [],
            ["Accept this version", ">Activate<", "Propose to the client"],
        ),
        (
            "provider_admin",
            "a_active",
            [],
            ["Accept this version", ">Activate<", "Propose to the client"],
        ),
    ],
)
def test_lifecycle_buttons_follow_role_and_status(
    client: HttpClient,
    world: World,
    agreements: Agreements,
    persona: str,
    version_name: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    client.force_login(getattr(world, persona).user)
    html = _page(client, getattr(agreements, version_name))
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_htmx_action_returns_the_lifecycle_partial(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_manager.user)
    version = agreements.a_proposed
    response = client.post(f"/agreements/versions/{version.pk}/accept/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card lifecycle-card" id="lifecycle">')
    assert "<html" not in html
    assert "Version 3 is accepted." in html
    assert "Accepted by client" in html
    assert "user:a-manager" in html
    version.refresh_from_db()
    assert version.accepted_by == "user:a-manager"


def test_a_refusal_is_the_page_again_with_a_4xx_and_the_reason(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.provider_admin.user)
    version = agreements.a_proposed
    events = AuditEvent.objects.count()

    response = client.post(f"/agreements/versions/{version.pk}/propose/")

    assert response.status_code == 409
    assert "Nothing changed: only a draft can be proposed" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    assert AuditEvent.objects.count() == events


def test_htmx_conflict_shows_the_message_in_the_partial(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.provider_admin.user)
    url = f"/agreements/versions/{agreements.a_active.pk}/activate/"
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Nothing changed: only a proposed version can be activated" in response.content.decode()


def test_an_amendment_dated_before_its_notice_date_is_refused_on_the_page(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.provider_admin.user)
    # Dated 2020-01-01 while the version in force asks 30 days of notice.
    draft = load(world.client_a, A_EXAMPLE, title="Backdated", to="draft")
    response = client.post(f"/agreements/versions/{draft.pk}/propose/")
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        "effective_from: the requested effective date 2020-01-01 is before the notice date" in html
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_activation_waits_for_the_clients_acceptance_on_the_page(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    version = agreements.a_proposed
    client.force_login(world.provider_admin.user)
    refused = client.post(f"/agreements/versions/{version.pk}/activate/")
    assert refused.status_code == 409
    assert "requires the client&#x27;s written acceptance" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED

    client.force_login(world.client_a_manager.user)
    assert client.post(f"/agreements/versions/{version.pk}/accept/").status_code == 302
    client.force_login(world.provider_admin.user)
    assert client.post(f"/agreements/versions/{version.pk}/activate/").status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE
    agreements.a_active.refresh_from_db()
    assert agreements.a_active.status == VersionStatus.SUPERSEDED


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_is_an_attachment_of_the_same_document(
    client: HttpClient, world: World, agreements: Agreements, fmt: str
) -> None:
    client.force_login(world.client_a_viewer.user)
    version = agreements.a_active
    response = client.get(f"/agreements/versions/{version.pk}/export.{fmt}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="HX-KF-2026-018-v1.{fmt}"'
    text = response.content.decode()
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    assert data["reference"] == "HX-KF-2026-018"
    assert data["parties"]["client"]["code"] == "client-a"


def test_unknown_export_format_is_404(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.provider_admin.user)
    assert (
        client.get(f"/agreements/versions/{agreements.a_active.pk}/export.xml").status_code == 404
    )


def test_agreement_history_shows_every_version_in_home_zone_and_utc(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_manager.user)
    response = client.get(f"/agreements/{agreements.a_active.agreement_id}/")
    html = response.content.decode()

    for number in (1, 2, 3):
        assert f">v{number}</a>" in html
    assert html.count('class="badge badge-active"') == 1
    assert 'class="badge badge-draft"' in html and 'class="badge badge-proposed"' in html
    # v1 took effect at local midnight in Shanghai, i.e. 16:00 UTC the day before.
    assert '2020-01-01 00:00 <span class="zone">Asia/Shanghai</span>' in html
    assert "2019-12-31 16:00 UTC" in html
    assert "system:test" in html


def test_client_page_lists_agreements_and_the_one_in_force(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_agent.user)
    html = client.get("/clients/client-a/").content.decode()
    assert A_TITLE in html
    assert f"/agreements/versions/{agreements.a_active.pk}/" in html
    assert "Load a new version" not in html  # an agent cannot draft
    assert Client.objects.get(code="client-b").name not in html
