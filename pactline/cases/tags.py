"""The client's case tags and the categories of its agreement: what an agent may put on a case.

Supervisors keep the tag list (add, retire, bring back); agents choose from its active tags.
Retired tags stay on the cases that carry them and in the reports that count them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import terms_of
from pactline.audit.services import audit_record
from pactline.cases.models import TAG_NAME_MAX, Case, CaseTag
from pactline.common.errors import FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

executes("scope.case_categories")

TAGS_MAX = 50  # on one case


def tag_name(raw: object) -> str:
    """One spelling per tag: lower case, words joined by hyphens ("Late delivery" →
    "late-delivery")."""
    return "-".join(str(raw).lower().split())


def tag_names(raw: Iterable[object]) -> list[str]:
    """Normalised, without blanks or repeats, sorted (so the same choice compares equal)."""
    return sorted({name for name in (tag_name(item) for item in raw) if name})


def case_categories(case: Case, now: datetime) -> tuple[str, ...]:
    """The categories of the agreement in force for the case's client (the case's own version
    when none is in force now)."""
    version: AgreementVersion = (
        agreement_version_in_force(case.client, now) or case.agreement_version
    )
    return tuple(terms_of(version).scope.case_categories)


def client_tags(client_id: int, *, active_only: bool = False) -> list[CaseTag]:
    tags = CaseTag.objects.filter(client_id=client_id)
    if active_only:
        tags = tags.filter(is_active=True)
    return list(tags.order_by("name"))


@transaction.atomic
def case_tag_add(
    *, actor: Actor, client: Client, name: str, now: datetime | None = None
) -> CaseTag:
    """Add a tag to the client's list, or bring a retired one back."""
    require(actor, Permission.QUEUE_SUPERVISE, client.id)
    clean = tag_name(name)
    if not clean:
        raise ValidationFailed([FieldError("name", _("give the tag a name"))])
    if len(clean) > TAG_NAME_MAX:
        raise ValidationFailed(
            [FieldError("name", _("at most %(n)s characters") % {"n": TAG_NAME_MAX})]
        )
    now = now or timezone.now()
    tag, created = CaseTag.objects.select_for_update().get_or_create(
        client=client, name=clean, defaults={"created_at": now}
    )
    if not created and tag.is_active:
        return tag
    if not created:
        tag.is_active = True
        tag.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="case_tag.added",
        client_id=client.id,
        obj=tag,
        payload={"name": clean},
        at=now,
    )
    return tag


@transaction.atomic
def case_tag_retire(
    *, actor: Actor, client: Client, name: str, now: datetime | None = None
) -> CaseTag:
    """Agents no longer offered the tag; the cases that carry it keep it."""
    require(actor, Permission.QUEUE_SUPERVISE, client.id)
    tag = CaseTag.objects.select_for_update().filter(client=client, name=tag_name(name)).first()
    if tag is None:
        raise ValidationFailed([FieldError("name", _("not a tag of this client"))])
    if not tag.is_active:
        return tag
    tag.is_active = False
    tag.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="case_tag.retired",
        client_id=client.id,
        obj=tag,
        payload={"name": tag.name},
        at=now or timezone.now(),
    )
    return tag
