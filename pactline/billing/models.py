"""Billing: usage rated by the agreement, invoices and notes, payments, service credits.

Usage records are derived from the contacts by cursor (`usage.py`): one record per billable
piece of a source row (a call's queue visit, a case's creation or resolution, an agent's
day of hours), carrying the agreement version in force and the price item that rates it.
A changed source replaces its records. Month close (`close.py`) rates a period's records
with `pactline.core.rating`, computes the month's service credits from the issued compliance
statement with `pactline.core.credits`, and writes a draft invoice; issuing it numbers it
(gap-free per provider, series and year) and freezes it. Corrections are credit and debit
notes, never edits."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pactline.common.fields import OrderedJSONField
from pactline.common.models import ClientOwned, StreamCursor

MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 6}


class Cursor(StreamCursor):
    """How far the billing consumer has read one client's stream of one source."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "stream"], name="billing_cursor_stream")
        ]


class UsageSource(models.TextChoices):
    CALL = "call", _("Call")
    CASE = "case", _("Case")
    AGENT_STATE = "agent_state", _("Agent hours")
    CHAT = "chat", _("Chat session")
    FEE = "fee", _("One-time fee")
    PASS_THROUGH = "pass_through", _("Pass-through charge")


class UsageKind(models.TextChoices):
    CALL_LEG = "call_leg", _("Call")
    TICKET = "ticket", _("Ticket")
    AGENT_HOURS = "agent_hours", _("Agent hours")
    FEE = "fee", _("One-time fee")
    PASS_THROUGH = "pass_through", _("Pass-through charge")


class UsageRecord(ClientOwned):
    """One billable piece of a source row (see the module docstring).

    `part` tells pieces of one source apart: `leg` for a call's queue visit, `session` for a
    chat session (a `call_leg` on channel `chat`, its handled time as talk time), `created` and
    `resolved` for a case, `YYYY-MM-DD` for an agent's day (source_id is then a stable id of
    the agent's name within the client, `usage.agent_key`). `price_item` is the name of the
    agreement's item that rates it, blank when none does (such usage is shown, never billed).
    `call_id` groups a call's queue visits for per-call rounding; `leg` orders them."""

    source = models.CharField(max_length=16, choices=UsageSource.choices)
    source_id = models.BigIntegerField()
    part = models.CharField(max_length=20)
    kind = models.CharField(max_length=16, choices=UsageKind.choices)
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion", on_delete=models.PROTECT, related_name="+"
    )
    price_item = models.CharField(_("price item"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    channel = models.CharField(_("channel"), max_length=12, blank=True)
    service_type = models.CharField(_("service type"), max_length=60, blank=True)
    direction = models.CharField(_("direction"), max_length=10, blank=True)
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    number = models.CharField(_("dialled number"), max_length=20, blank=True)
    agent = models.CharField(_("agent"), max_length=150, blank=True)
    call_id = models.CharField(_("call id"), max_length=100, blank=True)
    leg = models.PositiveSmallIntegerField(default=0)
    handled = models.BooleanField(default=False)
    event = models.CharField(max_length=10, blank=True)  # created | resolved (tickets)
    talk_seconds = models.PositiveIntegerField(default=0)
    hold_seconds = models.PositiveIntegerField(default=0)
    acw_seconds = models.PositiveIntegerField(default=0)
    productive_seconds = models.PositiveIntegerField(default=0)
    logged_seconds = models.PositiveIntegerField(default=0)
    training_seconds = models.PositiveIntegerField(default=0)
    outside_hours = models.BooleanField(_("outside hours"), default=False)
    diverted_to = models.CharField(_("diverted to"), max_length=16, blank=True)
    amount = models.DecimalField(**MONEY, null=True, blank=True)  # pass-through charges
    description = models.CharField(max_length=200, blank=True)  # fee name, charge text

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "source_id", "part"], name="billing_usage_key"
            )
        ]
        indexes = [
            models.Index(fields=["client", "at"], name="billing_usage_at"),
            models.Index(fields=["client", "price_item", "at"], name="billing_usage_item"),
        ]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}:{self.part}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    DEBIT_NOTE = "debit_note", _("Debit note")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", pgettext_lazy("document status", "Issued")


