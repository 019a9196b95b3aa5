"""What the console's case actions do: each reads the posted form and calls the services.

A handler returns the success message, or raises ValidationFailed / Conflict (shown as a
message; nothing changed). Authorization is the caller's (`access_case(for_write=True)`) and
each service's own `require`."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _

from pactline.cases.models import CLOSED_STATUSES, Case
from pactline.cases.presentation import priority_label
from pactline.cases.replies import case_reply
from pactline.cases.routing import route_case
from pactline.cases.selectors import client_agent
from pactline.cases.services import (
    case_assign,
    case_classify,
    case_escalate,
    case_note,
    case_reopen,
    case_resolve,
    case_set_priority,
    case_set_status,
    case_take,
)
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.tenancy.access import Actor

Handler = Callable[[HttpRequest, Actor, Case], str]


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required lets no one else in
        raise Conflict(_("sign in first"))
    return user


def _open(case: Case) -> None:
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))


def take(request: HttpRequest, actor: Actor, case: Case) -> str:
    """Assign the case to me if it is still unassigned. `case_take` decides that under the
    case's row lock: of two agents taking it at once, one wins and the other is told who has
    it. It also refuses anyone who may not take the client's work."""
    case_take(actor=actor, case=case, agent=_user(request))
    return _("Case #%(id)s is now yours.") % {"id": case.pk}


def reply(request: HttpRequest, actor: Actor, case: Case) -> str:
    """Answer the customer on the case's own channel (`case_reply`)."""
    outcome = case_reply(
        actor=actor,
        case=case,
        body=str(request.POST.get("body", "")),
        # A Reply-To outside the contact's addresses only when the agent ticked it.
        include_reply_to=request.POST.get("include_reply_to") == "yes",
    )
    return outcome.message


def note(request: HttpRequest, actor: Actor, case: Case) -> str:
    case_note(actor=actor, case=case, body=str(request.POST.get("body", "")))
    return _("Note added.")


def status(request: HttpRequest, actor: Actor, case: Case) -> str:
    case = case_set_status(actor=actor, case=case, status=str(request.POST.get("status", "")))
    return _("Status is now %(status)s.") % {"status": case.get_status_display()}


def priority(request: HttpRequest, actor: Actor, case: Case) -> str:
    case = case_set_priority(actor=actor, case=case, priority=str(request.POST.get("priority", "")))
    return _("Priority is now %(priority)s.") % {"priority": priority_label(case.priority)}


def classify(request: HttpRequest, actor: Actor, case: Case) -> str:
    """The category (one of the agreement's) and the tags (ticked from the client's list)."""
    case_classify(
        actor=actor,
        case=case,
        category=str(request.POST.get("category", "")),
        tags=[str(tag) for tag in request.POST.getlist("tags")],
    )
    return _("Category and tags saved.")


def escalate(request: HttpRequest, actor: Actor, case: Case) -> str:
    """Hand the case to the client's supervisors (`case_escalate`), saying who has it."""
    escalated = case_escalate(actor=actor, case=case, reason=str(request.POST.get("reason", "")))
    return _("Case escalated to %(user)s, supervisor.") % {
        "user": escalated.supervisor.get_username()
    }


def assign(request: HttpRequest, actor: Actor, case: Case) -> str:
    raw = str(request.POST.get("assignee", "")).strip()
    if not raw:
        case_assign(actor=actor, case=case, assignee=None)
        return _("The case is back in its queue, unassigned.")
    valid = raw.isdigit() and len(raw) <= 18  # an id the database can hold
    agent = client_agent(client=case.client, user_id=int(raw)) if valid else None
    if agent is None:
        raise ValidationFailed([FieldError("assignee", _("choose an agent from the list"))])
    case_assign(actor=actor, case=case, assignee=agent)
    return _("Assigned to %(user)s.") % {"user": agent.get_username()}


def route(request: HttpRequest, actor: Actor, case: Case) -> str:
    """Give the case to an eligible agent by round robin or least busy."""
    strategy = str(request.POST.get("strategy", "")) or "round_robin"
    before = case.assignee_id
    chosen = route_case(actor=actor, case=case, strategy=strategy)
    if chosen is None:
        raise Conflict(_("no agent may take this client's work now; the case stays in its queue"))
    if chosen.pk == before:
        return _("%(user)s keeps the case.") % {"user": chosen.get_username()}
    return _("Routed to %(user)s.") % {"user": chosen.get_username()}


def resolve(request: HttpRequest, actor: Actor, case: Case) -> str:
    _open(case)
    first_contact = request.POST.get("first_contact") == "yes"
    case_resolve(actor=actor, case=case, first_contact=first_contact)
    return _("Case resolved.")


def reopen(request: HttpRequest, actor: Actor, case: Case) -> str:
    case_reopen(actor=actor, case=case)
    return _("Case reopened.")


ACTIONS: dict[str, Handler] = {
    "take": take,
    "reply": reply,
    "note": note,
    "status": status,
    "priority": priority,
    "classify": classify,
    "escalate": escalate,
    "assign": assign,
    "route": route,
    "resolve": resolve,
    "reopen": reopen,
}
