"""The chat channel's reply handler (`pactline.cases.replies`): the agent's message in the
case's open chat."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from pactline.cases.models import AuthorKind
from pactline.cases.replies import Delivery, ReplyOutcome, ReplyRequest
from pactline.channels.chat.selectors import chat_session_open_of
from pactline.channels.chat.services import chat_message_add
from pactline.common.errors import FieldError, ValidationFailed


def _agent_label(request: ReplyRequest) -> str:
    user_id = request.actor.user_id
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:  # the system itself
        return request.actor.audit_label
    return user.first_name or user.get_username()


def chat_case_reply(request: ReplyRequest) -> ReplyOutcome:
    session = chat_session_open_of(request.case)
    if session is None:
        raise ValidationFailed([FieldError("case", _("the case has no open chat to answer"))])
    chat_message_add(
        actor=request.actor,
        session=session,
        author_kind=AuthorKind.AGENT,
        author_label=_agent_label(request),
        text=request.body,
        now=request.now,
    )
    return ReplyOutcome(Delivery.SENT, _("Reply sent in the chat."))