class Invoice(ClientOwned):
    """An invoice, credit note or debit note of one client's billing period.

    A draft is rewritten by month close until it is issued; issuing numbers it and freezes it
    (`services.invoice_issue`): an issued document is never changed or deleted again, only
    paid (`Payment`) or corrected by a note whose `corrects` points to it. Amounts are rounded
    half-up to the currency's minor unit; `rounding_rule` says how, and is printed."""

    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=DocumentStatus.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    timezone = models.CharField(_("time zone"), max_length=64)
    currency = models.CharField(_("currency"), max_length=3)
    language = models.CharField(_("language"), max_length=10, default="en")
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion", on_delete=models.PROTECT, related_name="+"
    )
    statement = models.ForeignKey(
        "metrics.Statement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    reason = models.TextField(_("reason"), blank=True)
    series = models.CharField(max_length=4, blank=True)  # INV, CN, DN
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=30, blank=True)
    issued_on = models.DateField(_("issued"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    due_on_request = models.BooleanField(default=False)
    subtotal = models.DecimalField(_("subtotal"), **MONEY, default=0)
    tax_name = models.CharField(max_length=60, blank=True)
    tax_rate_percent = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    tax_inclusive = models.BooleanField(default=False)
    tax_amount = models.DecimalField(_("tax"), **MONEY, default=0)
    total = models.DecimalField(_("total"), **MONEY, default=0)
    rounding_rule = models.CharField(max_length=200, blank=True)
    parties = OrderedJSONField(default=dict)  # seller and buyer legal details, as issued
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            # The number is unique across clients by construction: it is drawn from the one
            # `InvoiceSequence` row of its series and year, under that row's lock. The rule
            # carries the client, as every rule on client data does (the shard key).
            models.UniqueConstraint(
                fields=["client", "series", "year", "sequence"],
                condition=models.Q(sequence__isnull=False),
                name="billing_invoice_number",
            ),
            # One open draft per client, kind and period: month close rewrites it.
            models.UniqueConstraint(
                fields=["client", "kind", "period_start"],
                condition=models.Q(status="draft"),
                name="billing_invoice_one_draft",
            ),
        ]
        indexes = [models.Index(fields=["client", "-period_start"], name="billing_inv_recent")]
        ordering = ["-period_start", "-created_at"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number or f"{self.kind} draft {self.period_start}"

    # The status as stored: an issued document refuses to be saved or deleted again.
    _stored_status = ""

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, *args: Any, **kwargs: Any) -> Invoice:
        invoice = super().from_db(db, field_names, values, *args, **kwargs)
        invoice._stored_status = invoice.__dict__.get("status", "")
        return invoice

    @property
    def is_frozen(self) -> bool:
        return self._stored_status == DocumentStatus.ISSUED

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_frozen:
            raise TypeError("an issued document is never changed: write a credit or debit note")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_frozen:
            raise TypeError("an issued document is never deleted: write a credit note")
        return super().delete(*args, **kwargs)


class LineKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    CREDIT = "credit", _("Service credit")
    LATE_FEE = "late_fee", _("Late payment")
    ADJUSTMENT = "adjustment", _("Adjustment")


# What a line's quantity counts, as people read it (the stored unit is the rating engine's).
UNIT_LABELS = {
    "minute": _("minutes"),
    "call": _("calls"),
    "ticket": _("tickets"),
    "hour": _("hours"),
    "fte": _("FTE"),
    "fee": _("fees"),
    "charge": _("charges"),
    "amount": _("amount"),
    "day": _("days"),
}


class InvoiceLine(ClientOwned):
    """One line. `item` names the agreement's price item (usage drills down to the period's
    `UsageRecord`s of that item); `clause` is the agreement path it applies; `exact_amount`
    is the unrounded rational as text, `amount` the rounded figure that adds up."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.CHARGE)
    item = models.CharField(_("item"), max_length=200)
    model = models.CharField(max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    clause = models.CharField(max_length=120, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=24, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    rate = models.DecimalField(_("rate"), **MONEY, null=True, blank=True)
    exact_amount = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    usage_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "invoice", "position"], name="billing_line_position"
            )
        ]
        ordering = ["invoice_id", "position"]

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))

    def __str__(self) -> str:
        return f"{self.item}: {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.invoice.is_frozen:
            raise TypeError("the lines of an issued document are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.invoice.is_frozen:
            raise TypeError("the lines of an issued document are never deleted")
        return super().delete(*args, **kwargs)


class InvoiceSequence(models.Model):
    """The last number issued in one series and year, for the one provider (gap-free: drawn
    under this row's lock in the issuing transaction)."""

    provider = models.ForeignKey("tenancy.Provider", on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "series", "year"], name="billing_sequence_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last}"


class Payment(ClientOwned):
    """Money received against an issued invoice (or debit note). `reference` is the payer's
    (bank) reference: recording the same reference again changes nothing."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received"))
    reference = models.CharField(_("reference"), max_length=100)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "reference"], name="billing_payment_ref")
        ]
        ordering = ["received_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


class DiversionEntryKind(models.TextChoices):
    TOP_UP = "top_up", _("Prepayment")
    DRAW = "draw", _("Diversion charge")


class DiversionEntry(ClientOwned):
    """The prepaid diversion balance's ledger: prepayments (+) and the diverted legs' charges
    drawn from it (−). The balance is the sum. A draw is keyed by its usage record, so
    deriving usage again draws nothing twice."""

    kind = models.CharField(max_length=8, choices=DiversionEntryKind.choices)
    at = models.DateTimeField(_("at"))
    amount = models.DecimalField(_("amount"), **MONEY)
    usage = models.ForeignKey(
        UsageRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_key = models.CharField(max_length=80)  # "call:<id>:<part>" or the top-up reference
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind", "source_key"], name="billing_diversion_key"
            )
        ]
        ordering = ["at", "id"]


class CreditExclusion(ClientOwned):
    """A missed service level the client approved as excluded from credits for one month
    (client-caused, force majeure), with the reason, the client's approver and who recorded
    it (the provider cannot excuse its own miss: the approval is the client's)."""

    month = models.DateField()  # the first day of the month
    reference = models.CharField(max_length=80)  # channel.name of the service level
    kind = models.CharField(max_length=20)  # pactline.core.credits EXCLUSION_KINDS
    reason = models.TextField()
    approved_by = models.CharField(max_length=150)  # the client's approver, as they signed
    recorded_by = models.CharField(max_length=150, default="")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month", "reference", "kind"], name="billing_exclusion_key"
            )
        ]


class VolumeForecast(ClientOwned):
    """The client's forecast of the volume of a channel (`phone`) or a level
    (`phone.answer_within`) in one interval (`minutes` from `starts_at`: a half hour, a day,
    or the whole month), inside one month of the client's calendar. The month's forecast,
    against which forecast-variance exclusions are judged, is the sum of its intervals."""

    month = models.DateField()  # the first day of the month the interval lies in
    reference = models.CharField(max_length=80)
    starts_at = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    forecast = models.PositiveIntegerField()
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference", "starts_at"], name="billing_forecast_interval_key"
            )
        ]
        indexes = [models.Index(fields=["client", "month", "reference"])]


class CreditMemo(ClientOwned):
    """A month's service credits as computed at close from one issued statement revision:
    the memo's lines with their reasons (`content`), and the document that carries them."""

    month = models.DateField()
    statement = models.ForeignKey("metrics.Statement", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    charges = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    content = OrderedJSONField(default=dict)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="credit_memos"
    )
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month", "statement"], name="billing_memo_statement"
            )
        ]
        ordering = ["-month", "-computed_at"]


class ChronicFailure(ClientOwned):
    """A service level missed often enough to give the client the right to terminate
    (`service_credits.chronic_failure`), found at a month's close; both parties are told."""

    reference = models.CharField(max_length=80)
    found_in = models.DateField()  # the first day of the month that completed the pattern
    months = OrderedJSONField(default=list)  # the missed months, "YYYY-MM"
    misses = models.PositiveSmallIntegerField()
    window_months = models.PositiveSmallIntegerField()
    recorded_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference", "found_in"], name="billing_chronic_key"
            )
        ]
