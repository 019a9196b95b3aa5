"""Billing pages: the provider's workspace (periods to close, drafts, overdue), a client's
billing (invoices and notes, service credits with their reasons, the diversion balance), an
invoice with its lines and each line's usage, the statement of account, downloads, and the
forms that act: close a month, issue, record a payment, a top-up, an exclusion, a forecast.

Thin: `access.py` authorizes, `selectors.py` reads, the services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactline.billing import selectors
from pactline.billing.access import (
    access_billing,
    access_invoice,
    access_invoice_line,
    can_manage_billing,
    managed_clients,
    sees_drafts,
)
from pactline.billing.close import month_close
from pactline.billing.credits import credit_exclusion_record
from pactline.billing.diversion import diversion_balance, diversion_top_up, prepays_diversions
from pactline.billing.documents import invoice_csv, invoice_pdf, line_usage_csv
from pactline.billing.forecasts import volume_forecast_record, volume_forecasts_import
from pactline.billing.forms import (
    CloseForm,
    ExclusionForm,
    ForecastForm,
    PaymentForm,
    ServiceErrors,
    TopUpForm,
)
from pactline.billing.models import DocumentKind, DocumentStatus, Invoice
from pactline.billing.pass_through import charges_import
from pactline.billing.services import invoice_issue, late_fees_invoice, payment_record
from pactline.common.errors import Conflict, FieldError, NotFound, ValidationFailed
from pactline.common.http import domain_errors
from pactline.common.uploads import CsvUploadForm
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import Actor, Permission, access_client, has_permission
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import Client

PAGE_SIZE = 50
LEDGER_ROWS = 20  # on the client's billing page; the ledger page shows all


# --- Workspace and a client's billing --------------------------------------------------------


@login_required
@require_GET
@domain_errors
def workspace_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not can_manage_billing(actor):
        raise NotFound
    now = timezone.now()
    context = {
        "periods": selectors.periods_to_close(actor=actor, now=now),
        "drafts": selectors.draft_list(actor=actor),
        "overdue": selectors.overdue_list(actor=actor, today=now.date()),
        "clients": Client.objects.filter(id__in=managed_clients(actor)).order_by("name"),
    }
    return render(request, "billing/workspace.html", context)


def _memos(actor: Actor, client: Client) -> list[dict[str, Any]]:
    memos = selectors.latest_memos(selectors.credit_memo_list(actor=actor, client=client))
    return [
        {
            "memo": memo,
            "lines": selectors.memo_lines(memo),
            "note": selectors.memo_note(memo),
        }
        for memo in memos
    ]


@login_required
@require_GET
@domain_errors
def client_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_billing(actor, code)
    invoices = selectors.invoice_list(actor=actor, client=client)
    ledger = selectors.diversion_ledger(client=client)
    context = {
        "client": client,
        "page": Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page")),
        "memos": _memos(actor, client),
        "ledger": list(reversed(ledger[-LEDGER_ROWS:])),
        "ledger_more": len(ledger) > LEDGER_ROWS,
        "balance": ledger[-1].balance if ledger else None,
        # An agreement without prepaid diversions has no balance to show (unless it had one).
        "diverts": bool(ledger) or prepays_diversions(client, timezone.now()),
        "can_manage": has_permission(actor, Permission.BILLING_MANAGE, client.id),
        "can_forecast": has_permission(actor, Permission.FORECAST_UPLOAD, client.id),
        "sees_drafts": sees_drafts(actor, client.id),
    }
    return render(request, "billing/client.html", context)


@login_required
@require_GET
@domain_errors
def account_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_billing(actor, code)
    account = selectors.statement_of_account(actor=actor, client=client)
    return render(request, "billing/account.html", {"client": client, "account": account})


@login_required
@require_GET
@domain_errors
def diversion_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_billing(actor, code)
    ledger = selectors.diversion_ledger(client=client)
    context = {
        "client": client,
        "ledger": list(reversed(ledger)),
        "balance": ledger[-1].balance if ledger else None,
        "zone": client_zone(client).key,
        "can_manage": has_permission(actor, Permission.BILLING_MANAGE, client.id),
    }
    return render(request, "billing/diversion.html", context)


# --- An invoice -------------------------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def invoice_page(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = request_actor(request)
    invoice = access_invoice(actor, invoice_id)
    writable = has_permission(actor, Permission.BILLING_MANAGE, invoice.client_id)
    context = {
        "client": invoice.client,
        "invoice": invoice,
        "lines": selectors.invoice_lines(invoice),
        "payments": invoice.payments.order_by("received_on", "id"),
        "paid": selectors.paid_amount(invoice),
        "corrections": invoice.corrections.filter(status=DocumentStatus.ISSUED)
        if not sees_drafts(actor, invoice.client_id)
        else invoice.corrections.all(),
        "can_issue": writable and invoice.status == DocumentStatus.DRAFT,
        "can_pay": writable
        and invoice.status == DocumentStatus.ISSUED
        and invoice.kind != DocumentKind.CREDIT_NOTE,
    }
    return render(request, "billing/invoice_detail.html", context)


@login_required
@require_GET
@domain_errors
def line_usage_page(request: HttpRequest, line_id: int) -> HttpResponse:
    actor = request_actor(request)
    line = access_invoice_line(actor, line_id)
    usage = selectors.line_usage(line)
    context = {
        "client": line.invoice.client,
        "invoice": line.invoice,
        "line": line,
        "page": Paginator(usage, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "billing/line_usage.html", context)


def _filename(invoice: Invoice, extension: str) -> str:
    name = invoice.number or f"{invoice.kind}-draft-{invoice.period_start:%Y-%m}"
    return f"{invoice.client.code}-{name}.{extension}".replace("/", "-")


@login_required
@require_GET
@domain_errors
def invoice_download(request: HttpRequest, invoice_id: int, fmt: str) -> HttpResponse:
    actor = request_actor(request)
    invoice = access_invoice(actor, invoice_id)
    if fmt == "pdf":
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    elif fmt == "csv":
        response = HttpResponse(invoice_csv(invoice), content_type="text/csv; charset=utf-8")
    else:
        raise NotFound
    response["Content-Disposition"] = f'attachment; filename="{_filename(invoice, fmt)}"'
    return response


@login_required
@require_GET
@domain_errors
def line_usage_csv_download(request: HttpRequest, line_id: int) -> HttpResponse:
    actor = request_actor(request)
    line = access_invoice_line(actor, line_id)
    response = HttpResponse(line_usage_csv(line), content_type="text/csv; charset=utf-8")
    name = _filename(line.invoice, f"line-{line.position}.csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Actions ----------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: ServiceErrors,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=status)


def _submitted[T](
    request: HttpRequest, form: ServiceErrors, act: Callable[[dict[str, Any]], T]
) -> T | None:
    """On a POST whose form is valid, `act` on its cleaned data; the service's refusals become
    the form's errors (a conflict a form-wide one). None when nothing was done."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return act(form.cleaned_data)
    except ValidationFailed as failed:
        form.add_service_errors(failed)
    except Conflict as conflict:
        form.add_error(None, str(conflict))
    return None


