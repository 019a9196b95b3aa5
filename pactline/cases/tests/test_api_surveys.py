"""API: recording survey responses — created once, re-delivery unchanged, bad input 422,
other clients 404, readers 403, read-only tokens refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from pactline.cases.models import SurveyResponse
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
    utc,
)
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

BODY = {"external_id": "typeform-1", "csat": 4, "nps": 9, "resolved": True}
WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}


def _post(http: HttpClient, case_id: int, body: dict[str, Any], **extra: Any) -> Any:
    return http.post(
        f"/api/v1/cases/{case_id}/surveys",
        json.dumps(body),
        content_type="application/json",
        **extra,
    )


@pytest.mark.parametrize(
    "persona",
    [
        "anonymous",
        "provider_admin",
        "supervisor",
        "client_a_manager",
        "client_a_viewer",
        "client_a_agent",
        "client_b_agent",
        "client_b_manager",
    ],
)
def test_who_may_record(cases: Cases, persona: str) -> None:
    with time_machine.travel(utc(16), tick=False):
        response = _post(as_persona(cases.world, persona), cases.a.pk, BODY)
    expected = {"anonymous": 401, "client_a_manager": 403, "client_a_viewer": 403}.get(
        persona, 201 if persona in WORKS_A else 404
    )
    assert response.status_code == expected
    assert SurveyResponse.objects.count() == (1 if expected == 201 else 0)


def test_recorded_once_and_redelivery_changes_nothing(cases: Cases) -> None:
    http = as_persona(cases.world, "client_a_agent")
    with time_machine.travel(utc(16), tick=False):
        first = _post(http, cases.a.pk, BODY)
        again = _post(http, cases.a.pk, {**BODY, "csat": 1})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["created"] is True and again.json()["created"] is False
    assert again.json()["csat"] == 4
    response = SurveyResponse.objects.get()
    assert (response.csat, response.nps, response.resolved) == (4, 9, True)
    assert response.responded_at == utc(16)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"external_id": "x", "csat": 6}, "csat"),
        ({"external_id": "x", "nps": 11}, "nps"),
        ({"external_id": "x"}, "csat"),
        ({"external_id": "", "csat": 3}, "external_id"),
        ({"external_id": "x", "csat": 3, "responded_at": "2030-01-01T00:00:00Z"}, "responded_at"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    cases: Cases, body: dict[str, Any], field: str
) -> None:
    with time_machine.travel(utc(16), tick=False):
        response = _post(as_persona(cases.world, "client_a_agent"), cases.a.pk, body)
    assert response.status_code == 422
    assert field in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_read_only_token_is_refused(cases: Cases) -> None:
    _token, raw = api_token_create(
        actor=cases.world.provider_admin.actor,
        client=cases.world.client_a,
        name="reader",
        scope=TokenScope.READ,
    )
    with time_machine.travel(utc(16), tick=False):
        response = _post(HttpClient(), cases.a.pk, BODY, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "responded_at",
    ["2026-03-02T09:00:00+23:59", "0001-01-01T00:00:00+05:00", "2026-03-02T09:00:00"],
)
def test_times_are_stored_in_utc_or_refused(cases: Cases, responded_at: str) -> None:
    body = {**BODY, "responded_at": responded_at}
    with time_machine.travel(utc(16), tick=False):
        response = _post(as_persona(cases.world, "client_a_agent"), cases.a.pk, body)
    if responded_at.endswith("+23:59"):
        assert response.status_code == 201
        assert response.json()["responded_at"] == "2026-03-01T09:01:00Z"
    else:
        assert response.status_code == 422, response.content
        assert not SurveyResponse.objects.exists()
