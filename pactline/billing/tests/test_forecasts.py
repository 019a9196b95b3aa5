"""Volume forecasts per interval: read whole (a bad line writes nothing, each problem named by
line and column), kept inside one month of the client's calendar (New York for Northwind),
replacing a month's earlier forecast, and summed into the month the credits judge."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.billing.close import month_close
from pactline.billing.forecasts import volume_forecast_record, volume_forecasts_import
from pactline.billing.models import VolumeForecast
from pactline.billing.tests.close_support import level, loaded, met, statement
from pactline.common.errors import Forbidden, ValidationFailed
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FEB = date(2026, 2, 1)
HEADER = "reference,start,minutes,forecast\n"


def _rows() -> list[tuple[str, datetime, int, int]]:
    return [
        (row.reference, row.starts_at, row.minutes, row.forecast)
        for row in VolumeForecast.objects.order_by("reference", "starts_at")
    ]


def test_intervals_are_read_in_the_clients_zone_and_grouped_by_its_month(world: World) -> None:
    at = loaded("general-outsourcing")
    text = HEADER + (
        "phone,2026-02-02 09:00,30,120\n"
        "phone,2026-02-02T09:30,30,135\n"
        "email,2026-02-03,1440,60\n"
        # 02:00 UTC on 1 March is 21:00 on 28 February in New York: February's last hours.
        "phone,2026-03-01T02:00+00:00,180,45\n"
    )
    done = volume_forecasts_import(actor=world.billing.actor, client=at.client, text=text, now=NOW)
    assert (done.intervals, done.replaced) == (4, [("email", FEB), ("phone", FEB)])
    assert _rows() == [
        ("email", datetime(2026, 2, 3, 5, 0, tzinfo=UTC), 1440, 60),
        ("phone", datetime(2026, 2, 2, 14, 0, tzinfo=UTC), 30, 120),
        ("phone", datetime(2026, 2, 2, 14, 30, tzinfo=UTC), 30, 135),
        ("phone", datetime(2026, 3, 1, 2, 0, tzinfo=UTC), 180, 45),
    ]
    assert set(VolumeForecast.objects.values_list("month", flat=True)) == {FEB}


def test_the_same_upload_again_changes_nothing_and_a_new_one_replaces_the_month(
    world: World,
) -> None:
    at = loaded("general-outsourcing")
    actor = world.billing.actor
    first = HEADER + "phone,2026-02-02 09:00,30,120\nphone,2026-02-02 09:30,30,135\n"
    volume_forecasts_import(actor=actor, client=at.client, text=first, now=NOW)
    audited = AuditEvent.objects.filter(action="billing.forecast_recorded").count()

    again = volume_forecasts_import(actor=actor, client=at.client, text=first, now=NOW)

    assert again.replaced == []
    assert AuditEvent.objects.filter(action="billing.forecast_recorded").count() == audited
    volume_forecasts_import(
        actor=actor, client=at.client, text=HEADER + "phone,2026-02-02 10:00,60,300\n", now=NOW
    )
    assert _rows() == [("phone", datetime(2026, 2, 2, 15, 0, tzinfo=UTC), 60, 300)]
    # A whole month's figure replaces the intervals: February has 28 days of 1,440 minutes.
    volume_forecast_record(
        actor=actor, client=at.client, month=FEB, reference="phone", forecast=900, now=NOW
    )
    assert _rows() == [("phone", datetime(2026, 2, 1, 5, 0, tzinfo=UTC), 40320, 900)]


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ("phone,2026-02-02 09:00,30,-4\n", [("forecast", 2)]),
        ("phone,2026-02-30 09:00,30,4\n", [("start", 2)]),
        ("phone,2026-02-02 09:00,0,4\n", [("minutes", 2)]),
        ("phone.,2026-02-02 09:00,30,4\n", [("reference", 2)]),
        (
            ",2026-02-02 09:00,30,4\nphone,2026-02-02 09:00,30,x\n",
            [("reference", 2), ("forecast", 3)],
        ),
        # Ends at 00:30 on 1 March, New York time: past February.
        ("phone,2026-02-28 23:00,90,4\n", [("minutes", 2)]),
        (
            "phone,2026-02-02 09:00,60,4\nemail,2026-02-02 09:00,60,4\nphone,2026-02-02 09:30,30,4\n",
            [("start", 4)],
        ),
    ],
)
def test_bad_lines_are_named_and_nothing_is_written(
    world: World, lines: str, errors: list[tuple[str, int]]
) -> None:
    at = loaded("general-outsourcing")
    volume_forecast_record(
        actor=world.billing.actor,
        client=at.client,
        month=FEB,
        reference="phone",
        forecast=9,
        now=NOW,
    )
    before = _rows()
    with pytest.raises(ValidationFailed) as failed:
        volume_forecasts_import(
            actor=world.billing.actor, client=at.client, text=HEADER + lines, now=NOW
        )
    assert [(error.path, error.line) for error in failed.value.errors] == errors
    assert _rows() == before


def test_a_file_without_the_columns_names_them(world: World) -> None:
    at = loaded("general-outsourcing")
    with pytest.raises(ValidationFailed) as failed:
        volume_forecasts_import(
            actor=world.billing.actor, client=at.client, text="reference,when\nphone,x\n", now=NOW
        )
    assert [(error.path, error.line) for error in failed.value.errors] == [
        ("start", 1),
        ("minutes", 1),
        ("forecast", 1),
    ]


def test_only_forecast_uploaders_upload(world: World) -> None:
    at = loaded("general-outsourcing")
    with pytest.raises(Forbidden):
        volume_forecasts_import(
            actor=world.qa_analyst.actor,
            client=at.client,
            text=HEADER + "phone,2026-02-02 09:00,30,4\n",
            now=NOW,
        )
    assert VolumeForecast.objects.count() == 0


def test_the_months_intervals_sum_to_the_forecast_credits_judge_by(world: World) -> None:
    """Northwind tolerates 15 percent: intervals of 300 + 250 + 250 = 800 against a phone
    volume of 1,000 is 25 percent over, so the phone miss earns nothing; email's 40 percent of
    the at-risk 4,500 is 1,800 (as with a month's figure of 800)."""
    at = loaded("general-outsourcing")
    text = HEADER + (
        "phone,2026-02-02,1440,300\nphone,2026-02-03,1440,250\nphone,2026-02-04,1440,250\n"
    )
    volume_forecasts_import(actor=world.billing.actor, client=at.client, text=text, now=NOW)
    statement(
        at,
        FEB,
        [
            level("phone.answer_within", "missed", "70", "80"),
            met("phone.abandon_rate", "5", "<="),
            level("email.first_response", "missed", "85.0", "90"),
            met("chat.first_response"),
            met("social.first_response"),
        ],
        issued_at=NOW,
    )
    outcome = month_close(actor=world.billing.actor, client=at.client, period_start=FEB, now=NOW)
    assert outcome.memo is not None
    lines = {line["reference"]: line for line in outcome.memo.content["lines"]}
    assert lines["phone.answer_within"]["status"] == "excluded"
    assert outcome.memo.total == Decimal("1800")


def test_the_forecasts_page_uploads_and_names_bad_lines(world: World) -> None:
    at = loaded("general-outsourcing")
    http = HttpClient()
    http.force_login(world.billing.user)
    url = f"/clients/{at.client.code}/billing/forecasts/upload/"
    bad = http.post(url, {"text": HEADER + "phone,2026-02-02 09:00,30,4\nphone,2026-02-02,x,4\n"})
    assert bad.status_code == 400
    assert "line 3, <strong>minutes</strong>" in bad.content.decode()
    assert VolumeForecast.objects.count() == 0
    good = http.post(url, {"text": HEADER + "phone,2026-02-02 09:00,30,4\n"})
    assert good.status_code == 302
    page = http.get(f"/clients/{at.client.code}/billing/forecasts/").content.decode()
    assert '<td class="num">1</td><td class="num">30</td><td class="num">4</td>' in page


def _post(http: HttpClient, body: dict[str, object], **headers: str) -> tuple[int, Any]:
    response = http.post(
        "/api/v1/forecasts", data=json.dumps(body), content_type="application/json", **headers
    )
    return response.status_code, response.json()


def test_a_workforce_system_sends_intervals_by_the_api(world: World) -> None:
    at = loaded("general-outsourcing")
    http = HttpClient()
    http.force_login(world.billing.user)
    body = {
        "client": at.client.code,
        "intervals": [
            {"reference": "phone", "start": "2026-02-02T09:00", "minutes": 30, "forecast": 120},
            {"reference": "phone", "start": "2026-02-02T09:30", "minutes": 30, "forecast": 135},
        ],
    }
    assert _post(http, body) == (
        200,
        {"intervals": 2, "replaced": [{"reference": "phone", "month": "2026-02-01"}]},
    )
    assert _post(http, body) == (200, {"intervals": 2, "replaced": []})
    assert sum(row[3] for row in _rows()) == 255
    bad = {
        "client": at.client.code,
        "intervals": [
            {"reference": "phone", "start": "2026-02-02T09:00", "minutes": 60, "forecast": 1},
            {"reference": "phone", "start": "2026-02-02T09:30", "minutes": 30, "forecast": -1},
        ],
    }
    status, answer = _post(http, bad)
    assert status == 422
    assert [(error["path"], error["message"]) for error in answer["errors"]] == [
        ("intervals[1].forecast", "give a whole number of contacts, 0 or more"),
    ]
    first, second = bad["intervals"]  # type: ignore[misc]
    overlapping = {**bad, "intervals": [first, {**second, "forecast": 1}]}
    status, answer = _post(http, overlapping)
    assert [(error["path"], error["message"]) for error in answer["errors"]] == [
        ("intervals[1].start", "overlaps the interval of intervals[0]"),
    ]
    assert sum(row[3] for row in _rows()) == 255  # nothing written


def test_forecasts_by_the_api_need_the_right_to_upload(world: World) -> None:
    http = HttpClient()
    body = {
        "client": "client-a",
        "intervals": [
            {"reference": "phone", "start": "2026-02-02", "minutes": 1440, "forecast": 9}
        ],
    }
    assert _post(http, body)[0] == 401
    http.force_login(world.client_a_agent.user)
    assert _post(http, body)[0] == 403
    read_only = _token(world, TokenScope.READ)
    assert _post(HttpClient(), body, **read_only)[0] == 403
    assert _post(HttpClient(), body, **_token(world, TokenScope.WRITE))[0] == 200
    other = HttpClient()
    other.force_login(world.client_b_manager.user)
    assert _post(other, body)[0] == 404
    assert VolumeForecast.objects.filter(client=world.client_a).count() == 1


def _token(world: World, scope: TokenScope) -> dict[str, str]:
    _row, raw = api_token_create(
        actor=actor_for_user(world.client_a_manager.user),
        client=world.client_a,
        name=f"forecasts-{scope}",
        scope=scope,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
