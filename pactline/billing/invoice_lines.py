"""An invoice's lines from rated usage: each with its clause, exact and rounded amounts.

Rated lines (`pactline.core.rating`) become `LineSpec`s in the agreement's order: the item's
clause (`pricing.items[0]`), the quantity to six places, the exact amount (a decimal when it has
one, else a fraction) and the amount rounded half-up to the currency's minor unit. Around them:
the diversion prepayment drawn and its balance, service credits and credits earned back; and
the tax of a subtotal, added (exclusive) or extracted (inclusive), rounded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from pactline.agreements.models import AgreementVersion
from pactline.billing.call_rating import (
    Counted,
    LegScope,
    rate_calls,
    rate_diversion_fee,
    rate_minutes,
)
from pactline.billing.models import CreditMemo, DiversionEntry, DiversionEntryKind, LineKind
from pactline.billing.rating_input import VersionUsage
from pactline.core.agreement import PerCall, PerFte, PerHour, PerMinute, PerTicket, Pricing
from pactline.core.agreement.commercial import Tax
from pactline.core.rating import (
    InHours,
    Rated,
    RatedLine,
    Usage,
    rate_one_time,
    rate_pass_through,
    rate_per_fte,
    rate_per_hour,
    rate_per_ticket,
    round_line,
    surcharge_line,
    top_up_line,
)
from pactline.tenancy.models import Client

QUANTITY = Decimal("0.000001")
_WIDE = Context(prec=60)


@dataclass(frozen=True)
class LineSpec:
    """An invoice line before it is stored."""

    kind: str
    item: str
    model: str
    description: str
    clause: str
    quantity: Decimal
    unit: str
    rate: Decimal | None
    exact_amount: str
    amount: Decimal
    usage_count: int = 0

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "item": self.item,
            "model": self.model,
            "description": self.description,
            "clause": self.clause,
            "quantity": format(self.quantity, "f"),
            "unit": self.unit,
            "rate": None if self.rate is None else format(self.rate, "f"),
            "exact_amount": self.exact_amount,
            "amount": format(self.amount, "f"),
            "usage_count": self.usage_count,
        }


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_amount: Decimal
    total: Decimal


# --- Figures -----------------------------------------------------------------------------------


def exact_text(amount: Fraction) -> str:
    """The exact amount as a decimal when it has one, else as a fraction."""
    den = amount.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:
        return format(
            _WIDE.divide(Decimal(amount.numerator), Decimal(amount.denominator)).normalize(_WIDE),
            "f",
        )
    return f"{amount.numerator}/{amount.denominator}"


def quantity_of(value: Fraction) -> Decimal:
    """A quantity for the line's column (6 places, half-up); the amount is exact regardless."""
    return _WIDE.divide(Decimal(value.numerator), Decimal(value.denominator)).quantize(
        QUANTITY, rounding=ROUND_HALF_UP
    )


def tax_totals(subtotal: Decimal, tax: Tax | None, currency: str) -> Totals:
    """Exclusive tax is added to the subtotal; inclusive tax is extracted from it."""
    if tax is None:
        return Totals(subtotal, Decimal(0), subtotal)
    rate = Fraction(tax.rate_percent)
    if tax.inclusive:
        amount, _rule = round_line(Fraction(subtotal) * rate / (100 + rate), currency)
        return Totals(subtotal, amount, subtotal)
    amount, _rule = round_line(Fraction(subtotal) * rate / 100, currency)
    return Totals(subtotal, amount, subtotal + amount)


def _clause(pricing: Pricing, line: RatedLine) -> str:
    if line.model == "after_hours":
        return "pricing.after_hours_surcharge"
    if line.model == "minimum_top_up":
        return "pricing.monthly_minimum"
    if line.model == "pass_through":
        return "pricing.pass_through_markup_percent"
    if line.model == "diversion":
        for index, fee in enumerate(pricing.diversion_fees):
            if line.item == f"Diversion to {fee.destination}":
                return f"pricing.diversion_fees[{index}]"
    if line.model == "one_time":
        for index, one in enumerate(pricing.one_time_fees):
            if one.name == line.item:
                return f"pricing.one_time_fees[{index}]"
    base = line.item.removesuffix(" (training)")
    for index, item in enumerate(pricing.items):
        if item.name == base:
            return f"pricing.items[{index}]"
    return "pricing"


