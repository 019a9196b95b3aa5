"""Links between cases: "possibly related", for an agent to follow (and merge by hand)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.cases.models import Case, CaseLink, CaseLinkKind
from pactline.common.errors import FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require


@transaction.atomic
def case_link_related(
    *, actor: Actor, case: Case, related: Case, now: datetime | None = None
) -> CaseLink:
    """Record that `case` may belong with `related` (same client only). Linking the same pair
    again changes nothing."""
    require(actor, Permission.CASE_WORK, case.client_id)
    if case.client_id != related.client_id or case.pk == related.pk:
        raise ValidationFailed(
            [FieldError("related", _("only two different cases of one client can be linked"))]
        )
    now = now or timezone.now()
    link, created = CaseLink.objects.get_or_create(
        client_id=case.client_id,
        from_case=case,
        to_case=related,
        kind=CaseLinkKind.RELATED,
        defaults={"created_at": now},
    )
    if created:
        audit_record(
            actor=actor,
            action="case.linked",
            client_id=case.client_id,
            obj=case,
            payload={"related": related.pk, "kind": CaseLinkKind.RELATED.value},
            at=now,
        )
    return link
