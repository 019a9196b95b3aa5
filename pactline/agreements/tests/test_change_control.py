"""Change control that binds: written acceptance, the notice date, one version in force, the
notice emailed to the client's contacts, and the changes in words."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client as HttpClient
from django.utils import translation

from conftest import World
from pactline.agreements.diff import agreement_diff
from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import example_data
from pactline.audit.models import AuditEvent
from pactline.common.errors import Conflict, ValidationFailed
from pactline.core.agreement import AgreementDocument, agreement_from_data
from pactline.tenancy.access import system_actor

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York, 23:00 in Shanghai
PROPOSED = T0 + timedelta(days=1)  # 3 March (both zones): the notice date is 2 April
ON_NOTICE_DATE = "2026-04-02"


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


def _for(client_code: str, name: str = "general-outsourcing", **change: Any) -> dict[str, Any]:
    data = example_data(name)
    data["parties"]["client"]["code"] = client_code
    data["change_control"].update(change)
    return data


def _in_force(world: World, data: dict[str, Any]) -> AgreementVersion:
    admin = world.provider_admin.actor
    version = agreement_version_create(actor=admin, text=_text(data), now=T0).version
    agreement_version_propose(actor=admin, version=version, now=T0)
    return agreement_version_activate(actor=admin, version=version, now=T0)


def _proposed(world: World, data: dict[str, Any], *, title: str = "Amended") -> AgreementVersion:
    admin = world.provider_admin.actor
    data = {**data, "effective_from": ON_NOTICE_DATE, "title": title}
    version = agreement_version_create(actor=admin, text=_text(data), now=PROPOSED).version
    return agreement_version_propose(actor=admin, version=version, now=PROPOSED)


def _amended(data: dict[str, Any]) -> dict[str, Any]:
    """Chat answered 80% (was 85%) within 30 s, chat high-priority first response 45 s (was
    60 s), Saturdays 08:00–20:00 (was 09:00–17:00), a web help desk instead of social media,
    email tickets at 4.10 (was 3.85), credits capped at 12% (was 10%), 45 days of change
    notice (was 30) and 120 days of termination notice (was 90)."""
    new = json.loads(_text(data))
    new["service_levels"]["chat"]["answer_within"]["target_percent"] = "80"
    new["service_levels"]["chat"]["first_response"]["target_seconds"]["high"] = 45
    new["calendars"]["business"]["hours"]["sat"] = ["08:00-20:00"]
    new["channels"]["web"] = {
        "calendar": "business",
        "addresses": ["https://help.northwind-retail.example/"],
    }
    del new["channels"]["social"]
    del new["service_levels"]["social"]
    new["pricing"]["items"][0]["channels"] = ["phone", "chat"]
    new["pricing"]["items"][2]["rate"] = "4.10"
    credits = new["service_credits"]
    credits["allocations"] = [
        a for a in credits["allocations"] if not a["service_level"].startswith("social")
    ]
    credits["cap_percent"] = "12"
    new["escalation"]["ladders"][1]["applies_to"]["channels"] = ["email"]
    new["change_control"]["notice_days"] = 45
    new["termination"]["notice_days"] = 120
    return new


def _doc(data: dict[str, Any]) -> AgreementDocument:
    return agreement_from_data(json.loads(_text(data)))


# --- Written acceptance ---------------------------------------------------------------------


def _unchanged(version: AgreementVersion, events: int) -> None:
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    assert version.effective_from is None
    assert version.acceptance_override_reason == ""
    assert AuditEvent.objects.count() == events


def test_a_change_is_not_activated_without_the_clients_acceptance(world: World) -> None:
    first = _in_force(world, _for("client-a"))
    version = _proposed(world, _for("client-a"))
    assert (version.acceptance_required, version.override_permitted) == (True, False)
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        agreement_version_activate(actor=world.provider_admin.actor, version=version)
    assert str(refused.value) == (
        "the agreement requires the client's written acceptance before a change is put in "
        "force, and it does not permit the provider to override it"
    )
    _unchanged(version, events)
    first.refresh_from_db()
    assert first.status == VersionStatus.ACTIVE
    # The same with a reason: the agreement does not permit an override at all.
    with pytest.raises(Conflict):
        agreement_version_activate(
            actor=world.provider_admin.actor, version=version, override_reason="Urgent fix"
        )
    _unchanged(version, events)


def test_the_clients_acceptance_lets_the_change_be_activated(world: World) -> None:
    _in_force(world, _for("client-a"))
    version = _proposed(world, _for("client-a"))
    agreement_version_accept(actor=world.client_a_manager.actor, version=version)
    activated = agreement_version_activate(actor=world.provider_admin.actor, version=version)
    assert activated.status == VersionStatus.ACTIVE
    assert activated.accepted_by == "user:a-manager"
    assert activated.acceptance_override_reason == ""


def test_a_permitted_override_needs_a_written_reason(world: World) -> None:
    _in_force(world, _for("client-a", provider_override_permitted=True))
    version = _proposed(world, _for("client-a", provider_override_permitted=True))
    assert (version.acceptance_required, version.override_permitted) == (True, True)
    events = AuditEvent.objects.count()
    for reason in (None, "", "   ", "x" * 2001, "nul\x00"):
        with pytest.raises(ValidationFailed) as refused:
            agreement_version_activate(
                actor=world.provider_admin.actor, version=version, override_reason=reason
            )
        assert [error.path for error in refused.value.errors] == ["reason"]
        _unchanged(version, events)


def test_a_permitted_override_with_a_reason_is_activated_and_audited(world: World) -> None:
    _in_force(world, _for("client-a", provider_override_permitted=True))
    version = _proposed(world, _for("client-a", provider_override_permitted=True))
    at = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
    activated = agreement_version_activate(
        actor=world.provider_admin.actor,
        version=version,
        now=at,
        override_reason="  Regulator's order of 1 April; the client's signatory is on leave.  ",
    )
    assert activated.status == VersionStatus.ACTIVE
    assert activated.accepted_at is None
    assert activated.effective_from == at  # the requested day had begun before activation
    reason = "Regulator's order of 1 April; the client's signatory is on leave."
    assert activated.acceptance_override_reason == reason
    overridden = AuditEvent.objects.get(action="agreement.version.acceptance_overridden")
    assert overridden.actor_label == "user:admin"
    assert overridden.payload == {"number": 2, "reason": reason}
    assert agreement_version_in_force(world.client_a, at) == activated


def test_without_written_acceptance_the_provider_activates_alone(world: World) -> None:
    _in_force(world, _for("client-a", requires_written_acceptance=False))
    version = _proposed(world, _for("client-a"))
    assert version.acceptance_required is False
    activated = agreement_version_activate(actor=world.provider_admin.actor, version=version)
    assert activated.status == VersionStatus.ACTIVE


def test_the_first_version_needs_no_acceptance(world: World) -> None:
    first = _in_force(world, _for("client-a"))
    assert (first.status, first.acceptance_required, first.notice_days) == (
        VersionStatus.ACTIVE,
        False,
        0,
    )


def test_the_system_loader_leaves_an_unaccepted_change_proposed(
    world: World, tmp_path: Any
) -> None:
    from pathlib import Path

    from pactline.agreements.loading import agreement_file_load

    _in_force(world, _for("client-a"))
    data = {**_for("client-a"), "effective_from": "2030-01-01", "title": "Amended"}
    data["term"]["end"] = "2031-12-31"
    path = Path(tmp_path) / "amended.json"
    path.write_text(_text(data), encoding="utf-8")
    line = agreement_file_load(actor=system_actor("cli"), path=path, fmt=None, activate=True)
    assert line.startswith("stored: client-a NWR-CC-2026-001 v2 (proposed): the agreement ")
    assert AgreementVersion.objects.get(number=2).status == VersionStatus.PROPOSED


# --- The notice date ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "notice_days", "refused"),
    [
        ("2026-04-01", 30, True),
        ("2026-04-02", 30, False),
        ("2026-04-16", 45, True),
        ("2026-04-17", 45, False),
        ("2026-03-03", 0, False),
        ("2026-03-02", 0, True),
    ],
)
def test_the_requested_date_is_honoured_from_the_notice_date(
    world: World, requested: str, notice_days: int, refused: bool
) -> None:
    _in_force(world, _for("client-a", notice_days=notice_days))
    admin = world.provider_admin.actor
    data = {**_for("client-a"), "effective_from": requested, "title": "Amended"}
    version = agreement_version_create(actor=admin, text=_text(data), now=PROPOSED).version
    if refused:
        with pytest.raises(ValidationFailed) as raised:
            agreement_version_propose(actor=admin, version=version, now=PROPOSED)
        assert [error.path for error in raised.value.errors] == ["effective_from"]
        version.refresh_from_db()
        assert version.status == VersionStatus.DRAFT
        return
    proposed = agreement_version_propose(actor=admin, version=version, now=PROPOSED)
    agreement_version_accept(actor=world.client_a_manager.actor, version=version, now=PROPOSED)
    activated = agreement_version_activate(actor=admin, version=proposed, now=PROPOSED)
    midnight = datetime.fromisoformat(requested).replace(tzinfo=ZoneInfo("America/New_York"))
    assert activated.effective_from == max(midnight, PROPOSED)


# --- The history page: one version in force -------------------------------------------------


def test_the_history_shows_one_version_in_force(client: HttpClient, world: World) -> None:
    admin, manager = world.provider_admin.actor, world.client_a_manager.actor
    first = _in_force(world, _for("client-a"))
    data = _for("client-a")
    # v2 in force since 2 April 2026; v3 accepted and activated, dated 2099 (scheduled).
    second = _proposed(world, data, title="Second")
    agreement_version_accept(actor=manager, version=second, now=PROPOSED)
    agreement_version_activate(actor=admin, version=second, now=PROPOSED)
    third_data = {**data, "title": "Third", "effective_from": "2099-01-01"}
    third_data["term"] = {**data["term"], "end": "2099-12-31"}
    third = agreement_version_create(actor=admin, text=_text(third_data), now=PROPOSED).version
    agreement_version_propose(actor=admin, version=third, now=PROPOSED)
    agreement_version_accept(actor=manager, version=third, now=PROPOSED)
    agreement_version_activate(actor=admin, version=third, now=PROPOSED)
    statuses = dict(AgreementVersion.objects.values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "superseded", 3: "active"}

    client.force_login(world.client_a_viewer.user)
    html = client.get(f"/agreements/{first.agreement_id}/").content.decode()
    badges = [html.split(f">v{n}</a>", 1)[1].split("</td>", 2)[1] for n in (3, 2, 1)]
    assert ">Scheduled<" in badges[0]
    assert ">In force<" in badges[1]
    assert ">Superseded<" in badges[2]
    assert html.count(">In force<") == 1
    assert ">Active<" not in html
    in_force_card = html.split("<h2>History</h2>")[0]
    assert f'href="/agreements/versions/{second.pk}/"' in in_force_card

    page = client.get(f"/agreements/versions/{third.pk}/").content.decode()
    assert ">Scheduled<" in page and ">In force<" not in page
    # The client's page: v2 in force, the latest version (v3) scheduled, not "active".
    overview = client.get("/clients/client-a/").content.decode()
    latest = overview.split("<h2>Agreements</h2>")[1]
    assert ">v3</a>" in latest and ">Scheduled<" in latest and ">Active<" not in latest
    card = overview.split("<h2>Agreements</h2>")[0]
    assert f'href="/agreements/versions/{second.pk}/"' in card


# --- The changes in words -------------------------------------------------------------------

EXPECTED_EN = [
    "Channel added: Web help desk",
    "Channel removed: Social media",
    "Service hours, Phone: Mon–Fri 08:00–20:00; Sat 09:00–17:00 → Mon–Sat 08:00–20:00",
    "Service hours, Email: Mon–Fri 08:00–20:00; Sat 09:00–17:00 → Mon–Sat 08:00–20:00",
    "Service hours, Chat: Mon–Fri 08:00–20:00; Sat 09:00–17:00 → Mon–Sat 08:00–20:00",
    "Chat answer within: ≥ 85% answered within 30 s → ≥ 80% answered within 30 s",
    "Chat first response time, priority high: 1 min → 45 s",
    "Service level removed: Social media first response time, ≥ 90% of cases within target",
    "Service level removed: Social media customer satisfaction (CSAT), ≥ 85%",
    (
        "Escalation standard-breaches: channels: Email, Social media; priorities: high, normal; "
        "service levels: first_response → channels: Email; priorities: high, normal; "
        "service levels: first_response"
    ),
    "Price, Email tickets resolved: USD 3.85 per resolved ticket → USD 4.10 per resolved ticket",
    (
        "Price, Inbound and virtual assistance agent hours, applies to: Phone, Chat, Social media, "
        "Inbound support, Virtual assistance, Complaint handling, Billing inquiries → Phone, Chat, "
        "Inbound support, Virtual assistance, Complaint handling, Billing inquiries"
    ),
    "Cap: 10% of the month's charges → 12% of the month's charges",
    "Service credit allocation, social.first_response: 20% → none",
    "Change notice: 30 days → 45 days",
    "Termination notice: 90 days → 120 days",
]

EXPECTED_ZH = [
    "新增渠道：网页服务台",
    "删除渠道：社交媒体",
    "服务时间，电话：周一–周五 08:00–20:00; 周六 09:00–17:00 → 周一–周六 08:00–20:00",
    "服务时间，电子邮件：周一–周五 08:00–20:00; 周六 09:00–17:00 → 周一–周六 08:00–20:00",
    "服务时间，在线客服：周一–周五 08:00–20:00; 周六 09:00–17:00 → 周一–周六 08:00–20:00",
    "在线客服 answer within：≥ 85% 在 30 秒 内接听 → ≥ 80% 在 30 秒 内接听",
    "在线客服 首次响应时间，优先级 high：1 分钟 → 45 秒",
    "删除服务水平：社交媒体 首次响应时间，≥ 90% 的工单在时限内完成",
    "删除服务水平：社交媒体 客户满意度（CSAT），≥ 85%",
    (
        "升级流程 standard-breaches：渠道：电子邮件, 社交媒体；优先级：high, normal；"
        "服务水平：first_response → 渠道：电子邮件；优先级：high, normal；服务水平：first_response"
    ),
    "价格，Email tickets resolved：USD 3.85 每已解决工单 → USD 4.10 每已解决工单",
    (
        "价格，Inbound and virtual assistance agent hours，适用范围：电话, 在线客服, 社交媒体, "
        "呼入支持, 虚拟助理, 投诉处理, 账单咨询 → 电话, 在线客服, 呼入支持, 虚拟助理, 投诉处理, 账单咨询"
    ),
    "上限：当月费用的 10% → 当月费用的 12%",
    "服务补偿分配，social.first_response：20% → 无",
    "变更通知期：30 天 → 45 天",
    "终止通知期：90 天 → 120 天",
]


def test_the_changes_between_two_versions_in_words() -> None:
    old = _for("client-a")
    old_doc, new_doc = _doc(old), _doc(_amended(old))
    with translation.override("en"):
        assert agreement_diff(old_doc, new_doc) == EXPECTED_EN
        assert agreement_diff(old_doc, old_doc) == []
    with translation.override("zh-hans"):
        assert agreement_diff(old_doc, new_doc) == EXPECTED_ZH


def test_the_changes_name_added_and_removed_levels_ladders_fees_and_hours() -> None:
    old = _for("client-a")
    new = json.loads(_text(old))
    new["service_levels"]["email"]["first_response"]["target_percent"] = "93"
    new["service_levels"]["phone"]["asa"] = {"kind": "asa", "max_seconds": 30}
    new["escalation"]["ladders"] = new["escalation"]["ladders"][:1]
    new["escalation"]["ladders"][0]["levels"][0]["trigger"] = {"at_percent": 60}
    new["pricing"]["one_time_fees"] = new["pricing"]["one_time_fees"][:1]
    new["pricing"]["monthly_minimum"] = "50000.00"
    new["calendars"]["critical"]["hours"] = {"mon": ["00:00-24:00"]}
    new["data_protection"]["breach_notice_hours"] = 12
    new["change_control"]["requires_written_acceptance"] = False
    with translation.override("en"):
        lines = agreement_diff(_doc(old), _doc(new))
    assert lines == [
        "Service hours, Phone (critical): 24/7 → Mon 00:00–24:00",
        "Service hours, Email (critical): 24/7 → Mon 00:00–24:00",
        "Service level added: Phone average speed of answer, ≤ 30 s",
        "Email first response time: ≥ 95% of cases within target → ≥ 93% of cases within target",
        (
            "Escalation critical-incidents, level 1: At 50% of the target (calendar time): "
            "Email duty-supervisor@pactline-care.example → At 60% of the target (calendar time): "
            "Email duty-supervisor@pactline-care.example"
        ),
        "Escalation ladder removed: standard-breaches",
        "Monthly minimum: USD 45,000.00 → USD 50,000.00",
        "One-time fee, Initial agent training (40 agents): USD 38,400.00 → none",
        "Written acceptance required: yes → no",
        "Breach notice: within 24 h of discovery → within 12 h of discovery",
    ]


def test_the_changes_name_the_invoicing_terms() -> None:
    old = _for("client-a")
    new = json.loads(_text(old))
    new["pricing"]["tax"] = {"name": "Sales tax", "rate_percent": "8.88"}
    new["pricing"]["late_payment"]["grace_days"] = 0
    new["pricing"]["pass_through_markup_percent"] = "5"
    new["service_credits"]["applied_as"] = "credit_note"
    with translation.override("en"):
        lines = agreement_diff(_doc(old), _doc(new))
    assert lines == [
        "Telecom pass-through charges: Not billed → Billed at cost plus 5%",
        "Tax: none → Sales tax at 8.88%, added to the prices",
        (
            "Late payment: a fee of USD 150.00 on invoices paid more than 10 days late"
            " → a fee of USD 150.00 on invoices paid late"
        ),
        "Credits given: As a line on the month's invoice → As a separate credit note",
    ]


def test_the_changes_name_the_service_map() -> None:
    old = _for("client-a")
    new = json.loads(_text(old))
    services = new["scope"]["service_map"]
    services["queues"]["billing"] = "inbound_support"  # changed
    services["queues"]["sales"] = "outbound_calling"  # added
    del services["queues"]["critical"]  # removed
    services["numbers"] = {"+1 212 555 0100": "complaint_handling"}
    services["outbound"] = "follow_up"
    with translation.override("en"):
        lines = agreement_diff(_doc(old), _doc(new))
    assert lines == [
        "Service of queue billing: billing_inquiry → inbound_support",
        "Service of queue sales: none → outbound_calling",
        "Service of queue critical: inbound_support → none",
        "Service of calls to +1 212 555 0100: none → complaint_handling",
        "Service of outbound calls: outbound_calling → follow_up",
    ]
    with translation.override("zh-hans"):
        assert agreement_diff(_doc(old), _doc(new))[1] == (
            "队列 sales 的服务项目：无 → outbound_calling"
        )


# --- The notice to the client's contacts ----------------------------------------------------


def test_proposing_a_change_emails_the_clients_contacts_with_the_changes(
    world: World,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    old = _for("client-a")
    _in_force(world, old)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        version = _proposed(world, _amended(old))
    [message] = mailoutbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [
        "priya.raman@northwind-retail.example",
        "tom.becker@northwind-retail.example",
    ]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.subject == "Proposed change to NWR-CC-2026-001: version 2, effective 2026-04-02"
    body = str(message.body)
    assert body.startswith(
        "Pactline Care Services proposes version 2 of the agreement NWR-CC-2026-001 (Amended) "
        "with Northwind Retail.\n\nRequested effective date: 2026-04-02\n"
        "Notice date: 2026-04-02 (30 days of notice)\n"
        "This change takes effect only once you accept it in writing.\n\nWhat changes:\n"
    )
    for line in EXPECTED_EN:
        assert f"- {line}\n" in body
    assert f"/agreements/versions/{version.pk}/" in body
    html = str(message.alternatives[0][0])
    assert "<li>Channel added: Web help desk</li>" in html
    assert "<li>Cap: 10% of the month&#x27;s charges → 12% of the month&#x27;s charges</li>" in html


def test_the_notice_is_in_the_agreements_language(
    world: World,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    old = _for("client-a", name="customer-service-zh")
    _in_force(world, old)
    new = json.loads(_text(old))
    new["service_levels"]["chat"]["first_response"]["target_percent"] = "85"
    with django_capture_on_commit_callbacks(execute=True):
        _proposed(world, new, title="华信家居客服工作服务条款（修订）")
    [message] = mailoutbox
    assert message.to == ["wang.lei@huaxin-home.example", "zhao.jing@huaxin-home.example"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.subject == "HX-KF-2026-018 变更提议：第 2 版，2026-04-02 生效"
    body = str(message.body)
    assert "此变更须经您书面接受后方可生效。" in body
    assert "- 在线客服 首次响应时间：≥ 95% 的工单在时限内完成 → ≥ 85% 的工单在时限内完成\n" in body


def test_a_first_version_sends_no_notice(
    world: World,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _in_force(world, _for("client-a"))
    assert mailoutbox == []


# --- The client sees the changes; the page and the API refuse alike -------------------------


def test_the_client_sees_the_changes_on_the_version_page(client: HttpClient, world: World) -> None:
    old = _for("client-a")
    _in_force(world, old)
    version = _proposed(world, _amended(old))
    client.force_login(world.client_a_manager.user)
    html = client.get(f"/agreements/versions/{version.pk}/").content.decode()
    assert "Changes from version 1" in html
    assert "<li>Chat first response time, priority high: 1 min → 45 s</li>" in html
    assert "Accept this version" in html
    assert "Awaiting the client's acceptance" in html


def _api(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    http.force_login(getattr(world, persona).user)
    return http


def test_the_api_refuses_activation_without_acceptance_and_takes_a_reason(world: World) -> None:
    _in_force(world, _for("client-a", provider_override_permitted=True))
    version = _proposed(world, _for("client-a", provider_override_permitted=True))
    url = f"/api/v1/agreements/versions/{version.pk}/activate"
    admin = _api(world, "provider_admin")

    missing = admin.post(url)
    assert missing.status_code == 422
    assert [e["path"] for e in missing.json()["errors"]] == ["reason"]
    blank = admin.post(url, {"reason": " "}, content_type="application/json")
    assert blank.status_code == 422
    wrong = admin.post(url, {"reason": 5}, content_type="application/json")
    assert (wrong.status_code, wrong.json()["errors"][0]["path"]) == (422, "reason")
    extra = admin.post(url, {"why": "x"}, content_type="application/json")
    assert (extra.status_code, extra.json()["errors"][0]["path"]) == (422, "body")
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED

    done = admin.post(url, {"reason": "Signed on paper"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "active"
    assert done.json()["acceptance_override_reason"] == "Signed on paper"


def test_the_api_refuses_an_override_the_agreement_does_not_permit(world: World) -> None:
    _in_force(world, _for("client-a"))
    version = _proposed(world, _for("client-a"))
    response = _api(world, "provider_admin").post(
        f"/api/v1/agreements/versions/{version.pk}/activate",
        {"reason": "Urgent"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "does not permit the provider to override" in response.json()["detail"]
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED


def test_the_api_refuses_a_date_before_the_notice_date_naming_the_field(world: World) -> None:
    _in_force(world, _for("client-a"))
    data = {**_for("client-a"), "effective_from": "2026-01-02", "title": "Backdated"}
    version = agreement_version_create(actor=world.provider_admin.actor, text=_text(data)).version
    response = _api(world, "provider_admin").post(
        f"/api/v1/agreements/versions/{version.pk}/propose"
    )
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["effective_from"]


def test_the_page_takes_a_reason_where_an_override_is_permitted(
    client: HttpClient, world: World
) -> None:
    _in_force(world, _for("client-a", provider_override_permitted=True))
    version = _proposed(world, _for("client-a", provider_override_permitted=True))
    client.force_login(world.provider_admin.user)
    page = client.get(f"/agreements/versions/{version.pk}/").content.decode()
    assert 'name="reason"' in page
    url = f"/agreements/versions/{version.pk}/activate/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 422
    assert "reason: the client has not accepted this version" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    assert client.post(url, {"reason": "Signed on paper"}).status_code == 302
    version.refresh_from_db()
    assert (version.status, version.acceptance_override_reason) == ("active", "Signed on paper")
    shown = client.get(f"/agreements/versions/{version.pk}/").content.decode()
    assert "Signed on paper" in shown
