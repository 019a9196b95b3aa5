"""Which clients an agent is cleared for: the facts behind every agent's access.

An agent is cleared for a client at an instant when, on that day in the client's home zone,
their certification for the programme holds (started, not expired, not revoked by then) and,
when the agreement in force requires it, a confidentiality agreement binds them. A lapsed
certification or agreement clears nothing: the agent sees none of the client's data until it is
renewed. This is the rule `eligible_agents` applies to routing and taking work, read here for one
user across all their clients in two queries, and handed to `pactline.tenancy.access` (which
interprets memberships) through `clearance_reader_register`."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import CharField, Q, Value

from pactline.agreements.selectors import agreement_versions_in_force
from pactline.workforce.access import rules_of_version
from pactline.workforce.models import AgentCertification, ConfidentialityAgreement

_CERTIFICATION, _AGREEMENT = "certification", "agreement"


def _holds(day: date, start: date, expires: date | None) -> bool:
    return start <= day and (expires is None or expires > day)


def cleared_client_ids(user_id: int, at: datetime) -> frozenset[int]:
    """Ids of the clients whose work `user_id` may see and do at `at`. Two queries: the user's
    certifications and confidentiality agreements together, then the versions in force."""
    certifications = (
        AgentCertification.objects.filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=at), user_id=user_id
        )
        .annotate(record=Value(_CERTIFICATION, output_field=CharField()))
        .values_list("record", "client_id", "certified_on", "expires_on")
        .order_by()
    )
    agreements = (
        ConfidentialityAgreement.objects.filter(user_id=user_id)
        .annotate(record=Value(_AGREEMENT, output_field=CharField()))
        .values_list("record", "client_id", "signed_on", "expires_on")
        .order_by()
    )
    certified: dict[int, tuple[date, date | None]] = {}
    bound: dict[int, list[tuple[date, date | None]]] = {}
    for record, client_id, start, expires in certifications.union(agreements, all=True).order_by():
        if record == _CERTIFICATION:
            certified[client_id] = (start, expires)
        else:
            bound.setdefault(client_id, []).append((start, expires))
    if not certified:
        return frozenset()
    versions = agreement_versions_in_force(certified.keys(), at)
    cleared = set()
    for client_id, (start, expires) in certified.items():
        rules = rules_of_version(versions.get(client_id), at)
        if not _holds(rules.day, start, expires):
            continue
        if rules.confidentiality_required and not any(
            _holds(rules.day, signed, ends) for signed, ends in bound.get(client_id, ())
        ):
            continue
        cleared.add(client_id)
    return frozenset(cleared)
