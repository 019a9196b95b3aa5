"""Pages: campaigns with their progress, one campaign's call list, the CSV upload with every bad
line shown, the "next call" panel (htmx) and the disposition form, the do-not-call list."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from pactline.cases.models import Case
from pactline.channels.outbound.models import CallListEntry, Campaign, DoNotCall
from pactline.channels.outbound.tests.test_pages_support import (  # noqa: F401 - fixture
    MONDAY_9AM_NY,
    PERSONAS,
    READS_A,
    SEES_A,
    SUNDAY_NIGHT_NY,
    WORKS_A,
    Outbound,
    as_persona,
    outbound_fixture,
    snapshot,
)

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _expected(persona: str, allowed: int, *, writes: bool) -> int:
    if persona == "anonymous":
        return 302  # to the sign-in page
    if persona not in SEES_A:
        return 404
    if persona not in READS_A or (writes and persona not in WORKS_A):
        return 403
    return allowed


def _entry(campaign: Campaign, line: int = 2) -> CallListEntry:
    return CallListEntry.objects.get(campaign=campaign, line_number=line)


# --- Authorization ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_campaign_page(outbound: Outbound, persona: str) -> None:
    response = as_persona(outbound.world, persona).get(f"/campaigns/{outbound.a.pk}/")
    assert response.status_code == _expected(persona, 200, writes=False)
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
    if response.status_code == 200:
        page = response.content.decode()
        assert ("Load a call list" in page) == (persona in WORKS_A)
        assert ('id="dial"' in page) == (persona in WORKS_A)


def _write(outbound: Outbound, what: str) -> tuple[str, dict[str, Any]]:
    a = outbound.a.pk
    return {
        "create": ("/campaigns/", {"client": "client-a", "name": "New", "kind": "follow_up",
                                   "max_attempts": 3, "retry_minutes": 120}),
        "call-list": (f"/campaigns/{a}/call-list/", {"text": "phone\n+1 646 555 0199\n"}),
        "next-call": (f"/campaigns/{a}/next-call/", {}),
        "attempt": (f"/campaigns/entries/{_entry(outbound.a).pk}/attempt/", {"disposition": "busy"}),
        "do-not-call": ("/campaigns/do-not-call/client-a/", {"phone": "+12125550199"}),
    }[what]  # fmt: skip


ALLOWED = {"create": 302, "call-list": 302, "next-call": 200, "attempt": 302, "do-not-call": 302}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("what", list(ALLOWED))
def test_writing(outbound: Outbound, persona: str, what: str) -> None:
    http = as_persona(outbound.world, persona)
    url, data = _write(outbound, what)
    before = snapshot()
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        response = http.post(url, data)
    expected = _expected(persona, ALLOWED[what], writes=True)
    if what == "create" and persona in {"client_b_agent", "client_b_manager"}:
        # The campaign form lists only one's own clients: client A is not a valid choice.
        expected = 422 if persona == "client_b_agent" else 403
    if what == "create" and persona in {"client_a_manager", "client_a_viewer"}:
        expected = 403
    assert response.status_code == expected, response.content[:300]
    if expected >= 400 or (expected == 302 and persona == "anonymous"):
        assert snapshot() == before
    else:
        assert snapshot() != before


# --- Campaigns -------------------------------------------------------------------------------


def test_the_campaigns_show_their_progress(outbound: Outbound) -> None:
    entry = _entry(outbound.a)
    entry.status, entry.attempts = "completed", 1
    entry.save()
    page = as_persona(outbound.world, "supervisor").get("/campaigns/").content.decode()
    text = text_of(page)
    # name, client, kind, status, progress, numbers, to call, completed, exhausted, dnc, dials
    assert "March follow-ups Client A Follow-up Active 2 1 1 0 0 1" in text
    assert "满意度回访 Client B Satisfaction survey Active 1 1 0 0 0 0" in text
    assert '<progress max="2" value="1"' in page
    mine = as_persona(outbound.world, "client_b_agent").get("/campaigns/").content.decode()
    assert "March follow-ups" not in mine and "满意度回访" in mine


def test_a_campaign_is_created_from_the_page(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    data = {"client": "client-a", "name": "April surveys", "kind": "satisfaction_survey",
            "calendar": "", "max_attempts": 2, "retry_minutes": 60}  # fmt: skip
    response = http.post("/campaigns/", data)
    campaign = Campaign.objects.get(name="April surveys")
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert (campaign.calendar, campaign.max_attempts) == ("business", 2)
    bad = http.post("/campaigns/", data | {"name": "Nights", "calendar": "nights"})
    assert bad.status_code == 422
    assert "the agreement has no calendar &#x27;nights&#x27;" in bad.content.decode()


def test_a_viewer_sees_campaigns_but_no_forms(outbound: Outbound) -> None:
    page = as_persona(outbound.world, "client_a_viewer").get("/campaigns/").content.decode()
    assert "March follow-ups" in page
    assert "New campaign" not in page


# --- The call list ---------------------------------------------------------------------------


def test_the_call_list_shows_status_attempts_and_outcome(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        http.post(f"/campaigns/{outbound.a.pk}/next-call/")
        http.post(
            f"/campaigns/entries/{_entry(outbound.a).pk}/attempt/",
            {"disposition": "reached_follow_up", "notes": "Call back Tuesday"},
        )
        page = http.get(f"/campaigns/{outbound.a.pk}/").content.decode()
    case = Case.objects.get()
    text = text_of(page)
    assert f"2 Ann Lee …0101 Completed 1 Reached, needs follow-up — #{case.pk}" in text
    assert "3 Bo Chen …0102 To call 0 — — —" in text
    assert "+12125550101" not in page  # the list shows the last four digits only
    assert "Line 2: Reached, needs follow-up." in text


def test_an_upload_shows_every_bad_line_and_loads_nothing(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    before = snapshot()
    csv = "phone,name,case\n+1 646 555 0103,Cy,\nnot a number,Di,\n+1 646 555 0104,Ed,99999\n"
    upload = SimpleUploadedFile("list.csv", csv.encode(), content_type="text/csv")
    response = http.post(f"/campaigns/{outbound.a.pk}/call-list/", {"file": upload})
    assert response.status_code == 422
    text = text_of(response.content.decode())
    assert "2 lines are wrong; nothing was loaded." in text
    assert "line 3 : &#x27;not a number&#x27; is not a phone number" in text
    assert "line 4 : case &#x27;99999&#x27; is not a case of this client" in text
    assert snapshot() == before


def test_an_upload_loads_a_chinese_spreadsheet(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_b_agent")
    csv = "phone,name\n021 5555 0123,李雷\n"
    upload = SimpleUploadedFile("名单.csv", csv.encode("gb18030"), content_type="text/csv")
    response = http.post(
        f"/campaigns/{outbound.b.pk}/call-list/", {"file": upload, "region": "cn"}, follow=True
    )
    assert "Call list loaded: 1 new numbers, 0 already listed, 0 on the do-not-call list." in (
        text_of(response.content.decode())
    )
    assert CallListEntry.objects.filter(campaign=outbound.b).count() == 2


def test_an_empty_upload_is_refused(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    response = http.post(f"/campaigns/{outbound.a.pk}/call-list/", {"text": " "})
    assert response.status_code == 422
    assert "Choose a CSV file or paste the list." in response.content.decode()


# --- Dialling --------------------------------------------------------------------------------


def test_next_call_shows_the_number_the_name_and_the_window(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        response = http.post(f"/campaigns/{outbound.a.pk}/next-call/", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card card-highlight" id="dial">')
    text = text_of(page)
    assert "+12125550101 · Ann Lee" in text
    assert "Calling window open until 2026-03-02 20:00 EST" in text
    assert f'action="/campaigns/entries/{_entry(outbound.a).pk}/attempt/"' in page
    assert "<html" not in page  # only the panel is swapped


def test_next_call_outside_the_window_dials_nothing(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    before = snapshot()
    with time_machine.travel(SUNDAY_NIGHT_NY, tick=False):
        response = http.post(f"/campaigns/{outbound.a.pk}/next-call/", HTTP_HX_REQUEST="true")
    text = text_of(response.content.decode())
    assert "Nothing to dial now: the calling window is closed." in text
    assert "Calling window closed opens 2026-03-02 08:00 EST" in text
    assert snapshot() == before


def test_next_call_without_htmx_renders_the_page(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        response = http.post(f"/campaigns/{outbound.a.pk}/next-call/")
    page = response.content.decode()
    assert "<html" in page and "+12125550101" in page


def test_a_disposition_on_a_closed_entry_changes_nothing(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    entry = _entry(outbound.a)
    entry.status = "completed"
    entry.save()
    before = snapshot()
    response = http.post(
        f"/campaigns/entries/{entry.pk}/attempt/", {"disposition": "busy"}, follow=True
    )
    assert (
        "Nothing recorded: this number is no longer on the call list" in response.content.decode()
    )
    bad = http.post(f"/campaigns/entries/{entry.pk}/attempt/", {"disposition": "nope"}, follow=True)
    assert "Nothing recorded" in bad.content.decode()
    assert snapshot() == before


# --- Do-not-call -----------------------------------------------------------------------------


def test_the_do_not_call_page(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    response = http.post(
        "/campaigns/do-not-call/client-a/", {"phone": "(212) 555-0101", "region": "US"}, follow=True
    )
    text = text_of(response.content.decode())
    assert "The number will not be called again." in text
    assert "1 number" in text
    assert _entry(outbound.a).status == "do_not_call"
    assert DoNotCall.objects.get().source == "agent"
    bad = http.post("/campaigns/do-not-call/client-a/", {"phone": "call me maybe"})
    assert bad.status_code == 422
    assert "is not a phone number" in bad.content.decode()
    viewer = as_persona(outbound.world, "client_a_viewer").get("/campaigns/do-not-call/client-a/")
    assert viewer.status_code == 200
    assert "Add to the list" not in viewer.content.decode()
    other = as_persona(outbound.world, "client_b_agent").get("/campaigns/do-not-call/client-a/")
    assert other.status_code == 404


def test_the_pages_speak_chinese(outbound: Outbound) -> None:
    http = as_persona(outbound.world, "client_b_agent")
    with time_machine.travel(MONDAY_9AM_NY, tick=False):  # Monday 22:00 in Shanghai
        page = http.get(f"/campaigns/{outbound.b.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = text_of(page.content.decode())
    assert "满意度回访" in text and "满意度调查" in text
    assert "外呼时段已关闭 开放于 2026-03-03 09:00 CST" in text
    assert "导入呼叫名单" in text and "待呼叫" in text
