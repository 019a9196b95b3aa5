"""Demo billing: last month closed for every client, as a billing user would close it.

The per-minute client prepaid its diversion fee before the month began, so the forwarded
calls draw it down; usage is derived by the billing consumer; of the clients whose statement
shows a missed credit-bearing level, the last has approved its miss as client-caused, so the
month shows credits earned and one excluded. Each month is
closed from its issued statement, the drafts (invoice and, where the agreement says, a
credit note) are issued, and one client has paid in full and one in part."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.billing.close import month_close
from pactline.billing.consumer import usage_consume_all
from pactline.billing.credits import credit_exclusion_record, statement_for_month
from pactline.billing.diversion import diversion_top_up
from pactline.billing.models import DocumentStatus, Invoice, Payment
from pactline.billing.presentation import money_text
from pactline.billing.services import invoice_issue, invoice_outstanding, payment_record
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

EXCLUSION_REASON = "The client's CRM was down on the busiest day; the client accepted the miss."


def _last_month(client: Client, now: datetime) -> date:
    today = now.astimezone(client_zone(client)).date()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _prepay(actor: Actor, client: Client, first: date) -> list[str]:
    version = agreement_version_in_force(
        client, datetime.combine(first, time(), client_zone(client))
    )
    pricing = version.terms.pricing if version is not None else None
    prepayment = pricing.diversion_prepayment if pricing is not None else None
    if pricing is None or prepayment is None:
        return []
    at = datetime.combine(first, time(), client_zone(client)) - timedelta(days=1)
    entry = diversion_top_up(
        actor=actor,
        client=client,
        amount=prepayment.amount,
        reference=f"PREPAY-{first:%Y-%m}",
        now=at,
    )
    return [
        _("%(client)s: diversion prepayment %(amount)s received")
        % {
            "client": client.name,
            "amount": money_text(entry.amount, str(pricing.currency), grouped=False),
        }
    ]


def _missed_credit_levels(client: Client, first: date) -> list[str]:
    statement = statement_for_month(client, first)
    version = agreement_version_in_force(
        client, datetime.combine(first, time(), client_zone(client))
    )
    credits = version.terms.service_credits if version else None
    if statement is None or credits is None:
        return []
    allocated = {allocation.service_level for allocation in credits.allocations}
    return [
        f"{result['channel']}.{result['name']}"
        for segment in statement.content["segments"]
        for result in segment["results"]
        if result["verdict"] == "missed" and f"{result['channel']}.{result['name']}" in allocated
    ]


def _exclude(
    actor: Actor, clients: list[Client], firsts: dict[int, date], now: datetime
) -> list[str]:
    """Of the clients with a credit-bearing miss, the last approves its first miss as
    client-caused, so the month shows credits earned (the others) and one excluded."""
    missing = [
        (client, misses)
        for client in clients
        if (misses := _missed_credit_levels(client, firsts[client.pk]))
    ]
    if len(missing) < 2:
        return []
    client, misses = missing[-1]
    version = agreement_version_in_force(
        client, datetime.combine(firsts[client.pk], time(), client_zone(client))
    )
    contacts = version.terms.parties.client.contacts if version is not None else ()
    credit_exclusion_record(
        actor=actor,
        client=client,
        month=firsts[client.pk],
        reference=misses[0],
        kind="client_caused",
        reason=EXCLUSION_REASON,
        approved_by=contacts[0].name if contacts else client.name,
        now=now,
    )
    return [
        _("%(client)s: the miss of %(level)s is excluded from credits (client-caused)")
        % {"client": client.name, "level": misses[0]}
    ]


def demo_billing_load(*, actor: Actor, clients: list[Client], now: datetime) -> list[str]:
    firsts = {client.pk: _last_month(client, now) for client in clients}
    lines: list[str] = []
    for client in clients:
        lines += _prepay(actor, client, firsts[client.pk])
    read = usage_consume_all(client_ids=[client.pk for client in clients])
    lines.append(_("billing: %(count)d contact(s) turned into usage") % {"count": read})
    lines += _exclude(actor, clients, firsts, now)
    issued: list[Invoice] = []
    for client in clients:
        if statement_for_month(client, firsts[client.pk]) is None:
            continue
        outcome = month_close(actor=actor, client=client, period_start=firsts[client.pk], now=now)
        for document in (outcome.invoice, outcome.credit_note):
            if document is not None and document.status == DocumentStatus.DRAFT:
                document = invoice_issue(actor=actor, invoice=document, now=now)
            if document is not None:
                issued.append(document)
                lines.append(
                    _("%(client)s: %(number)s issued, %(currency)s %(total)s")
                    % {
                        "client": client.name,
                        "number": document.number,
                        "currency": document.currency,
                        "total": money_text(document.total, document.currency, grouped=False),
                    }
                )
    invoices = [doc for doc in issued if doc.kind == "invoice" and doc.total > 0]
    # One client paid in full, one in part: the statement of account shows both.
    for invoice, share in zip(invoices[:2], (Decimal(1), Decimal("0.5")), strict=False):
        reference = f"DEMO-{invoice.number}"
        if Payment.objects.filter(client_id=invoice.client_id, reference=reference).exists():
            continue  # paid by an earlier run
        amount = (invoice_outstanding(invoice) * share).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        payment_record(
            actor=actor,
            invoice=invoice,
            amount=amount,
            received_on=now.date(),
            reference=reference,
            now=now,
        )
        lines.append(
            _("%(number)s: payment of %(amount)s recorded")
            % {
                "number": invoice.number,
                "amount": money_text(amount, invoice.currency, grouped=False),
            }
        )
    return lines
