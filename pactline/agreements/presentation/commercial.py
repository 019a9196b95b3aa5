"""Shaping of the price list and the service-credit scheme."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from pactline.agreements.presentation.labels import (
    BILLABLE,
    CHANNELS,
    COUNTS,
    CREDIT_SCHEMES,
    DESTINATIONS,
    PRICE_MODELS,
    SERVICE_TYPES,
    label,
    labels_of,
    money,
    percent,
    plain,
    rounding,
)
from pactline.core.agreement import AgreementDocument, PriceTier, Pricing, ServiceCredits
from pactline.core.agreement.commercial import (
    DiversionPrepayment,
    LatePayment,
    PerCall,
    PerFte,
    PerHour,
    PerMinute,
    PerTicket,
    Tax,
)

_ROUNDING_SCOPES = {
    "call": gettext_lazy("Rounded per call"),
    "leg": gettext_lazy("Rounded per call leg"),
    "monthly_total": gettext_lazy("Rounded on the month's total"),
}
_WHEN_EXHAUSTED = {
    "refuse": gettext_lazy("once it is used up, calls are no longer forwarded"),
    "flag": gettext_lazy("once it is used up, calls are still forwarded and flagged"),
}
_APPLIED_AS = {
    "invoice_line": gettext_lazy("As a line on the month's invoice"),
    "credit_note": gettext_lazy("As a separate credit note"),
}
_TIER_MODES = {
    "graduated": gettext_lazy("graduated: each band at its own rate"),
    "all_units": gettext_lazy("all units at the rate of the band the month reaches"),
}


@dataclass(frozen=True)
class PriceItemView:
    name: str
    model: str
    description: str
    unit: str
    rate: str
    tiers: list[tuple[str, str]]
    tier_mode: str
    rounding: str
    notes: list[str]
    applies_to: list[str]


@dataclass(frozen=True)
class PricingView:
    currency: str
    items: list[PriceItemView]
    diversion_fees: list[tuple[str, str, str]]  # destination, rate, rounding
    surcharge: str
    monthly_minimum: str
    one_time_fees: list[tuple[str, str, str]]  # name, amount, description
    payment_terms: str
    tax: str
    late_payment: str
    diversion_prepayment: str
    pass_through: str


def _tier_rows(tiers: Iterable[PriceTier], currency: str) -> list[tuple[str, str]]:
    rows, low = [], 1
    for tier in tiers:
        if tier.up_to is None:
            span = gettext("from %(low)s") % {"low": f"{low:,}"}
        else:
            span = f"{low:,}–{tier.up_to:,}"
            low = tier.up_to + 1
        rows.append((span, money(tier.rate, currency)))
    return rows


def price_item_view(
    item: PerMinute | PerCall | PerHour | PerFte | PerTicket, currency: str
) -> PriceItemView:
    rate, tiers, mode, rule, notes = "", [], "", "", []
    if isinstance(item, PerHour):
        hour = (
            gettext("productive hour")
            if item.hour_kind == "productive"
            else gettext("logged-in hour")
        )
        unit = gettext("per %(what)s") % {"what": hour}
        rate = money(item.rate, currency)
        if item.training_rate is not None:
            training = money(item.training_rate, currency)
            notes.append(gettext("Training hours at %(rate)s") % {"rate": training})
    elif isinstance(item, PerFte):
        unit = gettext("per agent per month, %(n)s agents") % {"n": plain(item.ftes)}
        rate = money(item.monthly_rate, currency)
    else:
        if isinstance(item, PerMinute):
            parts = ", ".join(labels_of(BILLABLE, item.billable))
            unit = gettext("per minute of %(parts)s") % {"parts": parts}
            rule = rounding(item.minimum_seconds, item.increment_seconds)
            notes.append(label(_ROUNDING_SCOPES, item.rounding_scope))
        else:
            unit = gettext("per %(what)s") % {"what": label(COUNTS, item.counts)}
        rate = money(item.rate, currency) if item.rate is not None else ""
        tiers = _tier_rows(item.tiers or (), currency)
        mode = label(_TIER_MODES, item.tier_mode) if item.tier_mode else ""
    return PriceItemView(
        name=item.name,
        model=label(PRICE_MODELS, item.model),
        description=item.description or "",
        unit=unit,
        rate=rate,
        tiers=tiers,
        tier_mode=mode,
        rounding=rule,
        notes=notes,
        applies_to=labels_of(CHANNELS, item.channels)
        + labels_of(SERVICE_TYPES, item.service_types),
    )


def _tax(tax: Tax | None) -> str:
    if tax is None:
        return ""
    if tax.inclusive:
        text = gettext("%(name)s at %(p)s, included in the prices")
    else:
        text = gettext("%(name)s at %(p)s, added to the prices")
    return text % {"name": tax.name, "p": percent(tax.rate_percent)}


def _payment_terms(pricing: Pricing) -> str:
    if pricing.due_on_request:
        return gettext("Invoices are issued when the client asks and are due at once")
    return gettext("%(n)s days after the invoice date") % {"n": pricing.payment_terms_days}


def _late_payment(late: LatePayment | None, currency: str) -> str:
    if late is None:
        return ""
    interest, fee = late.interest_percent_per_year, late.fixed_fee
    if interest is not None and fee is not None:
        charges = gettext("interest at %(p)s a year and a fee of %(amount)s") % {
            "p": percent(interest),
            "amount": money(fee, currency),
        }
    elif interest is not None:
        charges = gettext("interest at %(p)s a year") % {"p": percent(interest)}
    else:
        charges = gettext("a fee of %(amount)s") % {"amount": money(fee or Decimal(0), currency)}
    if late.grace_days:
        return gettext("%(charges)s on invoices paid more than %(n)s days late") % {
            "charges": charges,
            "n": late.grace_days,
        }
    return gettext("%(charges)s on invoices paid late") % {"charges": charges}


def _diversion_prepayment(prepayment: DiversionPrepayment | None, currency: str) -> str:
    if prepayment is None:
        return ""
    return gettext(
        "%(amount)s paid before calls are forwarded, drawn down by the fees; %(then)s"
    ) % {
        "amount": money(prepayment.amount, currency),
        "then": label(_WHEN_EXHAUSTED, prepayment.when_exhausted),
    }


def _pass_through(markup: Decimal | None) -> str:
    if markup is None:
        return gettext("Not billed")
    if not markup:
        return gettext("Billed at cost")
    return gettext("Billed at cost plus %(p)s") % {"p": percent(markup)}


def pricing_view(pricing: Pricing) -> PricingView:
    currency = pricing.currency
    surcharge = ""
    if pricing.after_hours_surcharge is not None:
        surcharge = gettext("%(p)s added to usage outside the hours of calendar %(c)s") % {
            "p": percent(pricing.after_hours_surcharge.percent),
            "c": pricing.after_hours_surcharge.calendar,
        }
    return PricingView(
        currency=currency,
        items=[price_item_view(item, currency) for item in pricing.items],
        diversion_fees=[
            (
                label(DESTINATIONS, fee.destination),
                gettext("%(rate)s per minute") % {"rate": money(fee.rate, currency)},
                rounding(fee.minimum_seconds, fee.increment_seconds),
            )
            for fee in pricing.diversion_fees
        ],
        surcharge=surcharge,
        monthly_minimum=money(pricing.monthly_minimum, currency)
        if pricing.monthly_minimum is not None
        else "",
        one_time_fees=[
            (fee.name, money(fee.amount, currency), fee.description or "")
            for fee in pricing.one_time_fees
        ],
        payment_terms=_payment_terms(pricing),
        tax=_tax(pricing.tax),
        late_payment=_late_payment(pricing.late_payment, currency),
        diversion_prepayment=_diversion_prepayment(pricing.diversion_prepayment, currency),
        pass_through=_pass_through(pricing.pass_through_markup_percent),
    )


@dataclass(frozen=True)
class CreditsView:
    at_risk: str
    pool: str
    scheme: str
    allocations: list[tuple[str, str, str]]  # reference, its words, share
    bands: list[tuple[str, str]]  # shortfall span, credit
    per_miss: str
    cap: str
    earn_back: str
    chronic_failure: str
    forecast_tolerance: str
    exclusions: list[str]
    applied_as: str


def _bands(credits: ServiceCredits) -> list[tuple[str, str]]:
    rows, low = [], "0"
    for band in credits.bands or ():
        if band.shortfall_up_to_points is None:
            span = gettext("more than %(low)s points") % {"low": low}
        else:
            high = plain(band.shortfall_up_to_points)
            span = gettext("%(low)s to %(high)s points") % {"low": low, "high": high}
            low = high
        rows.append((span, percent(band.credit_percent)))
    return rows


def credits_view(doc: AgreementDocument) -> CreditsView | None:
    credits = doc.service_credits
    if credits is None:
        return None
    allocations = []
    for allocation in credits.allocations:
        metric = doc.service_level(allocation.service_level)
        words = label(CHANNELS, allocation.channel)
        if metric is not None and metric.description:
            words = f"{words} · {metric.description}"
        allocations.append(
            (allocation.service_level, words, percent(allocation.allocation_percent))
        )
    earn_back = gettext("none")
    if credits.earn_back.enabled:
        earn_back = gettext(
            "A credit is waived when every level is met for the next %(n)s months in a row"
        ) % {"n": credits.earn_back.consecutive_months_met}
    chronic = ""
    if credits.chronic_failure is not None:
        chronic = gettext(
            "%(misses)s misses of a level within %(window)s months give the client a right to terminate"
        ) % {
            "misses": credits.chronic_failure.misses,
            "window": credits.chronic_failure.window_months,
        }
    tolerance = ""
    if credits.forecast_tolerance_percent is not None:
        tolerance = gettext(
            "Levels are excused in a month whose volume is more than %(p)s above forecast"
        ) % {"p": percent(credits.forecast_tolerance_percent)}
    per_miss = ""
    if credits.per_miss_amount is not None:
        per_miss = money(credits.per_miss_amount, doc.pricing.currency)
    return CreditsView(
        at_risk=percent(credits.at_risk_percent),
        pool=percent(credits.pool_percent),
        scheme=label(CREDIT_SCHEMES, credits.scheme),
        allocations=allocations,
        bands=_bands(credits),
        per_miss=per_miss,
        cap=percent(credits.effective_cap_percent),
        earn_back=earn_back,
        chronic_failure=chronic,
        forecast_tolerance=tolerance,
        exclusions=list(credits.exclusions),
        applied_as=label(_APPLIED_AS, credits.applied_as),
    )
