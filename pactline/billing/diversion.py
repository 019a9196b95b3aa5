"""The prepaid diversion balance (`pricing.diversion_prepayment`): prepayments in, the diverted
legs' charges drawn out (`DiversionEntry`); the balance is the ledger's sum.

A draw is written when a diverted call's usage is derived: the leg's talk seconds rounded by
the matching `pricing.diversion_fees` entry's minimum and increment, at its per-minute rate.
It is keyed by the usage ("call:<id>:<part>"), so deriving the call again rewrites the same
draw, and a call no longer diverted loses it. A draw taken when the balance (the ledger up to
the draw's time, without the draw) was already used up says so in its note, for the invoice.
Whether forwarding may go on is `diversion_permitted`: `when_exhausted: refuse` refuses it
once the balance is at or below zero, `flag` lets it go on, flagged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.audit.services import audit_record
from pactline.billing.models import MONEY, DiversionEntry, DiversionEntryKind, UsageRecord
from pactline.common.errors import FieldError, ValidationFailed
from pactline.core.agreement.commercial import DiversionFee
from pactline.core.rating import billable_seconds, fraction_to_decimal
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

OVER_BALANCE = "over balance"
RECORDED_BY = "billing usage"
_PLACES = MONEY["decimal_places"]
_QUANTUM = Decimal(1).scaleb(-_PLACES)


def diversion_balance(client: Client, *, at: datetime | None = None) -> Decimal:
    """The prepaid diversion balance: every entry (up to `at`, when given) summed."""
    entries = DiversionEntry.objects.filter(client=client)
    if at is not None:
        entries = entries.filter(at__lte=at)
    return entries.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def prepays_diversions(client: Client, at: datetime) -> bool:
    """Whether the agreement in force at `at` has forwarding paid in advance."""
    version = agreement_version_in_force(client, at)
    return version is not None and version.terms.pricing.diversion_prepayment is not None


def diversion_permitted(client: Client, *, now: datetime) -> tuple[bool, bool, Decimal]:
    """(allowed, flagged, balance) for forwarding a call now, under the agreement in force.
    Without a prepayment term forwarding is not limited by a balance."""
    balance = diversion_balance(client, at=now)
    version = agreement_version_in_force(client, now)
    prepayment = version.terms.pricing.diversion_prepayment if version is not None else None
    if prepayment is None or balance > 0:
        return (True, False, balance)
    if prepayment.when_exhausted == "refuse":
        return (False, False, balance)
    return (True, True, balance)


def _amount(value: object) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed([FieldError("amount", _("give the amount as a number"))]) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed([FieldError("amount", _("a top-up must be more than zero"))])
    if amount != amount.quantize(_QUANTUM) or amount.adjusted() >= MONEY["max_digits"] - _PLACES:
        raise ValidationFailed(
            [FieldError("amount", _("the amount has too many digits (at most 6 decimal places)"))]
        )
    return amount


@transaction.atomic
def diversion_top_up(
    *, actor: Actor, client: Client, amount: Decimal, reference: str, now: datetime
) -> DiversionEntry:
    """Record a prepayment; the same reference again returns the entry already recorded."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    value = _amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed([FieldError("reference", _("give the payment's reference"))])
    if len(reference) > DiversionEntry._meta.get_field("source_key").max_length:  # type: ignore[operator]
        raise ValidationFailed([FieldError("reference", _("the reference is too long"))])
    existing = DiversionEntry.objects.filter(
        client=client, kind=DiversionEntryKind.TOP_UP, source_key=reference
    ).first()
    if existing is not None:
        if existing.amount != value:
            raise ValidationFailed(
                [FieldError("reference", _("this reference was recorded with another amount"))]
            )
        return existing
    entry = DiversionEntry.objects.create(
        client=client,
        kind=DiversionEntryKind.TOP_UP,
        at=now,
        amount=value,
        source_key=reference,
        recorded_by=actor.audit_label,
    )
    audit_record(
        actor=actor,
        action="billing.diversion_topped_up",
        client_id=client.id,
        obj=entry,
        payload={"amount": str(value), "reference": reference},
        at=now,
    )
    return entry


def draw_key(record: UsageRecord) -> str:
    return f"call:{record.source_id}:{record.part}"


def diversion_charge(fee: DiversionFee, talk_seconds: int) -> Decimal:
    """The fee for one diverted leg: its talk seconds rounded by the fee's rule, per minute.
    Exact whenever the rate's minutes divide out; otherwise (a rate in thirds of a cent a
    second, say) rounded half-even to the ledger's 6 places, which is all it can store."""
    seconds = billable_seconds(talk_seconds, fee.minimum_seconds, fee.increment_seconds)
    exact = Fraction(seconds, 60) * Fraction(fee.rate)
    try:
        return fraction_to_decimal(exact)
    except ValueError:
        return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(_QUANTUM)


def _fee(record: UsageRecord) -> DiversionFee | None:
    pricing = record.agreement_version.terms.pricing
    if pricing.diversion_prepayment is None:
        return None  # no prepaid balance to draw from: the fee is simply invoiced
    return next((f for f in pricing.diversion_fees if f.destination == record.diverted_to), None)


def draws_replace(client_id: int, call_ids: Iterable[int], records: Sequence[UsageRecord]) -> int:
    """Write the draws of these calls' freshly derived usage `records`, replacing what the
    calls drew before; returns the draws written."""
    keys = {f"call:{call_id}:leg" for call_id in call_ids}
    wanted: dict[str, tuple[UsageRecord, Decimal]] = {}
    for record in sorted(records, key=lambda r: (r.at, r.source_id)):
        fee = _fee(record) if record.diverted_to else None
        if fee is not None:
            wanted[draw_key(record)] = (record, -diversion_charge(fee, record.talk_seconds))
    DiversionEntry.objects.filter(
        client_id=client_id, kind=DiversionEntryKind.DRAW, source_key__in=keys - set(wanted)
    ).delete()
    client = Client(pk=client_id)
    for key, (record, amount) in wanted.items():
        before = diversion_balance(client, at=record.at) - _own(client_id, key, record.at)
        DiversionEntry.objects.update_or_create(
            client_id=client_id,
            kind=DiversionEntryKind.DRAW,
            source_key=key,
            defaults={
                "at": record.at,
                "amount": amount,
                "usage": record,
                "note": OVER_BALANCE if before <= 0 else "",
                "recorded_by": RECORDED_BY,
            },
        )
    return len(wanted)


def _own(client_id: int, key: str, at: datetime) -> Decimal:
    """The draw `key` as it stands, when it counts in the balance at `at`."""
    own = DiversionEntry.objects.filter(
        client_id=client_id, kind=DiversionEntryKind.DRAW, source_key=key, at__lte=at
    ).first()
    return own.amount if own is not None else Decimal(0)
