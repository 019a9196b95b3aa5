"""Routing: give a case to an agent who may take its client's work (`pactline.workforce`).

- round robin: the eligible agent given one of the client's cases longest ago (never first);
- least busy: the eligible agent with the fewest open cases of the client, then round robin.

Ties go to the lowest user id. With no eligible agent the case stays in its queue. Routing for
one client is serialised on the client's row, so concurrent routers do not pick the same
"least recently assigned" agent twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.cases.models import CLOSED_STATUSES, Case
from pactline.cases.services import case_assign
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client
from pactline.workforce.selectors import agent_last_assigned, eligible_agents

_NEVER = datetime.min.replace(tzinfo=UTC)


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_BUSY = "least_busy"


def open_case_counts(client: Client, user_ids: list[int]) -> dict[int, int]:
    """Open (not resolved or closed) cases of the client assigned to each of these users."""
    rows = (
        Case.objects.filter(client=client, assignee_id__in=user_ids)
        .exclude(status__in=CLOSED_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    return {int(user_id): int(n) for user_id, n in rows}


def pick_agent(client: Client, agents: list[User], strategy: Strategy) -> User:
    ids = [agent.pk for agent in agents]
    last = agent_last_assigned(client=client, user_ids=ids)
    busy = open_case_counts(client, ids) if strategy == Strategy.LEAST_BUSY else {}
    return min(
        agents,
        key=lambda agent: (busy.get(agent.pk, 0), last.get(agent.pk, _NEVER), agent.pk),
    )


@transaction.atomic
def route_case(
    *,
    actor: Actor,
    case: Case,
    strategy: str = Strategy.ROUND_ROBIN,
    now: datetime | None = None,
) -> User | None:
    """Assign the case to an eligible agent by `strategy`; the agent, or None if nobody may take
    it (the case stays in its queue). A case already with an eligible agent keeps them."""
    require(actor, Permission.CASE_WORK, case.client_id)
    try:
        chosen_strategy = Strategy(strategy)
    except ValueError:
        raise ValidationFailed(
            [FieldError("strategy", _("must be one of: round_robin, least_busy"))]
        ) from None
    now = now or timezone.now()
    Client.objects.select_for_update().filter(pk=case.client_id).first()
    case = Case.objects.select_related("client", "assignee").get(pk=case.pk)
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    agents = list(eligible_agents(client=case.client, at=now))
    if not agents:
        return None
    if case.assignee is not None and case.assignee in agents:
        return case.assignee
    chosen = pick_agent(case.client, agents, chosen_strategy)
    case_assign(actor=actor, case=case, assignee=chosen, now=now)
    return chosen
