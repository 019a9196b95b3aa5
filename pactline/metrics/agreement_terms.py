"""What the metrics need from a client's agreements: the wait thresholds rollups count.

Rollups count queued contacts against every threshold any activated version of the client's
agreement names (service-level thresholds and short-abandon limits), so a statement can
measure each period under the version in force then, and an amendment needs no rebuild."""

from __future__ import annotations

from django.db import transaction

from pactline.agreements.models import ACTIVATED, AgreementVersion
from pactline.core.kpi import tracked_thresholds
from pactline.metrics.models import TrackedThreshold
from pactline.metrics.rollups import thresholds_backfill


def client_thresholds(client_id: int) -> tuple[int, ...]:
    """Every wait threshold (`Within` key) that any activated version of the client's
    agreements measures against, ascending."""
    found: set[int] = set()
    for version in AgreementVersion.objects.filter(client_id=client_id, status__in=ACTIVATED):
        levels = version.terms.service_levels
        found |= tracked_thresholds(
            metric for metrics in levels.values() for metric in metrics.values()
        )
    return tuple(sorted(found))


def thresholds_tracked(client_id: int) -> tuple[int, ...]:
    """The thresholds to count against, after counting the whole history against any the
    client's agreements name for the first time. Thresholds no longer named stay tracked, so
    past periods remain measurable under the versions that named them."""
    wanted = set(client_thresholds(client_id))
    have = set(
        TrackedThreshold.objects.filter(client_id=client_id).values_list("threshold", flat=True)
    )
    new = sorted(wanted - have)
    if new:
        with transaction.atomic():
            TrackedThreshold.objects.bulk_create(
                [TrackedThreshold(client_id=client_id, threshold=value) for value in new]
            )
            thresholds_backfill(client_id, new)
    return tuple(sorted(wanted | have))
