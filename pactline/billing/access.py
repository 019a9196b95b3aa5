"""Fetch-and-authorize for billing: invoices and notes, their lines, a client's billing.

- Reading takes `BILLING_VIEW` (the provider's admins and billing users, the client's managers
  and viewers, read-only API tokens of any of them); acting (close a month, issue, record a
  payment, a top-up, an exclusion or a forecast) takes `BILLING_MANAGE`, which no read-only
  token carries.
- A draft is the provider's working copy: only a role that may manage billing for the client
  sees it (whatever the token's scope). For anyone else a draft is missing: the same
  `NotFound` as for an invoice that does not exist or belongs to another client.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pactline.billing.models import DocumentStatus, Invoice, InvoiceLine
from pactline.common.errors import NotFound
from pactline.tenancy.access import (
    Actor,
    Permission,
    access_client,
    can_see_client,
    clients_with,
    has_permission,
    holds_role_permission,
    require,
)
from pactline.tenancy.models import Client


def sees_drafts(actor: Actor, client_id: int) -> bool:
    """Whether the actor's role for the client is the provider's billing role (drafts)."""
    return actor.is_system or holds_role_permission(actor, Permission.BILLING_MANAGE, client_id)


def can_view_billing(actor: Actor) -> bool:
    """For navigation: whether some client's billing is the actor's to read (no query)."""
    if actor.is_system:
        return True
    return any(
        has_permission(actor, Permission.BILLING_VIEW, client_id) for client_id in actor.grants
    )


def can_manage_billing(actor: Actor) -> bool:
    """For navigation and the workspace: whether the actor closes months for some client
    (a person: the workspace is a page, and a token has no pages)."""
    if actor.is_system:
        return True
    return actor.token is None and any(
        has_permission(actor, Permission.BILLING_MANAGE, client_id) for client_id in actor.grants
    )


def access_billing(actor: Actor, code: str, *, for_write: bool = False) -> Client:
    """The client, if the actor may read (or, `for_write`, manage) its billing."""
    permission = Permission.BILLING_MANAGE if for_write else Permission.BILLING_VIEW
    return access_client(actor, code, permission=permission)


def access_invoice(actor: Actor, invoice_id: int, *, for_write: bool = False) -> Invoice:
    """An invoice or note the actor may read (`for_write`: issue, record payments on)."""
    invoice = (
        Invoice.objects.select_related("client", "agreement_version").filter(id=invoice_id).first()
    )
    if invoice is None or not can_see_client(actor, invoice.client_id):
        raise NotFound
    if invoice.status == DocumentStatus.DRAFT and not sees_drafts(actor, invoice.client_id):
        raise NotFound
    permission = Permission.BILLING_MANAGE if for_write else Permission.BILLING_VIEW
    require(actor, permission, invoice.client_id)
    return invoice


def access_invoice_line(actor: Actor, line_id: int) -> InvoiceLine:
    """A line of an invoice the actor may read."""
    line = InvoiceLine.objects.filter(id=line_id).only("id", "invoice_id").first()
    if line is None:
        raise NotFound
    invoice = access_invoice(actor, line.invoice_id)
    found = InvoiceLine.objects.get(id=line.id)
    found.invoice = invoice
    return found


def billing_clients(actor: Actor) -> list[int]:
    """Ids of the clients whose billing the actor reads."""
    return clients_with(actor, Permission.BILLING_VIEW)


def managed_clients(actor: Actor) -> list[int]:
    """Ids of the clients whose billing the actor manages (a read-only token: none)."""
    return clients_with(actor, Permission.BILLING_MANAGE)


def readable_invoices(actor: Actor) -> QuerySet[Invoice]:
    """Every invoice and note the actor may read: issued ones of the clients whose billing
    the actor reads, drafts only of those whose billing the actor's role manages."""
    readable = billing_clients(actor)
    drafting = [client_id for client_id in readable if sees_drafts(actor, client_id)]
    return Invoice.objects.filter(client_id__in=readable).filter(
        Q(status=DocumentStatus.ISSUED) | Q(client_id__in=drafting)
    )