def line_spec(
    pricing: Pricing,
    line: RatedLine,
    currency: str,
    note: str,
    kind: str = LineKind.CHARGE,
    usage_count: int | None = None,
) -> LineSpec:
    """The stored form of a rated line; `usage_count` when the line holds no usage ids (call
    lines, see `call_rating`), else the number of its ids."""
    amount, _rule = round_line(line.amount, currency)
    description = "; ".join(part for part in (line.detail, note) if part)
    return LineSpec(
        kind=kind,
        item=line.item,
        model=line.model,
        description=description[:300],
        clause=_clause(pricing, line),
        quantity=quantity_of(line.quantity),
        unit=line.unit,
        rate=line.rate,
        exact_amount=exact_text(line.amount),
        amount=amount,
        usage_count=len(line.usage_ids) if usage_count is None else usage_count,
    )


def _counted(rated: Rated) -> Counted:
    return Counted(rated, len(rated.line.usage_ids), len(rated.after_ids))


def rate_version(
    pricing: Pricing, usage: Usage, in_hours: InHours, legs: LegScope
) -> list[tuple[RatedLine, int]]:
    """`rate_month` with the call items and diversion fees rated by `call_rating` over the
    version's legs: the same lines in the same order, each with its usage count."""
    surcharge = pricing.after_hours_surcharge
    judge = in_hours if surcharge is not None else None
    lines: list[tuple[RatedLine, int]] = []
    for item in pricing.items:
        counted: list[Counted]
        if isinstance(item, PerMinute):
            counted = [rate_minutes(legs, item, judge is not None)]
        elif isinstance(item, PerCall):
            counted = [rate_calls(legs, item, judge is not None)]
        elif isinstance(item, PerTicket):
            counted = [_counted(rate_per_ticket(item, usage.tickets, judge))]
        elif isinstance(item, PerHour):
            counted = [_counted(one) for one in rate_per_hour(item, usage.hours, judge)]
        else:
            counted = [_counted(rate_per_fte(item))]
        for one in counted:
            lines.append((one.rated.line, one.usage_count))
            if surcharge is None:
                continue
            # surcharge_line looks for after-hours ids; the count stands for them here.
            marker = ("",) if one.after_count else ()
            after = Rated(one.rated.line, one.rated.after_amount, marker)
            if (extra := surcharge_line(after, surcharge.percent)) is not None:
                lines.append((replace(extra, usage_ids=()), one.after_count))
    diverted = (rate_diversion_fee(legs, fee) for fee in pricing.diversion_fees)
    lines.extend(line for line in diverted if line is not None)
    rest = [*rate_one_time(pricing, usage), *rate_pass_through(usage)]
    lines.extend((line, len(line.usage_ids)) for line in rest)
    if (top_up := top_up_line(pricing, [line for line, _n in lines])) is not None:
        lines.append((top_up, 0))
    return lines


