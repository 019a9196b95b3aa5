"""What the console's case actions do: each reads the posted form and calls the services.

A handler returns the success message, or raises ValidationFailed / Conflict (shown as a
message; nothing changed). Authorization is the caller's (`access_case(for_write=True)`) and
each service's own `require`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from pactline.cases.models import CLOSED_STATUSES, AuthorKind, Case, CaseStatus
from pactline.cases.presentation import priority_label
from pactline.cases.routing import route_case
from pactline.cases.services import (
    case_agent_reply,
    case_assign,
    case_note,
    case_reopen,
    case_resolve,
    case_route,
    case_set_priority,
    case_set_status,
    case_take,
)
from pactline.channels.chat.services import chat_message_add
from pactline.channels.email.replies import email_reply_send
from pactline.channels.social.services import social_reply
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.tenancy.access import Actor
from pactline.web.console.selectors import chat_session_open_of, client_agent

logger = logging.getLogger(__name__)

REPLY_MAX = 10_000  # the chat and social channels' limit; email takes it too
NOTE_MAX = 20_000
ESCALATION_ROLE = "team_lead"

Handler = Callable[[HttpRequest, Actor, Case], str]


def _text(request: HttpRequest, field: str, *, limit: int, empty: str) -> str:
    text = str(request.POST.get(field, "")).replace("\x00", "").strip()
    if not text:
        raise ValidationFailed([FieldError(field, empty)])
    if len(text) > limit:
        raise ValidationFailed([FieldError(field, _("at most %(n)s characters") % {"n": limit})])
    return text


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required lets no one else in
        raise Conflict(_("sign in first"))
    return user


def _agent_label(user: User) -> str:
    return user.first_name or user.get_username()


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
    """Answer the customer on the case's own channel: email in its thread, the open chat, the
    social thread (queued for the platform); phone and web replies are recorded on the case."""
    body = _text(request, "body", limit=REPLY_MAX, empty=_("write the reply first"))
    _open(case)
    if case.channel == "email":
        # A Reply-To outside the contact's addresses only when the agent ticked it.
        include_reply_to = request.POST.get("include_reply_to") == "yes"
        try:
            email_reply_send(actor=actor, case=case, body=body, include_reply_to=include_reply_to)
        except OSError as error:  # smtplib's errors are OSErrors; nothing was recorded
            logger.warning("reply to case %s could not be sent: %s", case.pk, error)
            raise Conflict(
                _("the email could not be sent (%(error)s); try again") % {"error": error}
            ) from None
        return _("Reply sent by email.")
    if case.channel == "chat":
        session = chat_session_open_of(case)
        if session is None:
            raise ValidationFailed([FieldError("case", _("the case has no open chat to answer"))])
        chat_message_add(
            actor=actor,
            session=session,
            author_kind=AuthorKind.AGENT,
            author_label=_agent_label(_user(request)),
            text=body,
        )
        return _("Reply sent in the chat.")
    if case.channel == "social":
        stored = social_reply(actor=actor, case=case, text=body)
        return _("Reply queued for delivery on %(platform)s.") % {
            "platform": stored.message.get_platform_display()
        }
    case_agent_reply(actor=actor, case=case, body=body)
    return _("Reply recorded on the case.")


def note(request: HttpRequest, actor: Actor, case: Case) -> str:
    body = _text(request, "body", limit=NOTE_MAX, empty=_("a note needs some text"))
    case_note(actor=actor, case=case, body=body)
    return _("Note added.")


def status(request: HttpRequest, actor: Actor, case: Case) -> str:
    case = case_set_status(actor=actor, case=case, status=str(request.POST.get("status", "")))
    return _("Status is now %(status)s.") % {"status": case.get_status_display()}


def priority(request: HttpRequest, actor: Actor, case: Case) -> str:
    case = case_set_priority(actor=actor, case=case, priority=str(request.POST.get("priority", "")))
    return _("Priority is now %(priority)s.") % {"priority": priority_label(case.priority)}


def escalate(request: HttpRequest, actor: Actor, case: Case) -> str:
    """Status `escalated` and the case handed to the team lead, with the reason as a note;
    all or nothing."""
    reason = str(request.POST.get("reason", "")).replace("\x00", "").strip()
    if len(reason) > NOTE_MAX:
        raise ValidationFailed(
            [FieldError("reason", _("at most %(n)s characters") % {"n": NOTE_MAX})]
        )
    _open(case)
    if case.status == CaseStatus.ESCALATED:
        raise Conflict(_("the case is already escalated"))
    with transaction.atomic():
        case = case_set_status(actor=actor, case=case, status=CaseStatus.ESCALATED)
        case = case_route(actor=actor, case=case, role=ESCALATION_ROLE)
        if reason:
            case_note(actor=actor, case=case, body=reason, payload={"escalation": True})
    return _("Case escalated to the team lead.")


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
    "escalate": escalate,
    "assign": assign,
    "route": route,
    "resolve": resolve,
    "reopen": reopen,
}
