"""Service credits: each calendar month of the period that month close has computed credits
for, from its credit memo (the latest, for a reissued statement's month), with each credit-
bearing level's target, result, credit and the reason.

Credits are computed per calendar month at close, so a period holding no whole closed month
(a day, a week, a month not closed yet) has none: the section says so, as not measured, and
why. Only memos the client can see count: those whose document is issued, or that carry none
(a draft's credits are the provider's working copy until it is issued)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pactline.billing.models import CreditMemo, DocumentStatus
from pactline.billing.presentation import money_text, translated
from pactline.billing.selectors import latest_memos, memo_lines, memo_note
from pactline.reports.content import Model
from pactline.reports.formatting import Cell, Section, Table, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class CreditLine(Model):
    reference: str
    target: str
    value: str | None
    status: str
    credited: Decimal
    reason: str  # the core's English template
    params: dict[str, str]


class MonthCredits(Model):
    month: date
    currency: str
    charges: Decimal
    total: Decimal
    lines: list[CreditLine]
    note: str = ""
    note_params: dict[str, str] = {}


class ServiceCredits(Model):
    months: list[MonthCredits]


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def build(ctx: BuildContext) -> ServiceCredits:
    last = ctx.period.last
    memos = CreditMemo.objects.filter(
        client_id=ctx.client.id, month__gte=ctx.first, month__lte=last
    ).filter(Q(invoice__isnull=True) | Q(invoice__status=DocumentStatus.ISSUED))
    months = []
    for memo in sorted(latest_memos(memos), key=lambda m: m.month):
        if _month_end(memo.month) > last:
            continue  # only whole months inside the period
        note = memo_note(memo)
        months.append(
            MonthCredits(
                month=memo.month,
                currency=memo.currency,
                charges=memo.charges,
                total=memo.total,
                lines=[
                    CreditLine(
                        reference=line.reference,
                        target=line.target,
                        value=line.value,
                        status=line.status,
                        credited=line.credited,
                        reason=line.reason,
                        params={key: str(value) for key, value in line.params.items()},
                    )
                    for line in memo_lines(memo)
                ],
                note=note[0] if note else "",
                note_params={key: str(value) for key, value in (note[1] if note else {}).items()},
            )
        )
    return ServiceCredits(months=months)


def present(credits: ServiceCredits, p: Presenter) -> Section:
    if not credits.months:
        return Section(
            "service_credits",
            title_of("service_credits"),
            notes=[
                _(
                    "Not measured: no calendar month of this period has been closed yet."
                    " Service credits are computed per month at month close, from the"
                    " issued compliance statement."
                )
            ],
        )
    tables = []
    for month in credits.months:
        table = Table(
            f"service_credits_{month.month:%Y_%m}",
            _("Service credits for %(month)s") % {"month": f"{month.month:%Y-%m}"},
            [
                _("Service level"),
                _("Target"),
                _("Result"),
                pgettext("credited amount", "Credit"),
                _("Why"),
            ],
            numeric_from=1,
            text_columns=(4,),
        )
        table.rows = [
            [
                Cell(line.reference, line.reference),
                Cell(line.target, line.target),
                Cell(line.value or "—", line.value),
                Cell(money_text(line.credited, month.currency), line.credited),
                Cell(
                    translated(line.reason, dict(line.params)),
                    translated(line.reason, dict(line.params)),
                ),
            ]
            for line in month.lines
        ]
        table.notes = [
            _("Credited: %(total)s %(currency)s (on charges of %(charges)s %(currency)s).")
            % {
                "total": money_text(month.total, month.currency),
                "charges": money_text(month.charges, month.currency),
                "currency": month.currency,
            }
        ]
        if month.note:
            table.notes.append(translated(month.note, dict(month.note_params)))
        tables.append(table)
    return Section("service_credits", title_of("service_credits"), tables)


SECTION = register(ReportSection("service_credits", ServiceCredits, build, present))
