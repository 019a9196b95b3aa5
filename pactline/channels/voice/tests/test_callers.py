"""Calls matched to the client's contacts and open cases by the caller's number: in file
imports (set-based, one blind-index query per batch), live events and Twilio callbacks (the
caller found or added as a contact), always within one client."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from pactline.cases.contacts import contact_find_or_create, contact_merge
from pactline.cases.models import Case, Contact, ContactKey
from pactline.cases.services import case_open, case_resolve
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    cases_fixture,
)
from pactline.channels.voice import writing
from pactline.channels.voice.models import Call
from pactline.channels.voice.records import CallRecord
from pactline.channels.voice.selectors import call_list
from pactline.channels.voice.services import call_link_case
from pactline.channels.voice.tests.support import SYSTEM, run_import
from pactline.channels.voice.tests.test_twilio import COMPLETED, RINGING, _send
from pactline.channels.voice.writing import BatchWriter
from pactline.tenancy.models import Client

JANE = "+15551234567"  # call 1709647331.18 of the queue_log fixture
LEE = "+15557654321"  # call 1709647395.22 (abandoned)
SAM = "+15551239876"  # call 1709648100.50
T0 = datetime(2024, 3, 4, 14, 0, tzinfo=UTC)


def contact(client: Client, phone: str) -> Contact:
    return contact_find_or_create(actor=SYSTEM, client=client, phone=phone, now=T0).contact


def phone_case(client: Client, who: Contact | None, hours: int, subject: str = "") -> Case:
    at = T0 + timedelta(hours=hours)
    return case_open(
        actor=SYSTEM,
        client=client,
        channel="phone" if client.code == "client-a" else "social",
        priority="normal",
        subject=subject or f"call {hours}",
        contact=who,
        at=at,
        now=at,
    )


def links(client: Client) -> dict[tuple[str, int], tuple[int | None, int | None]]:
    rows = Call.objects.filter(client=client).values_list(
        "call_id", "segment", "contact_id", "case_id"
    )
    return {
        (call_id, segment): (contact_id, case_id) for call_id, segment, contact_id, case_id in rows
    }


def test_an_import_links_callers_to_their_contact_and_most_recent_open_case(
    cases: Cases, tmp_path: Path
) -> None:
    a, b = cases.world.client_a, cases.world.client_b
    jane, lee = contact(a, JANE), contact(a, LEE)
    older = phone_case(a, jane, 0, "older open case")
    newer = phone_case(a, jane, 1, "newer open case")
    resolved = phone_case(a, jane, 2, "newest, but resolved")
    case_resolve(actor=SYSTEM, case=resolved, now=T0 + timedelta(hours=3))
    # Client B knows the same numbers: its contacts and cases are never used for client A.
    b_jane, b_sam = contact(b, JANE), contact(b, SAM)
    phone_case(b, b_jane, 1)
    phone_case(b, b_sam, 1)

    run_import(a, "queue_log", reject_path=tmp_path / "r")

    assert links(a) == {
        ("1709647331.18", 1): (jane.pk, newer.pk),  # Jane: newest open case, not the resolved one
        ("1709647395.22", 1): (lee.pk, None),  # Lee has no case: the call shows on the contact
        ("1709647500.31", 1): (None, None),  # +8613800138000: nobody's number
        ("1709647500.31", 2): (None, None),
        ("1709648100.50", 1): (None, None),  # Sam is client B's contact, not A's
        ("1709648300.60", 1): (None, None),
        ("1709648500.80", 1): (None, None),
        ("1709648600.90", 1): (None, None),
        ("1709648610.91", 1): (None, None),
        ("1709649000.95", 1): (None, None),
    }
    assert older.pk != newer.pk
    assert not Call.objects.filter(client=b).exists()
    assert not Call.objects.filter(contact__client=b).exists()


def test_reimporting_changes_nothing_and_never_undoes_a_link(cases: Cases, tmp_path: Path) -> None:
    a = cases.world.client_a
    jane = contact(a, JANE)
    open_case = phone_case(a, jane, 0)
    run_import(a, "queue_log", reject_path=tmp_path / "r1")
    before = list(
        Call.objects.order_by("pk").values_list("pk", "change_seq", "contact_id", "case_id")
    )

    again = run_import(a, "queue_log", reject_path=tmp_path / "r2")

    assert (again.imported, again.updated) == (0, 0)
    assert (
        list(Call.objects.order_by("pk").values_list("pk", "change_seq", "contact_id", "case_id"))
        == before
    )
    # A case chosen by hand stays, whatever later imports match.
    call = Call.objects.get(client=a, call_id="1709647331.18")
    assert call.case_id == open_case.pk
    call_link_case(actor=SYSTEM, call=call, case=cases.a)
    run_import(a, "queue_log", reject_path=tmp_path / "r3")
    assert links(a)["1709647331.18", 1] == (jane.pk, cases.a.pk)


def test_a_call_linked_when_it_changes_gets_a_fresh_change_seq(world: Any, tmp_path: Path) -> None:
    """The call is stored before its caller is a contact; when it changes later it is linked,
    with a new number after every cursor that has seen the first version."""
    from pactline.agreements.tests.test_pages_support import load

    a = world.client_a
    load(a, "general-outsourcing")
    first = tmp_path / "first"
    first.write_text("1709647331|c-1|support|NONE|ENTERQUEUE||15551234567|1\n")
    run_import(a, str(first), timezone="UTC", reject_path=tmp_path / "r1")
    call = Call.objects.get(client=a, call_id="c-1")
    assert (call.contact_id, call.case_id, call.outcome) == (None, None, "in_progress")
    cursor = call.change_seq

    jane = contact(a, JANE)
    open_case = phone_case(a, jane, 0)
    rest = tmp_path / "rest"
    rest.write_text(
        "1709647343|c-1|support|Bob|CONNECT|12|c-1.2|2\n"
        "1709647400|c-1|support|Bob|COMPLETECALLER|12|57|1\n"
    )
    run_import(a, str(rest), timezone="UTC", reject_path=tmp_path / "r2")

    [changed] = call_list(actor=SYSTEM, client=a, after=cursor)
    assert (changed.call_id, changed.outcome) == ("c-1", "answered")
    assert (changed.contact_id, changed.case_id) == (jane.pk, open_case.pk)
    assert changed.change_seq > cursor


def test_outbound_calls_and_calls_without_a_number_are_not_matched(world: Any) -> None:
    a = world.client_a
    jane = contact(a, JANE)
    records = [
        CallRecord(call_id="out-1", source="events", direction="outbound", caller_number=JANE),
        CallRecord(call_id="anon-1", source="events", caller_raw="anonymous", caller_number=None),
        CallRecord(call_id="in-1", source="events", caller_number=JANE),
    ]
    BatchWriter(a.id, now=T0).flush(records)
    assert links(a) == {
        ("out-1", 1): (None, None),
        ("anon-1", 1): (None, None),
        ("in-1", 1): (jane.pk, None),
    }


def test_a_merged_contact_number_finds_the_survivor(world: Any) -> None:
    a = world.client_a
    keep, duplicate = contact(a, JANE), contact(a, LEE)
    contact_merge(actor=SYSTEM, keep=keep, duplicate=duplicate, now=T0)
    BatchWriter(a.id, now=T0).flush([CallRecord(call_id="m-1", source="events", caller_number=LEE)])
    assert links(a) == {("m-1", 1): (keep.pk, None)}


def _big_queue_log(path: Path, calls: int) -> None:
    lines = []
    for n in range(calls):
        t = 1709647000 + n * 10
        number = "15551234567" if n % 10 == 0 else f"1555{2000000 + n:07d}"
        call = f"big-{n}"
        lines += [
            f"{t}|{call}|support|NONE|ENTERQUEUE||{number}|1",
            f"{t + 2}|{call}|support|Bob|CONNECT|2|{call}.1|1",
            f"{t + 9}|{call}|support|Bob|COMPLETECALLER|2|7|1",
        ]
    path.write_text("\n".join(lines) + "\n")


def test_an_import_looks_numbers_up_once_per_batch(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.client_a
    jane = contact(a, JANE)
    path = tmp_path / "big"
    _big_queue_log(path, 400)  # 1,200 lines: three batches or more
    flushes: list[int] = []
    flush = writing.BatchWriter.flush

    def counting(self: BatchWriter, calls: Any, *args: Any, **kwargs: Any) -> Any:
        if calls:
            flushes.append(len(calls))
        return flush(self, calls, *args, **kwargs)

    monkeypatch.setattr(writing.BatchWriter, "flush", counting)
    with CaptureQueriesContext(connection) as captured:
        run_import(a, str(path), timezone="UTC", batch_size=100, reject_path=tmp_path / "r")
    lookups = [q["sql"] for q in captured.captured_queries if "cases_contactkey" in q["sql"]]

    assert Call.objects.filter(client=a).count() == 400
    assert len(flushes) >= 3
    assert len(lookups) == len(flushes)  # one blind-index query per batch, not one per call
    assert Call.objects.filter(client=a, contact=jane).count() == 40


def _event(sequence: int, kind: str, **payload: Any) -> dict[str, Any]:
    at = (T0 + timedelta(seconds=sequence)).isoformat().replace("+00:00", "Z")
    body = {"client": "client-a", "call_id": "pbx-1", "sequence": sequence, "type": kind}
    return body | {"at": at} | payload


def _post(http: HttpClient, body: dict[str, Any]) -> Any:
    return http.post("/api/v1/calls/events", data=json.dumps(body), content_type="application/json")


def _agent(world: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(world.client_a_agent.user)
    return http


def test_a_live_call_from_a_new_number_adds_the_caller_as_a_contact(world: Any) -> None:
    http = _agent(world)
    response = _post(http, _event(1, "queued", caller="+1 (555) 123-4567", queue="support"))
    assert response.status_code == 201
    created = Contact.objects.get(client=world.client_a)
    assert created.phone_list == [JANE]
    assert response.json()["call"]["contact_id"] == created.pk
    assert response.json()["call"]["case_id"] is None
    # Later events of the call look nothing up and add nobody.
    assert _post(http, _event(2, "answered", agent="alice")).status_code == 201
    assert _post(http, _event(3, "ended")).status_code == 201
    assert Contact.objects.count() == 1
    assert Call.objects.get(call_id="pbx-1").contact_id == created.pk


def test_a_live_call_from_a_known_caller_joins_their_open_case(cases: Cases) -> None:
    world = cases.world
    jane = contact(world.client_a, JANE)
    open_case = phone_case(world.client_a, jane, 0)
    contact(world.client_b, JANE)  # client B's Jane is another person
    body = _post(_agent(world), _event(1, "queued", caller=JANE)).json()
    assert (body["call"]["contact_id"], body["call"]["case_id"]) == (jane.pk, open_case.pk)
    assert Contact.objects.filter(client=world.client_a).count() == 1


def test_a_live_call_without_a_usable_number_adds_no_contact(world: Any) -> None:
    http = _agent(world)
    for caller in ("anonymous", "12", ""):
        body = _event(1, "queued", caller=caller) | {"call_id": f"pbx-{caller or 'none'}"}
        response = _post(http, body)
        assert response.status_code == 201
        assert response.json()["call"]["contact_id"] is None
    outbound = _event(1, "queued", caller=JANE, direction="outbound") | {"call_id": "pbx-out"}
    assert _post(http, outbound).json()["call"]["contact_id"] is None
    assert not Contact.objects.exists() and not ContactKey.objects.exists()


def test_a_client_without_the_role_links_nothing(world: Any) -> None:
    http = HttpClient()
    http.force_login(world.client_b_agent.user)
    response = _post(http, _event(1, "queued", caller=JANE))
    assert response.status_code == 404
    assert not Contact.objects.exists() and not Call.objects.exists()


def test_a_twilio_callback_adds_the_caller_once(world: Any) -> None:
    assert _send(RINGING).status_code == 200
    assert _send(COMPLETED).status_code == 200
    created = Contact.objects.get(client=world.client_a)
    assert created.phone_list == [JANE]
    call = Call.objects.get(client=world.client_a)
    assert (call.contact_id, call.outcome) == (created.pk, "answered")


@pytest.mark.parametrize("key", ["short", "k" * 200])
def test_the_batch_blind_index_is_the_contacts_blind_index(settings: Any, key: str) -> None:
    from pactline.common.crypto import blind_index, blind_indexer

    settings.PACTLINE_INDEX_KEY = key
    index = blind_indexer("phone")
    for value in (JANE, "+8613800138000", "", "é"):
        assert index(value) == blind_index("phone", value)
