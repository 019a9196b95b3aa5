"""API: outbound campaigns — the authorization matrix, call lists with their bad lines, the
calling window, dispositions and their outcomes, the do-not-call list, tokens."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from pactline.cases.models import Case, EntryKind
from pactline.channels.outbound.models import CallAttempt, CallListEntry, Campaign, DoNotCall
from pactline.channels.outbound.tests.test_pages_support import (  # noqa: F401 - fixture
    CASE_READERS,
    MONDAY_9AM_NY,
    PERSONAS,
    READS_A,
    SEES_A,
    SUNDAY_NIGHT_NY,
    WORKS_A,
    Outbound,
    as_persona,
    outbound_fixture,
    post_json,
    snapshot,
)
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

pytestmark = pytest.mark.django_db


def _expected(persona: str, allowed: int, *, writes: bool) -> int:
    if persona == "anonymous":
        return 401
    if persona not in SEES_A:
        return 404
    if persona not in READS_A or (writes and persona not in WORKS_A):
        return 403
    return allowed


def _first_entry(campaign: Campaign) -> CallListEntry:
    return CallListEntry.objects.filter(campaign=campaign).order_by("line_number").first()  # type: ignore[return-value]


# --- Authorization ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_a_campaign(outbound: Outbound, persona: str) -> None:
    before = snapshot()
    response = as_persona(outbound.world, persona).get(f"/api/v1/campaigns/{outbound.a.pk}")
    assert response.status_code == _expected(persona, 200, writes=False)
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_holds_only_visible_campaigns(outbound: Outbound, persona: str) -> None:
    response = as_persona(outbound.world, persona).get("/api/v1/campaigns")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    names = {c["name"] for c in response.json()}
    sees_b = persona in {"provider_admin", "supervisor", "client_b_agent", "client_b_manager"} | (
        CASE_READERS
    )
    expected = {"March follow-ups"} if persona in READS_A else set()
    assert names == expected | ({"满意度回访"} if sees_b else set())


WRITES: list[tuple[str, str, Any, int]] = [
    (
        "campaign",
        "/api/v1/campaigns",
        {"client": "client-a", "name": "New", "kind": "follow_up"},
        201,
    ),
    ("call-list", "/api/v1/campaigns/{a}/call-list", "phone\n+1 646 555 0199\n", 200),
    ("next-call", "/api/v1/campaigns/{a}/next-call", None, 200),
    ("attempt", "/api/v1/call-list-entries/{entry}/attempts", {"disposition": "busy"}, 201),
    ("do-not-call", "/api/v1/clients/client-a/do-not-call", {"phone": "+12125550199"}, 201),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("what", "url", "body", "allowed"), WRITES, ids=[w[0] for w in WRITES])
def test_writing(
    outbound: Outbound, persona: str, what: str, url: str, body: Any, allowed: int
) -> None:
    http = as_persona(outbound.world, persona)
    url = url.format(a=outbound.a.pk, entry=_first_entry(outbound.a).pk)
    before = snapshot()
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        if isinstance(body, str):
            response = http.post(url, body, content_type="text/csv")
        else:
            response = post_json(http, url, body or {})
    expected = _expected(persona, allowed, writes=True)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert snapshot() == before  # a denied request changes nothing
    else:
        assert snapshot() != before


def test_a_missing_campaign_is_the_same_404(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    missing = http.get("/api/v1/campaigns/999999")
    other = http.get(f"/api/v1/campaigns/{outbound.b.pk}")
    assert missing.status_code == other.status_code == 404
    assert missing.json() == other.json() == {"detail": "Not found."}
    entry_b = _first_entry(outbound.b)
    attempt = post_json(
        http, f"/api/v1/call-list-entries/{entry_b.pk}/attempts", {"disposition": "busy"}
    )
    assert attempt.status_code == 404


def _token(outbound: Outbound, scope: TokenScope) -> HttpClient:
    admin = actor_for_user(outbound.world.provider_admin.user)
    _token_row, raw = api_token_create(
        actor=admin, client=outbound.world.client_a, name="dialler", scope=scope
    )
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_works_its_own_client_only(outbound: Outbound) -> None:
    http = _token(outbound, TokenScope.WRITE)
    assert [c["name"] for c in http.get("/api/v1/campaigns").json()] == ["March follow-ups"]
    assert http.get(f"/api/v1/campaigns/{outbound.b.pk}").status_code == 404
    created = post_json(
        http, "/api/v1/campaigns", {"name": "Surveys", "kind": "satisfaction_survey"}
    )
    assert created.status_code == 201
    assert created.json()["client"] == "client-a"
    other = post_json(
        http, "/api/v1/campaigns", {"client": "client-b", "name": "X", "kind": "follow_up"}
    )
    assert other.status_code == 404


def test_a_read_only_token_changes_nothing(outbound: Outbound) -> None:
    http = _token(outbound, TokenScope.READ)
    before = snapshot()
    assert http.get(f"/api/v1/campaigns/{outbound.a.pk}").status_code == 200
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        assert http.post(f"/api/v1/campaigns/{outbound.a.pk}/next-call").status_code == 403
    listed = http.post(
        f"/api/v1/campaigns/{outbound.a.pk}/call-list", "phone\n+16465550199\n", "text/csv"
    )
    assert listed.status_code == 403
    assert snapshot() == before


# --- Campaigns -------------------------------------------------------------------------------


def test_a_campaign_with_its_progress_and_calling_window(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_viewer")
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        body = http.get(f"/api/v1/campaigns/{outbound.a.pk}").json()
    assert body == {
        "id": outbound.a.pk,
        "client": "client-a",
        "name": "March follow-ups",
        "kind": "follow_up",
        "status": "active",
        "calendar": "business",
        "max_attempts": 2,
        "retry_minutes": 120,
        "created_at": "2026-03-02T14:00:00Z",
        "progress": {
            "entries": 2,
            "pending": 2,
            "completed": 0,
            "exhausted": 0,
            "do_not_call": 0,
            "attempts": 0,
        },
        "calling_window": {
            "in_force": True,
            "calendar": "business",
            "timezone": "America/New_York",
            "open": True,
            "opens_at": None,
            "closes_at": "2026-03-03T01:00:00Z",  # 20:00 EST
        },
    }
    with time_machine.travel(SUNDAY_NIGHT_NY, tick=False):
        window = http.get(f"/api/v1/campaigns/{outbound.a.pk}").json()["calling_window"]
    assert (window["open"], window["opens_at"], window["closes_at"]) == (
        False,
        "2026-03-02T13:00:00Z",  # Monday 08:00 EST
        None,
    )


def test_creating_a_campaign_is_idempotent_on_its_name(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    body = {"client": "client-a", "name": "Win-back", "kind": "proactive_outreach"}
    first = post_json(http, "/api/v1/campaigns", body)
    again = post_json(http, "/api/v1/campaigns", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["calendar"] == "business"
    clash = post_json(http, "/api/v1/campaigns", body | {"kind": "follow_up"})
    assert clash.status_code == 409
    assert Campaign.objects.filter(name="Win-back").count() == 1


def test_bad_campaign_settings_name_their_fields(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    before = snapshot()
    response = post_json(
        http,
        "/api/v1/campaigns",
        {"client": "client-a", "name": "  ", "kind": "follow_up", "calendar": "nights"},
    )
    assert response.status_code == 422
    assert sorted(e["path"] for e in response.json()["errors"]) == ["calendar", "name"]
    nul = post_json(
        http, "/api/v1/campaigns", {"client": "client-a", "name": "a\x00", "kind": "follow_up"}
    )
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["path"] == "name"
    schema = post_json(
        http, "/api/v1/campaigns", {"client": "client-a", "name": "x", "kind": "cold_calls"}
    )
    assert schema.status_code == 422
    assert post_json(http, "/api/v1/campaigns", {"name": "x", "kind": "follow_up"}).json()[
        "errors"
    ] == [{"path": "client", "message": "give the client's code", "line": None}]
    assert snapshot() == before


# --- Call lists ------------------------------------------------------------------------------


def _load(http: HttpClient, campaign: Campaign, text: str, **extra: Any) -> Any:
    content_type = extra.pop("content_type", "text/csv")
    return http.post(
        f"/api/v1/campaigns/{campaign.pk}/call-list{extra.pop('query', '')}",
        text,
        content_type=content_type,
    )


def test_a_call_list_loads_once(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    text = "phone,name\n+1 212 555 0102,Bo Chen\n+1 646 555 0103,Cy Diaz\n"
    first = _load(http, outbound.a, text)
    again = _load(http, outbound.a, text)
    assert first.json() == {"added": 1, "already_listed": 1, "do_not_call": 0}
    assert again.json() == {"added": 0, "already_listed": 2, "do_not_call": 0}


def test_every_bad_line_is_named_and_nothing_is_stored(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    before = snapshot()
    text = (
        "phone,name,case\n"
        "+1 646 555 0103,Cy,\n"
        "not a number,Di,\n"
        "+1 646 555 0104,Ed,99999\n"
        "+1 646 555 0105,Flo,\n"
    )
    response = _load(http, outbound.a, text)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The input is not valid.",
        "errors": [
            {"path": "line 3", "message": "'not a number' is not a phone number", "line": 3},
            {"path": "line 4", "message": "case '99999' is not a case of this client", "line": 4},
        ],
    }
    no_phone = _load(http, outbound.a, "name\nAnn\n")
    assert [(e["path"], e["line"]) for e in no_phone.json()["errors"]] == [("line 1", 1)]
    assert snapshot() == before


def test_odd_lists_are_refused_line_by_line_never_a_500(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    before = snapshot()

    def errors(text: str) -> list[tuple[int, str]]:
        response = _load(http, outbound.a, text)
        assert response.status_code == 422
        return [(e["line"], e["message"]) for e in response.json()["errors"]]

    assert errors("phone,email\n+12125550109,not-an-email\n+12125550108,x@\n") == [
        (2, "'not-an-email' is not an email address"),
        (3, "'x@' is not an email address"),
    ]
    assert errors("phone,case\n+12125550109,²\n") == [(2, "case '²' is not a case of this client")]
    huge = "x" * 200_000
    assert errors(f"phone\n+12125550109\n{huge}\n") == [
        (3, "the line is not valid CSV: field larger than field limit (131072)")
    ]
    assert [line for line, _m in errors(f"{huge}\n")] == [1]
    assert [line for line, _m in errors("\x00")] == [1]
    assert snapshot() == before


def test_national_numbers_need_their_country(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    text = "phone\n(646) 555-0106\n"
    assert _load(http, outbound.a, text).status_code == 422
    loaded = _load(http, outbound.a, text, query="?region=us")
    assert loaded.json() == {"added": 1, "already_listed": 0, "do_not_call": 0}
    assert CallListEntry.objects.filter(campaign=outbound.a, line_number=2).count() == 2
    bad = _load(http, outbound.a, text, query="?region=XX")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "region"


def test_the_body_is_read_in_its_charset(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_b_agent")
    text = "phone,name\n+86 21 5555 0123,李雷\n"
    loaded = http.post(  # the test client encodes the text in the charset it names
        f"/api/v1/campaigns/{outbound.b.pk}/call-list",
        text,
        content_type="text/csv; charset=gb18030",
    )
    assert loaded.status_code == 200
    entry = CallListEntry.objects.filter(campaign=outbound.b).latest("pk")
    assert entry.contact.name == "李雷"
    undecodable = http.post(
        f"/api/v1/campaigns/{outbound.b.pk}/call-list",
        text.encode("gb18030"),
        content_type="text/csv",
    )
    assert undecodable.status_code == 422
    assert undecodable.json()["errors"][0]["path"] == "body"
    unknown = http.generic(  # sent as it is: the test client would encode it first
        "POST",
        f"/api/v1/campaigns/{outbound.b.pk}/call-list",
        b"phone\n",
        content_type="text/csv; charset=x-nope",
    )
    assert unknown.status_code == 422


# --- Dialling --------------------------------------------------------------------------------


def test_next_call_outside_the_calling_window_is_204(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    before = snapshot()
    with time_machine.travel(SUNDAY_NIGHT_NY, tick=False):
        response = http.post(f"/api/v1/campaigns/{outbound.a.pk}/next-call")
    assert response.status_code == 204
    assert response.content == b""
    assert snapshot() == before


def test_next_call_hands_out_each_number_once_then_204(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    url = f"/api/v1/campaigns/{outbound.a.pk}/next-call"
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        first, second, third = http.post(url), http.post(url), http.post(url)
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 204)
    body = first.json()
    assert {k: v for k, v in body.items() if k not in ("entry_id", "contact_id")} == {
        "campaign_id": outbound.a.pk,
        "line_number": 2,
        "phone": "+12125550101",
        "name": "Ann Lee",
        "attempts": 0,
        "max_attempts": 2,
        "case_id": None,
        "held_until": "2026-03-02T14:15:00Z",
        "calling_window": {
            "in_force": True,
            "calendar": "business",
            "timezone": "America/New_York",
            "open": True,
            "opens_at": None,
            "closes_at": "2026-03-03T01:00:00Z",
        },
    }
    assert second.json()["name"] == "Bo Chen"


def _dial(http: HttpClient, campaign: Campaign) -> dict[str, Any]:
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        response = http.post(f"/api/v1/campaigns/{campaign.pk}/next-call")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _attempt(http: HttpClient, entry_id: int, body: dict[str, Any]) -> Any:
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        return post_json(http, f"/api/v1/call-list-entries/{entry_id}/attempts", body)


def test_a_reached_customer_who_needs_follow_up_gets_a_case(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    dial = _dial(http, outbound.a)
    response = _attempt(
        http,
        dial["entry_id"],
        {"disposition": "reached_follow_up", "notes": "Wants a callback"},
    )
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(pk=body["entry"]["case_id"])
    assert {k: v for k, v in body.items() if k != "id"} == {
        "entry_id": dial["entry_id"],
        "attempted_at": "2026-03-02T14:00:00Z",
        "agent": "user:a-agent",
        "disposition": "reached_follow_up",
        "notes": "Wants a callback",
        "survey_score": None,
        "entry": {
            "id": dial["entry_id"],
            "campaign_id": outbound.a.pk,
            "line_number": 2,
            "status": "completed",
            "attempts": 1,
            "outcome": "reached_follow_up",
            "next_attempt_at": "2026-03-02T14:15:00Z",
            "case_id": case.pk,
        },
    }
    assert (case.channel, case.contact_id) == ("phone", dial["contact_id"])
    note = case.timeline.get(kind=EntryKind.NOTE)
    assert note.body == "March follow-ups: Reached, needs follow-up\nWants a callback"
    again = _attempt(http, dial["entry_id"], {"disposition": "busy"})
    assert again.status_code == 409


def test_an_unanswered_number_is_retried_inside_the_window(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    dial = _dial(http, outbound.a)
    evening = "2026-03-03T00:30:00Z"  # Monday 19:30 EST; a retry 2 h later is after closing
    with time_machine.travel(evening, tick=False):
        body = post_json(
            http,
            f"/api/v1/call-list-entries/{dial['entry_id']}/attempts",
            {"disposition": "no_answer"},
        ).json()
    assert body["entry"]["status"] == "pending"
    assert body["entry"]["next_attempt_at"] == "2026-03-03T13:00:00Z"  # Tuesday 08:00 EST
    assert Case.objects.count() == 0


def test_a_survey_score_is_noted_on_the_entrys_case(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    dial = _dial(http, outbound.a)
    bad = _attempt(http, dial["entry_id"], {"disposition": "survey_completed", "survey_score": 11})
    assert bad.status_code == 422
    done = _attempt(http, dial["entry_id"], {"disposition": "survey_completed", "survey_score": 9})
    assert done.status_code == 201
    assert done.json()["entry"]["status"] == "completed"
    assert done.json()["entry"]["case_id"] is None  # no case on the list, none needed
    assert CallAttempt.objects.get().survey_score == 9


def test_a_customer_who_opts_out_is_never_called_again(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    dial = _dial(http, outbound.a)
    response = _attempt(http, dial["entry_id"], {"disposition": "do_not_call"})
    assert response.json()["entry"]["status"] == "do_not_call"
    assert DoNotCall.objects.filter(client=outbound.world.client_a).count() == 1
    survey = post_json(
        http,
        "/api/v1/campaigns",
        {"client": "client-a", "name": "Survey", "kind": "satisfaction_survey"},
    ).json()
    loaded = http.post(
        f"/api/v1/campaigns/{survey['id']}/call-list", "phone\n+12125550101\n", "text/csv"
    )
    assert loaded.json() == {"added": 0, "already_listed": 0, "do_not_call": 1}


def test_odd_attempts_are_refused_by_field(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    entry = _first_entry(outbound.a)
    before = snapshot()
    unknown = _attempt(http, entry.pk, {"disposition": "hung_up"})
    assert unknown.status_code == 422
    nul = _attempt(http, entry.pk, {"disposition": "busy", "notes": "a\x00b"})
    assert nul.status_code == 422
    assert nul.json()["errors"] == [
        {"path": "notes", "message": "must not contain NUL characters", "line": None}
    ]
    assert snapshot() == before


# --- Do-not-call -----------------------------------------------------------------------------


def test_do_not_call_is_idempotent_and_blocks_the_next_dial(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    url = "/api/v1/clients/client-a/do-not-call"
    first = post_json(http, url, {"phone": "+1 212 555 0101"})
    again = post_json(http, url, {"phone": "(212) 555-0101", "region": "US"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["source"] == "api"
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert DoNotCall.objects.count() == 1
    dial = _dial(http, outbound.a)
    assert dial["phone"] == "+12125550102"  # the opted-out number is skipped
    bad = post_json(http, url, {"phone": "call me maybe"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "phone"
