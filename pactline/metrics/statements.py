"""Compliance statements: issue once, never change, reissue as a new revision with a reason.

A statement freezes what `service_levels_measured` says about a period: per part of the period
under one agreement version, each service level's target, measured value (with numerator,
denominator and the definition used), the volume against the minimum-volume rule, and the
verdict. Statements of a frequency list the metrics measured at that frequency (monthly when
the agreement does not say)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.audit.selectors import audit_chain_head
from pactline.audit.services import audit_anchor_publish, audit_record
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.common.inputs import text_problem
from pactline.core.agreement.service_levels import (
    AbandonRateMetric,
    AhtMetric,
    AsaMetric,
    CsatMetric,
    NpsMetric,
)
from pactline.core.kpi import AnyMetric
from pactline.metrics.models import Frequency, Statement
from pactline.metrics.periods import period_bounds, period_of
from pactline.metrics.service_levels import MetricResult, Segment, service_levels_measured
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

executes(
    "service_levels.*.*.kind",
    "service_levels.*.*.critical",
    "service_levels.*.*.applies_to_priorities",
    "service_levels.*.*.minimum_volume",
    "service_levels.*.*.measurement_period",
    "service_levels.*.*.variant",
    "service_levels.*.*.threshold_seconds",
    "service_levels.*.*.target_percent",
    "service_levels.*.*.short_abandon_seconds",
    "service_levels.*.*.max_percent",
    "service_levels.*.*.max_seconds",
    "service_levels.*.*.includes_hold",
    "service_levels.*.*.includes_acw",
    "service_levels.*.*.method",
    "service_levels.*.*.window_days",
    "service_levels.*.*.scale",
    "service_levels.*.*.target",
)

REASON_MAX = 2000


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def target_of(metric: AnyMetric) -> tuple[str, str]:
    """The comparison and the target figure the verdict applies."""
    if isinstance(metric, AbandonRateMetric):
        return "<=", str(metric.max_percent)
    if isinstance(metric, AsaMetric | AhtMetric):
        return "<=", str(metric.max_seconds)
    if isinstance(metric, CsatMetric | NpsMetric):
        return ">=", str(metric.target)
    return ">=", str(metric.target_percent)


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int | str | float | bool) or value is None:
        return value
    return str(value)


def _result(result: MetricResult) -> dict[str, Any]:
    operator, target = target_of(result.metric)
    value = result.value
    return {
        "channel": result.channel,
        "name": result.name,
        "kind": result.metric.kind,
        "description": result.metric.description or "",
        "critical": result.metric.critical,
        "definition": value.definition,
        "params": {key: _jsonable(item) for key, item in value.params.items()},
        "unit": value.unit,
        "operator": operator,
        "target": target,
        "value": _number(value.value),
        "numerator": _number(value.numerator),
        "denominator": _number(value.denominator),
        "volume": result.volume,
        "minimum_volume": result.metric.minimum_volume,
        "verdict": result.verdict,
        "pending": result.pending,
    }


def _segment(segment: Segment, frequency: str) -> dict[str, Any]:
    return {
        "agreement_version": segment.version.number,
        "agreement_version_id": segment.version.pk,
        "from": segment.start.isoformat(),
        "to": segment.end.isoformat(),
        "results": [
            _result(result)
            for result in segment.results
            if result.metric.measurement_period == frequency
        ],
    }


def statement_content(
    client: Client, frequency: str, first: date, last: date, zone_name: str
) -> dict[str, Any]:
    start, end = period_bounds(first, last, ZoneInfo(zone_name))
    segments = service_levels_measured(client, start, end)
    return {
        "client": client.code,
        "frequency": frequency,
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "timezone": zone_name,
        "segments": [_segment(segment, frequency) for segment in segments],
    }


def _hash(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _verdicts(content: dict[str, Any]) -> dict[str, int]:
    counts = {"met": 0, "missed": 0, "not_measured": 0}
    for segment in content["segments"]:
        for result in segment["results"]:
            counts[result["verdict"]] += 1
    return counts


def _check_period(frequency: str, day: date, zone_name: str, now: datetime) -> tuple[date, date]:
    if frequency not in Frequency.values:
        raise ValidationFailed([FieldError("frequency", _("unknown frequency"))])
    first, last = period_of(frequency, day)
    if period_bounds(first, last, ZoneInfo(zone_name))[1] > now:
        raise ValidationFailed(
            [FieldError("period", _("a statement is issued once its period has ended"))]
        )
    return first, last


def _create(
    *,
    actor: Actor,
    client: Client,
    frequency: str,
    first: date,
    last: date,
    zone_name: str,
    revision: int,
    reason: str,
    now: datetime,
) -> Statement:
    content = statement_content(client, frequency, first, last, zone_name)
    anchor = audit_anchor_publish(
        anchor=audit_chain_head(client.id),
        published_in=f"statement {frequency} {first.isoformat()} r{revision}",
        now=now,
    )
    statement = Statement.objects.create(
        client=client,
        frequency=frequency,
        period_start=first,
        period_end=last,
        timezone=zone_name,
        revision=revision,
        reason=reason,
        content=content,
        content_hash=_hash(content),
        issued_at=now,
        issued_by=actor.audit_label,
        audit_sequence=anchor.sequence,
        audit_mac=anchor.mac,
        **_verdicts(content),
    )
    audit_record(
        actor=actor,
        action="statement.issued" if revision == 1 else "statement.reissued",
        client_id=client.id,
        obj=statement,
        payload={
            "frequency": frequency,
            "first_day": first.isoformat(),
            "revision": revision,
            "content_hash": statement.content_hash,
            "reason": reason,
        },
        at=now,
    )
    return statement


def statement_issue(
    *,
    actor: Actor,
    client: Client,
    day: date,
    frequency: str = Frequency.MONTHLY,
    now: datetime | None = None,
) -> tuple[Statement, bool]:
    """Issue the statement of the period holding `day`; an issued one is returned as it is.
    Returns (statement, created)."""
    require(actor, Permission.STATEMENT_ISSUE, client.id)
    now = now or timezone.now()
    zone_name = client_zone(client).key
    first, last = _check_period(frequency, day, zone_name, now)
    existing = _latest(client, frequency, first)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            statement = _create(
                actor=actor,
                client=client,
                frequency=frequency,
                first=first,
                last=last,
                zone_name=zone_name,
                revision=1,
                reason="",
                now=now,
            )
    except IntegrityError:  # issued concurrently: theirs stands
        latest = _latest(client, frequency, first)
        if latest is None:
            raise
        return latest, False
    return statement, True


def _latest(client: Client, frequency: str, first: date) -> Statement | None:
    return (
        Statement.objects.filter(client=client, frequency=frequency, period_start=first)
        .order_by("-revision")
        .first()
    )


@transaction.atomic
def statement_reissue(
    *, actor: Actor, statement: Statement, reason: str, now: datetime | None = None
) -> Statement:
    """Measure the statement's period again as a new revision; the reason is required."""
    require(actor, Permission.STATEMENT_ISSUE, statement.client_id)
    now = now or timezone.now()
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX or text_problem(reason) is not None:
        raise ValidationFailed(
            [FieldError("reason", _("say why the statement is reissued (at most 2000 characters)"))]
        )
    current = Statement.objects.select_for_update().get(pk=statement.pk)
    if current.superseded_by_id is not None:
        raise Conflict(_("this statement was already reissued; reissue the latest revision"))
    replacement = _create(
        actor=actor,
        client=current.client,
        frequency=current.frequency,
        first=current.period_start,
        last=current.period_end,
        zone_name=current.timezone,
        revision=current.revision + 1,
        reason=reason,
        now=now,
    )
    Statement.objects.filter(pk=current.pk).update(superseded_by=replacement)
    return replacement
