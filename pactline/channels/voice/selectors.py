"""Reads for calls, scoped by the actor.

`call_list` and `agent_state_list` are the cursor reads: rows in `change_seq` order after the
caller's cursor. A consumer (metrics, billing) keeps the last `change_seq` it has processed
and asks for what follows; a changed call comes back with a new number."""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.cases.models import Case
from pactline.cases.selectors import contact_with_merged
from pactline.channels.voice.models import AgentStateChange, Call, ImportRun
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

MAX_PAGE = 1000


def call_list(*, actor: Actor, client: Client, after: int = 0, limit: int = 100) -> QuerySet[Call]:
    require(actor, Permission.CASE_VIEW, client.id)
    return Call.objects.filter(client=client, change_seq__gt=after).order_by("change_seq")[
        : max(1, min(limit, MAX_PAGE))
    ]


def agent_state_list(
    *, actor: Actor, client: Client, after: int = 0, limit: int = 100
) -> QuerySet[AgentStateChange]:
    require(actor, Permission.CASE_VIEW, client.id)
    states = AgentStateChange.objects.filter(client=client, change_seq__gt=after)
    return states.order_by("change_seq")[: max(1, min(limit, MAX_PAGE))]


def import_run_list(*, actor: Actor, client: Client) -> QuerySet[ImportRun]:
    require(actor, Permission.CASE_VIEW, client.id)
    return ImportRun.objects.filter(client=client).order_by("-started_at")


def case_calls(*, case: Case) -> QuerySet[Call]:
    """The calls linked to a case, oldest first (the caller has been through `access_case`)."""
    return Call.objects.filter(client_id=case.client_id, case=case).order_by(
        "entered_at", "segment", "id"
    )


def contact_calls(*, case: Case, limit: int = 20) -> list[Call]:
    """The other calls of the case's caller: those of its contact (and of contacts merged into
    it) not linked to this case, newest first, including calls linked to no case at all."""
    if case.contact_id is None:
        return []
    family = contact_with_merged(client_id=case.client_id, contact_id=case.contact_id)
    calls = (
        Call.objects.filter(client_id=case.client_id, contact_id__in=family)
        .exclude(case_id=case.pk)
        .select_related("case")
        .order_by("-entered_at", "-id")
    )
    return list(calls[:limit])
