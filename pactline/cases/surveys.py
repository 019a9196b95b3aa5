"""After-contact surveys: the customer's CSAT, recommend (NPS) and "resolved?" answers.

Responses are facts that metrics read by cursor (`SurveyResponse.change_seq`). A survey tool
re-delivers the same response id freely; the first delivery is kept and later ones change
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.sequences import Stream, change_sequence
from pactline.audit.services import audit_record
from pactline.cases.models import Case, SurveyResponse
from pactline.common.errors import FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require

EXTERNAL_ID_MAX = 100
COMMENT_MAX = 5000


@dataclass(frozen=True)
class Recorded:
    response: SurveyResponse
    created: bool


def _errors(
    *,
    external_id: str,
    csat: int | None,
    nps: int | None,
    resolved: bool | None,
    comment: str,
    responded_at: datetime,
    now: datetime,
) -> list[FieldError]:
    errors = []
    if not external_id.strip() or len(external_id) > EXTERNAL_ID_MAX or "\x00" in external_id:
        errors.append(
            FieldError("external_id", _("1 to %(n)s characters") % {"n": EXTERNAL_ID_MAX})
        )
    if csat is not None and not 1 <= csat <= 5:
        errors.append(FieldError("csat", _("a score from 1 to 5")))
    if nps is not None and not 0 <= nps <= 10:
        errors.append(FieldError("nps", _("a score from 0 to 10")))
    if csat is None and nps is None and resolved is None:
        errors.append(FieldError("csat", _("a response answers at least one question")))
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        errors.append(FieldError("comment", _("at most %(n)s characters") % {"n": COMMENT_MAX}))
    if responded_at > now:
        errors.append(FieldError("responded_at", _("must not be in the future")))
    return errors


def _instant(at: datetime) -> datetime:
    """In UTC: PostgreSQL refuses UTC offsets beyond ±15:59, which ISO 8601 allows."""
    if timezone.is_naive(at):
        raise ValidationFailed([FieldError("responded_at", _("give the time with a UTC offset"))])
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed(
            [FieldError("responded_at", _("not a time that can be stored"))]
        ) from None


@transaction.atomic
def survey_response_record(
    *,
    actor: Actor,
    case: Case,
    external_id: str,
    csat: int | None = None,
    nps: int | None = None,
    resolved: bool | None = None,
    comment: str = "",
    responded_at: datetime | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Record a survey response for `case`; the same `external_id` again changes nothing."""
    require(actor, Permission.CASE_WORK, case.client_id)
    now = now or timezone.now()
    responded_at = _instant(responded_at or now)
    errors = _errors(
        external_id=external_id,
        csat=csat,
        nps=nps,
        resolved=resolved,
        comment=comment,
        responded_at=responded_at,
        now=now,
    )
    if errors:
        raise ValidationFailed(errors)
    sequence = change_sequence(case.client_id, Stream.SURVEYS)
    existing = SurveyResponse.objects.filter(
        client_id=case.client_id, external_id=external_id
    ).first()
    if existing is not None:
        return Recorded(existing, created=False)
    response = SurveyResponse.objects.create(
        client_id=case.client_id,
        case=case,
        external_id=external_id,
        csat=csat,
        nps=nps,
        resolved=resolved,
        comment=comment,
        responded_at=responded_at,
        change_seq=sequence.take(),
    )
    audit_record(
        actor=actor,
        action="survey.recorded",
        client_id=case.client_id,
        obj=response,
        payload={"case": case.pk, "csat": csat, "nps": nps, "resolved": resolved},
        at=now,
    )
    return Recorded(response, created=True)
