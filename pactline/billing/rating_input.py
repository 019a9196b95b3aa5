"""A period's usage records, as the rating engine reads them, per agreement version.

Records are read with `values_list` in id order (no model instances), grouped by the agreement
version that rated them: a month that spans an amendment rates each version's records under
that version's pricing. Per-FTE items and the monthly minimum belong to the month, not to
usage: they come from the version in force at the period's end (`period_terms`), and month
close says so on their lines.

Decisions:

* Records without a `price_item` are shown, never billed: they are left out.
* `in_hours` is read from the records' own `outside_hours` (judged against the surcharge's
  calendar when the records were derived): an instant is outside hours when a record starting
  then is.
* One-time fees: the agreement's one-time fees are billed once, in the month holding the start
  of the agreement's first activated version; a `fee` record in the period (its `description`
  names the fee) bills that fee (again) in its month, and stands in for the automatic one.
* Pass-through charges (`pass_through` records) are billed only when the pricing gives
  `pass_through_markup_percent`, with that markup added exactly.
* A call whose first leg fell into another month or version is numbered from its earliest leg
  here, so each part rates on its own.
* Call legs are not read here: a month may hold millions. `VersionUsage.legs` says where they
  are and `call_rating` rates them in the database and in chunks (`usage.calls` is empty);
  `call_legs` reads them as `CallLeg`s, the per-record reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pactline.agreements.models import ACTIVATED, AgreementVersion
from pactline.billing.call_rating import LegScope
from pactline.billing.models import UsageKind, UsageRecord
from pactline.core.agreement import Pricing
from pactline.core.rating import (
    AgentHours,
    CallLeg,
    FeeOccurrence,
    InHours,
    PassThrough,
    TicketEvent,
    Usage,
)
from pactline.tenancy.models import Client

_CALL_FIELDS = (
    "id",
    "agreement_version_id",
    "at",
    "call_id",
    "leg",
    "channel",
    "service_type",
    "direction",
    "handled",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "diverted_to",
    "outside_hours",
)
_TICKET_FIELDS = (
    "id",
    "agreement_version_id",
    "at",
    "event",
    "channel",
    "service_type",
    "outside_hours",
)
_HOUR_FIELDS = (
    "id",
    "agreement_version_id",
    "at",
    "productive_seconds",
    "logged_seconds",
    "training_seconds",
    "channel",
    "service_type",
    "outside_hours",
)
_CHARGE_FIELDS = ("id", "agreement_version_id", "at", "description", "amount")


@dataclass(frozen=True)
class VersionUsage:
    """The records of one agreement version in the period, ready to rate."""

    version: AgreementVersion
    usage: Usage
    outside: frozenset[datetime]
    legs: LegScope

    @property
    def in_hours(self) -> InHours:
        outside = self.outside
        return lambda at: at not in outside


@dataclass
class _Parts:
    calls: list[CallLeg]
    tickets: list[TicketEvent]
    hours: list[AgentHours]
    fees: list[FeeOccurrence]
    pass_through: list[PassThrough]
    outside: set[datetime]


def _records(client: Client, start: datetime, end: datetime, kind: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    fields = {
        UsageKind.CALL_LEG: _CALL_FIELDS,
        UsageKind.TICKET: _TICKET_FIELDS,
        UsageKind.AGENT_HOURS: _HOUR_FIELDS,
    }.get(kind, _CHARGE_FIELDS)  # type: ignore[call-overload]
    rows = UsageRecord.objects.filter(client=client, kind=kind, at__gte=start, at__lt=end)
    if kind in (UsageKind.CALL_LEG, UsageKind.TICKET, UsageKind.AGENT_HOURS):
        rows = rows.exclude(price_item="")
    return rows.order_by("id").values_list(*fields).iterator(chunk_size=5000)


def _call_versions(client: Client, start: datetime, end: datetime) -> list[int]:
    rows = UsageRecord.objects.filter(
        client=client, kind=UsageKind.CALL_LEG, at__gte=start, at__lt=end
    ).exclude(price_item="")
    return list(rows.order_by().values_list("agreement_version_id", flat=True).distinct())


def call_legs(
    client: Client, start: datetime, end: datetime
) -> dict[int, tuple[tuple[CallLeg, ...], frozenset[datetime]]]:
    """The period's call legs as `CallLeg`s per agreement version, with the instants of those
    outside hours: the per-record reference that `call_rating` equals (an object per record,
    so for small months and checks only)."""
    parts: dict[int, _Parts] = {}
    rows = list(_records(client, start, end, UsageKind.CALL_LEG))
    for row in rows:
        parts.setdefault(row[1], _Parts([], [], [], [], [], set()))
    _calls(rows, parts)
    return {pk: (tuple(found.calls), frozenset(found.outside)) for pk, found in parts.items()}


def _calls(rows: Iterable[tuple], parts: dict[int, _Parts]) -> None:  # type: ignore[type-arg]
    first_leg: dict[tuple[int, str], int] = {}
    buffered = list(rows)
    for row in buffered:
        key = (row[1], row[3])
        first_leg[key] = min(first_leg.get(key, row[4]), row[4])
    for (
        pk,
        version_id,
        at,
        call_id,
        leg,
        channel,
        service_type,
        direction,
        handled,
        talk,
        hold,
        acw,
        diverted_to,
        outside,
    ) in buffered:
        part = parts[version_id]
        part.calls.append(
            CallLeg(
                id=str(pk),
                call_id=call_id or f"record-{pk}",
                at=at,
                channel=channel or "phone",
                service_type=service_type or None,
                direction=direction or "inbound",
                handled=handled,
                talk_seconds=talk,
                hold_seconds=hold,
                acw_seconds=acw,
                leg=leg - first_leg[(version_id, call_id)] if call_id else 0,
                diverted_to=diverted_to or None,
            )
        )
        if outside:
            part.outside.add(at)


def _markup(amount: Decimal, percent: Decimal) -> Decimal:
    return amount + amount * percent / Decimal(100) if percent else amount


def first_month_fees(client: Client, start: datetime, end: datetime) -> bool:
    """Whether the client's first activated version starts within [start, end)."""
    first = (
        AgreementVersion.objects.filter(client=client, status__in=ACTIVATED)
        .order_by("effective_from", "number")
        .values_list("effective_from", flat=True)
        .first()
    )
    return first is not None and start <= first < end