def _refused(request: HttpRequest) -> int:
    """The status of a form page shown again: 400 after a POST that did nothing."""
    return 400 if request.method == "POST" else 200


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def invoice_issue_page(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """GET: what issuing does, and a button; POST: issue (an issued one is shown as it is)."""
    actor = request_actor(request)
    invoice = access_invoice(actor, invoice_id, for_write=True)
    if request.method == "POST":
        if invoice.status == DocumentStatus.ISSUED:
            messages.info(request, _("This document was already issued; here it is."))
            return redirect("billing:invoice", invoice_id=invoice.pk)
        try:
            issued = invoice_issue(actor=actor, invoice=invoice, now=timezone.now())
        except ValidationFailed as failed:
            messages.error(request, "; ".join(error.message for error in failed.errors))
            return redirect("billing:invoice-issue", invoice_id=invoice.pk)
        except Conflict as conflict:
            messages.error(request, str(conflict))
            return redirect("billing:invoice", invoice_id=invoice.pk)
        messages.success(
            request, _("Issued as %(number)s.") % {"number": issued.number or issued.pk}
        )
        return redirect("billing:invoice", invoice_id=issued.pk)
    context = {
        "client": invoice.client,
        "invoice": invoice,
        "lines": selectors.invoice_lines(invoice),
    }
    return render(request, "billing/invoice_issue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def invoice_payment_page(request: HttpRequest, invoice_id: int) -> HttpResponse:
    actor = request_actor(request)
    invoice = access_invoice(actor, invoice_id, for_write=True)
    form = PaymentForm(request.POST or None, initial={"received_on": timezone.now().date()})
    if request.method == "POST" and (
        invoice.status != DocumentStatus.ISSUED or invoice.kind == DocumentKind.CREDIT_NOTE
    ):
        form.add_error(None, _("Payments are recorded against an issued invoice."))
    elif _submitted(
        request,
        form,
        lambda data: payment_record(
            actor=actor,
            invoice=invoice,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            now=timezone.now(),
        ),
    ):
        messages.success(request, _("The payment is recorded."))
        return redirect("billing:invoice", invoice_id=invoice.pk)
    context = {
        "client": invoice.client,
        "invoice": invoice,
        "paid": selectors.paid_amount(invoice),
    }
    return _form_page(request, form, "billing/payment.html", context, _refused(request))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def close_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_billing(actor, code, for_write=True)
    now = timezone.now()
    today = now.astimezone(client_zone(client, now)).date()
    first, _last = selectors.last_ended_month(today)
    form = CloseForm(request.POST or None, initial={"period": first})
    result = _submitted(
        request,
        form,
        lambda data: month_close(actor=actor, client=client, period_start=data["period"], now=now),
    )
    if result is not None:
        messages.success(request, _("The month is closed: its draft is ready to review."))
        return redirect("billing:invoice", invoice_id=result.invoice.pk)
    context = {"client": client, "zone": client_zone(client, now).key}
    status = 409 if form.non_field_errors() else _refused(request)
    return _form_page(request, form, "billing/close.html", context, status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def exclusions_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_billing(actor, code, for_write=True)
    form = ExclusionForm(request.POST or None)
    if _submitted(
        request,
        form,
        lambda data: credit_exclusion_record(
            actor=actor,
            client=client,
            month=data["month"],
            reference=data["reference"],
            kind=data["kind"],
            reason=data["reason"],
            approved_by=data["approved_by"],
            now=timezone.now(),
        ),
    ):
        messages.success(request, _("The exclusion is recorded."))
        return redirect("billing:exclusions", code=client.code)
    context = {"client": client, "rows": selectors.exclusion_list(client=client)}
    return _form_page(request, form, "billing/exclusions.html", context, _refused(request))


def _uploaded[T](
    request: HttpRequest, form: CsvUploadForm, act: Callable[[str], T]
) -> tuple[T | None, list[FieldError]]:
    """On a POST with a CSV, `act` on its text: what it did, or every bad line it named."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    try:
        return act(form.cleaned_data["csv_text"]), []
    except ValidationFailed as failed:
        return None, failed.errors


def _forecasts(
    request: HttpRequest,
    client: Client,
    form: ForecastForm,
    upload: CsvUploadForm,
    line_errors: list[FieldError],
) -> HttpResponse:
    context = {
        "client": client,
        "rows": selectors.forecast_months(client=client),
        "upload": upload,
        "line_errors": line_errors,
        "zone": client_zone(client).key,
    }
    return _form_page(request, form, "billing/forecasts.html", context, _refused(request))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def forecasts_page(request: HttpRequest, code: str) -> HttpResponse:
    """The client's managers and the provider's billing record the client's forecasts: a
    month's figure here, intervals by CSV (`forecasts_upload_page`)."""
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.FORECAST_UPLOAD)
    form = ForecastForm(request.POST or None)
    if _submitted(
        request,
        form,
        lambda data: volume_forecast_record(
            actor=actor,
            client=client,
            month=data["month"],
            reference=data["reference"],
            forecast=data["forecast"],
            now=timezone.now(),
        ),
    ):
        messages.success(request, _("The forecast is recorded."))
        return redirect("billing:forecasts", code=client.code)
    return _forecasts(request, client, form, CsvUploadForm(), [])


@login_required
@require_POST
@domain_errors
def forecasts_upload_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.FORECAST_UPLOAD)
    upload = CsvUploadForm(request.POST, request.FILES)
    done, line_errors = _uploaded(
        request,
        upload,
        lambda text: volume_forecasts_import(
            actor=actor, client=client, text=text, now=timezone.now()
        ),
    )
    if done is not None:
        messages.success(
            request,
            _("%(intervals)d interval(s) read; %(changed)d month forecast(s) replaced.")
            % {"intervals": done.intervals, "changed": len(done.replaced)},
        )
        return redirect("billing:forecasts", code=client.code)
    return _forecasts(request, client, ForecastForm(), upload, line_errors)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def charges_page(request: HttpRequest, code: str) -> HttpResponse:
    """A carrier's pass-through charges: those recorded, and a CSV to record more."""
    actor = request_actor(request)
    client = access_billing(actor, code, for_write=True)
    upload = CsvUploadForm(request.POST or None, request.FILES or None)
    done, line_errors = _uploaded(
        request,
        upload,
        lambda text: charges_import(actor=actor, client=client, text=text, now=timezone.now()),
    )
    if done is not None:
        messages.success(
            request, _("%(count)d charge(s) recorded or already held.") % {"count": len(done)}
        )
        return redirect("billing:charges", code=client.code)
    context = {
        "client": client,
        "upload": upload,
        "line_errors": line_errors,
        "zone": client_zone(client).key,
        "page": Paginator(selectors.pass_through_list(client=client), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    }
    return render(request, "billing/charges.html", context, status=_refused(request))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def top_up_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_billing(actor, code, for_write=True)
    form = TopUpForm(request.POST or None)
    if _submitted(
        request,
        form,
        lambda data: diversion_top_up(
            actor=actor,
            client=client,
            amount=data["amount"],
            reference=data["reference"],
            now=timezone.now(),
        ),
    ):
        messages.success(request, _("The prepayment is recorded."))
        return redirect("billing:diversion", code=client.code)
    context = {"client": client, "balance": diversion_balance(client)}
    return _form_page(request, form, "billing/top_up.html", context, _refused(request))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def late_fees_page(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what is overdue and what invoicing late payment does; POST: write the draft."""
    actor = request_actor(request)
    client = access_billing(actor, code, for_write=True)
    now = timezone.now()
    if request.method == "POST":
        try:
            draft = late_fees_invoice(actor=actor, client=client, now=now)
        except ValidationFailed as failed:
            messages.error(request, "; ".join(error.message for error in failed.errors))
            return redirect("billing:late-fees", code=client.code)
        except Conflict as conflict:
            messages.error(request, str(conflict))
            return redirect("billing:late-fees", code=client.code)
        if draft is None:
            messages.info(request, _("No late-payment charge is due."))
            return redirect("billing:client", code=client.code)
        messages.success(request, _("The late-payment charges are drafted."))
        return redirect("billing:invoice", invoice_id=draft.pk)
    overdue = [
        row
        for row in selectors.overdue_list(actor=actor, today=now.date())
        if row.invoice.client_id == client.id
    ]
    return render(request, "billing/late_fees.html", {"client": client, "overdue": overdue})
