"""Reads for calls, scoped by the actor.

`call_list` and `agent_state_list` are the cursor reads: rows in `change_seq` order after the
caller's cursor. A consumer (metrics, billing) keeps the last `change_seq` it has processed
and asks for what follows; a changed call comes back with a new number."""

from __future__ import annotations

from django.db.models import QuerySet

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