def rating_inputs(
    client: Client, start: datetime, end: datetime, *, period_version: AgreementVersion
) -> list[VersionUsage]:
    """The period [start, end)'s records per agreement version, in version order; the version
    in force at the period's end (`period_version`) is always present, usage or not, since
    the month's fixed charges come from it."""
    versions = {period_version.pk: period_version}
    parts: dict[int, _Parts] = {}

    def part(version_id: int) -> _Parts:
        if version_id not in parts:
            parts[version_id] = _Parts([], [], [], [], [], set())
        return parts[version_id]

    part(period_version.pk)
    for kind in UsageKind.values:
        rows = _records(client, start, end, kind)
        if kind == UsageKind.CALL_LEG:
            # Call legs are rated in the database (`call_rating`): only their versions here.
            for version_id in _call_versions(client, start, end):
                part(version_id)
            continue
        for row in rows:
            target = part(row[1])
            if kind == UsageKind.TICKET:
                pk, _v, at, event, channel, service_type, outside = row
                target.tickets.append(
                    TicketEvent(
                        id=str(pk),
                        at=at,
                        event=event,
                        channel=channel or "email",
                        service_type=service_type or None,
                    )
                )
            elif kind == UsageKind.AGENT_HOURS:
                pk, _v, at, productive, logged, training, channel, service_type, outside = row
                target.hours.append(
                    AgentHours(
                        id=str(pk),
                        at=at,
                        productive_seconds=productive,
                        logged_seconds=logged,
                        training_seconds=training,
                        channel=channel or None,
                        service_type=service_type or None,
                    )
                )
            else:
                pk, _v, at, description, amount = row
                outside = False
                if kind == UsageKind.FEE:
                    target.fees.append(FeeOccurrence(id=str(pk), at=at, name=description))
                else:
                    target.pass_through.append(
                        PassThrough(
                            id=str(pk), at=at, amount=amount or Decimal(0), description=description
                        )
                    )
            if outside:
                target.outside.add(at)
    missing = [pk for pk in parts if pk not in versions]
    versions.update(AgreementVersion.objects.in_bulk(missing))
    first_version_fees = first_month_fees(client, start, end)
    result: list[VersionUsage] = []
    ordered = sorted(parts, key=lambda pk: (versions[pk].effective_from, versions[pk].number))
    for pk in ordered:
        version, found = versions[pk], parts[pk]
        pricing = version.terms.pricing
        fees = list(found.fees)
        if first_version_fees and pk == period_version.pk:
            billed = {fee.name for fee in fees}
            fees += [
                FeeOccurrence(id=f"first-month:{fee.name}", at=start, name=fee.name)
                for fee in pricing.one_time_fees
                if fee.name not in billed
            ]
        result.append(
            VersionUsage(
                version=version,
                usage=Usage(
                    calls=tuple(found.calls),
                    tickets=tuple(found.tickets),
                    hours=tuple(found.hours),
                    fees=tuple(fees),
                    pass_through=tuple(_pass_through(pricing, found.pass_through)),
                ),
                outside=frozenset(found.outside),
                legs=LegScope(client.id, pk, start, end),
            )
        )
    return result


def _pass_through(pricing: Pricing, charges: list[PassThrough]) -> list[PassThrough]:
    percent = pricing.pass_through_markup_percent
    if percent is None:
        return []
    return [
        PassThrough(id=c.id, at=c.at, amount=_markup(c.amount, percent), description=c.description)
        for c in charges
    ]
