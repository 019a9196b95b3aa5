"""Pass-through charges: a carrier's (or other third party's) charges billed on at cost, plus
the agreement's `pricing.pass_through_markup_percent` (month close adds it; an agreement
without a markup bills none of them).

Each charge is one `pass_through` usage record under the version in force at its instant,
keyed by the carrier's reference (`source_id` a stable id of it, as `usage.agent_key` is of an
agent): recording the same reference again returns the record already written, and the same
reference with another amount, date or description is refused. A carrier's CSV (`date`,
`amount`, `description`, `reference`) is read whole first: one bad line writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.audit.services import audit_record
from pactline.billing.models import MONEY, UsageKind, UsageRecord, UsageSource
from pactline.billing.usage import agent_key
from pactline.common.csv_input import csv_rows, empty_columns
from pactline.common.errors import FieldError, ValidationFailed
from pactline.metrics.intervals import local_midnight
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

PART = "charge"
COLUMNS = ("date", "amount", "description", "reference")
_PLACES = MONEY["decimal_places"]
_QUANTUM = Decimal(1).scaleb(-_PLACES)
_DESCRIPTION = 200
_REFERENCE = 100


def reference_key(reference: str) -> int:
    """The stable positive 63-bit source id of a charge's reference."""
    return agent_key(f"pass-through:{reference}")


def _amount(value: object) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed([FieldError("amount", _("give the amount as a number"))]) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed([FieldError("amount", _("a charge must be more than zero"))])
    if amount != amount.quantize(_QUANTUM) or amount.adjusted() >= MONEY["max_digits"] - _PLACES:
        raise ValidationFailed(
            [FieldError("amount", _("the amount has too many digits (at most 6 decimal places)"))]
        )
    return amount


def _text(value: str, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed([FieldError(field, missing)])
    if len(text) > limit:
        raise ValidationFailed([FieldError(field, _("this text is too long"))])
    return text


@transaction.atomic
def pass_through_record(
    *,
    actor: Actor,
    client: Client,
    at: datetime,
    amount: Decimal,
    description: str,
    reference: str,
    now: datetime,
) -> UsageRecord:
    """Record one pass-through charge at `at`; the same reference again returns its record."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    value = _amount(amount)
    description = _text(description, "description", _DESCRIPTION, _("say what the charge is for"))
    reference = _text(reference, "reference", _REFERENCE, _("give the charge's reference"))
    if at.tzinfo is None:
        raise ValidationFailed([FieldError("at", _("give the time with a time zone"))])
    key = reference_key(reference)
    existing = UsageRecord.objects.filter(
        client=client, source=UsageSource.PASS_THROUGH, source_id=key, part=PART
    ).first()
    if existing is not None:
        if (existing.amount, existing.description, existing.at) != (value, description, at):
            raise ValidationFailed(
                [FieldError("reference", _("this reference was recorded with another charge"))]
            )
        return existing
    version = agreement_version_in_force(client, at)
    if version is None:
        raise ValidationFailed([FieldError("at", _("no agreement is in force at that time"))])
    record = UsageRecord.objects.create(
        client=client,
        source=UsageSource.PASS_THROUGH,
        source_id=key,
        part=PART,
        kind=UsageKind.PASS_THROUGH,
        agreement_version=version,
        at=at,
        call_id=reference,
        amount=value,
        description=description,
    )
    audit_record(
        actor=actor,
        action="billing.pass_through_recorded",
        client_id=client.id,
        obj=record,
        payload={"amount": str(value), "reference": reference, "at": at.isoformat()},
        at=now,
    )
    return record


@dataclass(frozen=True)
class Charge:
    at: datetime
    amount: Decimal
    description: str
    reference: str
    line: int


def _line_errors(row: dict[str, str], number: int, seen: set[str]) -> list[FieldError]:
    errors = empty_columns(row, COLUMNS, number)
    if errors:
        return errors
    try:
        date.fromisoformat(row["date"].strip())
    except ValueError:
        errors.append(FieldError("date", _("give the day as YYYY-MM-DD"), line=number))
    try:
        _amount(row["amount"])
    except ValidationFailed as failed:
        errors += [FieldError("amount", error.message, line=number) for error in failed.errors]
    for name, limit in (("description", _DESCRIPTION), ("reference", _REFERENCE)):
        if len(row[name].strip()) > limit:
            errors.append(FieldError(name, _("this text is too long"), line=number))
    reference = row["reference"].strip()
    if reference in seen:
        errors.append(FieldError("reference", _("the reference appears twice"), line=number))
    seen.add(reference)
    return errors


def charges_read(client: Client, text: str) -> tuple[list[Charge], list[FieldError]]:
    """A carrier's CSV as charges (a day is the client's local midnight), and every problem
    of its bad lines, each naming its column and line (the header is line 1)."""
    rows, missing = csv_rows(text, COLUMNS)
    if missing:
        return [], missing
    zone = client_zone(client)
    charges: list[Charge] = []
    bad: list[FieldError] = []
    seen: set[str] = set()
    for number, row in rows:
        errors = _line_errors(row, number, seen)
        if errors:
            bad += errors
            continue
        charges.append(
            Charge(
                at=local_midnight(date.fromisoformat(row["date"].strip()), zone),
                amount=_amount(row["amount"]),
                description=row["description"].strip(),
                reference=row["reference"].strip(),
                line=number,
            )
        )
    return charges, bad


@transaction.atomic
def charges_import(*, actor: Actor, client: Client, text: str, now: datetime) -> list[UsageRecord]:
    """Record every charge of the CSV, or none when any line is bad (every problem is told)."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    charges, bad = charges_read(client, text)
    if bad:
        raise ValidationFailed(bad)
    recorded = []
    for charge in charges:
        try:
            recorded.append(
                pass_through_record(
                    actor=actor,
                    client=client,
                    at=charge.at,
                    amount=charge.amount,
                    description=charge.description,
                    reference=charge.reference,
                    now=now,
                )
            )
        except ValidationFailed as failed:
            # Refused on what is already recorded (a reference with another charge, no
            # agreement in force): the transaction rolls back every line before it.
            raise ValidationFailed(
                [
                    FieldError(
                        "date" if error.path == "at" else error.path,
                        error.message,
                        line=charge.line,
                    )
                    for error in failed.errors
                ]
            ) from None
    return recorded