def rated_lines(
    parts: Sequence[VersionUsage], period_version: AgreementVersion
) -> list[tuple[Pricing, RatedLine, str, int]]:
    """Each version's usage under its own pricing; per-FTE items and the monthly minimum
    from the version in force at the period's end. (pricing, line, note, usage count) in
    order."""
    several = len(parts) > 1
    lines: list[tuple[Pricing, RatedLine, str, int]] = []
    for part in parts:
        pricing = part.version.terms.pricing
        own = part.version.pk == period_version.pk
        items = (
            pricing.items if own else tuple(i for i in pricing.items if not isinstance(i, PerFte))
        )
        used = pricing.model_copy(update={"items": items, "monthly_minimum": None})
        version_note = (
            _("agreement version %(number)s") % {"number": part.version.number} if several else ""
        )
        for line, count in rate_version(used, part.usage, part.in_hours, part.legs):
            note = version_note
            if line.model == "per_fte":
                note = _("from agreement version %(number)s, in force at the period's end") % {
                    "number": period_version.number
                }
            lines.append((pricing, line, note, count))
    final = period_version.terms.pricing
    top_up = top_up_line(final, [line for _p, line, _n, _c in lines])
    if top_up is not None:
        note = _("from agreement version %(number)s, in force at the period's end") % {
            "number": period_version.number
        }
        lines.append((final, top_up, note, 0))
    return lines


def money(amount: Decimal, currency: str) -> Decimal:
    return round_line(amount, currency)[0]


def diversion_lines(
    client: Client, start: datetime, end: datetime, rated: Decimal, currency: str
) -> list[LineSpec]:
    """The month's draws on the diversion prepayment (they pay the diversion charges, up to
    the rated amount) and the balance at the period's end (an information line of 0)."""
    entries = DiversionEntry.objects.filter(client=client, at__lt=end)
    if not entries.exists():
        return []
    month = entries.filter(at__gte=start)
    drawn = -(month.filter(kind=DiversionEntryKind.DRAW).aggregate(s=Sum("amount"))["s"] or 0)
    topped = month.filter(kind=DiversionEntryKind.TOP_UP).aggregate(s=Sum("amount"))["s"] or 0
    balance = entries.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    specs = []
    applied = min(Decimal(drawn), rated)
    if applied > 0:
        specs.append(
            LineSpec(
                kind=LineKind.ADJUSTMENT,
                item="Diversion charges paid from the prepayment",
                model="diversion_draw",
                description=_("drawn from the diversion prepayment this month: %(drawn)s")
                % {"drawn": money(Decimal(drawn), currency)},
                clause="pricing.diversion_prepayment",
                quantity=Decimal(month.filter(kind=DiversionEntryKind.DRAW).count()),
                unit="charge",
                rate=None,
                exact_amount=format(-applied, "f"),
                amount=-money(applied, currency),
            )
        )
    specs.append(
        LineSpec(
            kind=LineKind.ADJUSTMENT,
            item="Diversion prepayment balance",
            model="diversion_balance",
            description=_("top-ups this month %(topped)s, drawn %(drawn)s, balance %(balance)s")
            % {
                "topped": money(Decimal(topped), currency),
                "drawn": money(Decimal(drawn), currency),
                "balance": money(Decimal(balance), currency),
            },
            clause="pricing.diversion_prepayment",
            quantity=money(Decimal(balance), currency),
            unit="amount",
            rate=None,
            exact_amount="0",
            amount=Decimal(0),
        )
    )
    return specs


def credit_spec(total: Decimal, currency: str, sign: int) -> LineSpec:
    amount = money(total, currency)
    return LineSpec(
        kind=LineKind.CREDIT,
        item="Service credits",
        model="service_credit",
        description=_("service credits for missed service levels (see the credit memo)"),
        clause="service_credits",
        quantity=Decimal(1),
        unit="amount",
        rate=None,
        exact_amount=format(sign * total, "f"),
        amount=sign * amount,
    )


def earned_back_specs(memo: CreditMemo | None, currency: str) -> list[LineSpec]:
    if memo is None:
        return []
    return [
        LineSpec(
            kind=LineKind.ADJUSTMENT,
            item=f"Service credit of {found['month']} earned back",
            model="earn_back",
            description=_("every service level met in the months after it"),
            clause="service_credits.earn_back",
            quantity=Decimal(1),
            unit="amount",
            rate=None,
            exact_amount=found["amount"],
            amount=money(Decimal(found["amount"]), currency),
        )
        for found in memo.content.get("earned_back", [])
    ]
