"""Billing test data: the example agreements' clients, usage records and issued statements
written directly (the usage derivation and the statement measurement have their own tests)."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pactline.agreements.models import AgreementVersion
from pactline.billing.models import UsageKind, UsageRecord, UsageSource
from pactline.cases.tests.fixtures import load_example
from pactline.metrics.models import Frequency, Statement
from pactline.metrics.periods import period_of
from pactline.tenancy.models import Client

_ids = itertools.count(1)


@dataclass(frozen=True)
class Loaded:
    client: Client
    version: AgreementVersion


def loaded(name: str) -> Loaded:
    version = load_example(name)
    return Loaded(version.client, version)


def level(
    reference: str,
    verdict: str,
    value: str | None,
    target: str,
    *,
    operator: str = ">=",
    volume: int = 1000,
    minimum_volume: int = 0,
) -> dict[str, Any]:
    channel, _dot, name = reference.partition(".")
    return {
        "channel": channel,
        "name": name,
        "operator": operator,
        "target": target,
        "value": value,
        "volume": volume,
        "minimum_volume": minimum_volume,
        "verdict": verdict,
    }


def met(reference: str, target: str = "80", operator: str = ">=") -> dict[str, Any]:
    value = str(Decimal(target) + 1) if operator == ">=" else str(Decimal(target) - 1)
    return level(reference, "met", value, target, operator=operator)


def statement(
    at: Loaded,
    first: date,
    results: list[dict[str, Any]],
    *,
    issued_at: datetime,
    replaces: Statement | None = None,
) -> Statement:
    """An issued monthly statement (a reissue when `replaces` is given)."""
    _first, last = period_of("monthly", first)
    zone = at.version.home_timezone
    content = {
        "client": at.client.code,
        "frequency": "monthly",
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "timezone": zone,
        "segments": [
            {
                "agreement_version": at.version.number,
                "agreement_version_id": at.version.pk,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "results": results,
            }
        ],
    }
    counts = {v: sum(1 for r in results if r["verdict"] == v) for v in ("met", "missed")}
    row = Statement.objects.create(
        client=at.client,
        frequency=Frequency.MONTHLY,
        period_start=first,
        period_end=last,
        timezone=zone,
        revision=replaces.revision + 1 if replaces else 1,
        reason="volumes corrected" if replaces else "",
        content=content,
        content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
        met=counts["met"],
        missed=counts["missed"],
        issued_at=issued_at,
        issued_by="system:test",
    )
    if replaces is not None:
        Statement.objects.filter(pk=replaces.pk).update(superseded_by=row)
    return row


def record(at: Loaded, kind: str, when: datetime, **fields: Any) -> UsageRecord:
    source = {
        UsageKind.CALL_LEG: UsageSource.CALL,
        UsageKind.TICKET: UsageSource.CASE,
        UsageKind.AGENT_HOURS: UsageSource.AGENT_STATE,
        UsageKind.FEE: UsageSource.FEE,
        UsageKind.PASS_THROUGH: UsageSource.PASS_THROUGH,
    }[UsageKind(kind)]
    return UsageRecord.objects.create(
        client=at.client,
        source=source,
        source_id=next(_ids),
        part=fields.pop("part", "leg"),
        kind=kind,
        agreement_version=fields.pop("version", at.version),
        at=when,
        **fields,
    )


def call(at: Loaded, when: datetime, item: str, **fields: Any) -> UsageRecord:
    fields.setdefault("channel", "phone")
    fields.setdefault("handled", True)
    fields.setdefault("direction", "inbound")
    return record(at, UsageKind.CALL_LEG, when, price_item=item, **fields)


def ticket(
    at: Loaded, when: datetime, item: str, channel: str, event: str = "resolved"
) -> UsageRecord:
    return record(
        at, UsageKind.TICKET, when, price_item=item, channel=channel, event=event, part=event
    )


def tickets(at: Loaded, when: datetime, item: str, channel: str, count: int) -> None:
    UsageRecord.objects.bulk_create(
        UsageRecord(
            client=at.client,
            source=UsageSource.CASE,
            source_id=next(_ids),
            part="resolved",
            kind=UsageKind.TICKET,
            agreement_version=at.version,
            price_item=item,
            at=when,
            channel=channel,
            event="resolved",
        )
        for _ in range(count)
    )
