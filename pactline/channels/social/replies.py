"""The social channel's reply handler (`pactline.cases.replies`): queued in the outbox for
the platform's integration to deliver."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactline.cases.replies import Delivery, ReplyOutcome, ReplyRequest
from pactline.channels.social.services import social_reply


def social_case_reply(request: ReplyRequest) -> ReplyOutcome:
    stored = social_reply(
        actor=request.actor, case=request.case, text=request.body, now=request.now
    )
    return ReplyOutcome(
        Delivery.QUEUED,
        _("Reply queued for delivery on %(platform)s.")
        % {"platform": stored.message.get_platform_display()},
    )
