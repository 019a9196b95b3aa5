"""An outbound satisfaction survey for the demo: Northwind Retail calls customers whose cases
were resolved.

The campaign's call list is loaded through the list service (one number is on the do-not-call
list already, so it is refused at load), and an agent works it over the last working days of the
calling window: `next_call` hands out each number, `attempt_record` keeps the disposition (a
survey score goes onto the customer's case as a note; a follow-up opens a case; a customer who
asks not to be called again goes onto the do-not-call list). A campaign with a list is left
alone on a second run."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import agreement_calendar
from pactline.cases.models import CaseStatus
from pactline.channels.email.models import Direction, EmailMessage
from pactline.channels.outbound.models import CallAttempt, CampaignKind, Disposition
from pactline.channels.outbound.services import (
    attempt_record,
    call_list_upload,
    campaign_create,
    do_not_call_add,
    next_call,
)
from pactline.tenancy.models import Client
from pactline.web.demo.users import agent_of

REFERENCE = "NWR-CC-2026-001"
CAMPAIGN = "Post-resolution satisfaction survey"
STEP = timedelta(minutes=4)  # an attempt with its wrap-up
IDLE = timedelta(minutes=10)  # nothing to dial: look again later

# Each line's attempts, in order: (disposition, survey score, notes).
LIST: tuple[tuple[str, str, tuple[tuple[str, int | None, str], ...]], ...] = (
    ("+1 212 555 0143", "Maria Gonzalez", (("survey_completed", 9, ""),)),
    ("+1 646 555 0178", "James Carter", (
        ("no_answer", None, ""), ("survey_completed", 8, "Happy with the refund speed."))),
    ("+1 718 555 0122", "Aisha Bello", (
        ("voicemail", None, "Left a message."), ("busy", None, ""), ("no_answer", None, ""))),
    ("+1 917 555 0164", "Tom Becker", (("survey_completed", 10, "Praised the agent by name."),)),
    ("+1 347 555 0101", "Robert Walsh", ()),  # on the do-not-call list already
    ("+1 516 555 0139", "Emily Chen", (("declined", None, "No time for surveys."),)),
    ("+1 201 555 0187", "Sofia Rossi", (
        ("reached_follow_up", None, "Replacement still not delivered; needs a follow-up."),)),
    ("+1 973 555 0115", "David Okafor", (("wrong_number", None, ""),)),
    ("+1 212 555 0196", "Laura Schmidt", (
        ("do_not_call", None, "Asked not to be called again."),)),
    ("+1 646 555 0153", "Kevin O'Brien", (("busy", None, ""),)),
    ("+1 718 555 0170", "Nina Patel", (("survey_completed", 6, "Delivery was two days late."),)),
    ("+1 917 555 0108", "Chris Baker", (("no_answer", None, ""),)),
)  # fmt: skip


def _resolved_email_cases(client: Client, count: int) -> list[int]:
    ids = (
        EmailMessage.objects.filter(
            client=client, direction=Direction.INBOUND, case__status=CaseStatus.RESOLVED
        )
        .order_by("case__resolved_at", "case_id")
        .values_list("case_id", flat=True)
    )
    return list(dict.fromkeys(ids))[:count]


def _csv(cases: list[int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["phone", "name", "case"])
    for index, (phone, name, _attempts) in enumerate(LIST):
        writer.writerow([phone, name, cases[index] if index < len(cases) else ""])
    return out.getvalue()


def demo_campaign_load(*, clients: list[Client], now: datetime) -> list[str]:
    client = next(
        (
            c
            for c in clients
            if (v := agreement_version_in_force(c, now)) and v.agreement.reference == REFERENCE
        ),
        None,
    )
    if client is None:
        return []
    version = agreement_version_in_force(client, now)
    assert version is not None  # noqa: S101 - found above
    agent = agent_of(client)
    campaign = campaign_create(
        actor=agent,
        client=client,
        name=CAMPAIGN,
        kind=CampaignKind.SATISFACTION_SURVEY,
        max_attempts=3,
        retry_minutes=90,
        now=now - timedelta(days=4),
    )
    if campaign.entries.exists():
        return [_("campaign: %(name)s: already there") % {"name": campaign.name}]
    calendar = agreement_calendar(version, campaign.calendar)
    windows = calendar.open_intervals(now - timedelta(days=3), now)
    loaded_at = (windows[0][0] if windows else now) - timedelta(hours=1)
    do_not_call_add(actor=agent, client=client, phone=LIST[4][0], source="customer", now=loaded_at)
    load = call_list_upload(
        actor=agent,
        campaign=campaign,
        csv_text=_csv(_resolved_email_cases(client, len(LIST))),
        region="US",
        now=loaded_at,
    )
    plans = {index + 2: list(attempts) for index, (_p, _n, attempts) in enumerate(LIST)}
    for start, end in windows:
        at = start + timedelta(minutes=30)
        while at < end - STEP and any(plans.values()):
            entry = next_call(actor=agent, campaign=campaign, now=at)
            if entry is None or not plans.get(entry.line_number):
                at += IDLE
                continue
            disposition, score, notes = plans[entry.line_number].pop(0)
            attempt_record(
                actor=agent,
                entry=entry,
                disposition=Disposition(disposition),
                survey_score=score,
                notes=notes,
                now=at + timedelta(minutes=3),
            )
            at += STEP
    attempts = CallAttempt.objects.filter(entry__campaign=campaign).count()
    return [
        _(
            "campaign: %(name)s: %(added)d number(s) to call, %(refused)d on the do-not-call "
            "list, %(attempts)d call attempt(s)"
        )
        % {
            "name": campaign.name,
            "added": load.added,
            "refused": load.do_not_call,
            "attempts": attempts,
        }
    ]
