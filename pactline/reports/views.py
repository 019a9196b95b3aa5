"""Pages: reports per client, one report (its HTML view) with its downloads, generating one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pactline.agreements.presentation.operations import report_view as owed_report_view
from pactline.common.errors import ValidationFailed
from pactline.common.fonts import MissingCJKFont
from pactline.common.http import domain_errors
from pactline.metrics.timezones import client_zone
from pactline.reports.access import (
    access_generated_report,
    access_reports,
    access_reports_generate,
    can_generate_reports,
)
from pactline.reports.forms import GenerateForm
from pactline.reports.latest import latest_reports
from pactline.reports.presentation import report_view
from pactline.reports.renderers import CONTENT_TYPES, view_context
from pactline.reports.selectors import (
    generated_report_list,
    report_content,
    report_file,
    reports_owed,
)
from pactline.reports.services import django_language, file_name, report_generate
from pactline.tenancy.access import Permission, has_permission
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import Client
from pactline.tenancy.selectors import client_list


@login_required
def reports_index(request: HttpRequest) -> HttpResponse:
    """The clients whose reports the user may read; one client goes straight to its list."""
    clients = list(client_list(actor=request_actor(request)))
    if len(clients) == 1:
        return redirect("reports:client", clients[0].code)
    return render(request, "reports/index.html", {"clients": clients})


def _client_context(
    request: HttpRequest, client: Client, form: GenerateForm | None
) -> dict[str, object]:
    actor = request_actor(request)
    language, owed = reports_owed(client)
    can_generate = can_generate_reports(actor, client)
    if can_generate and form is None:
        form = GenerateForm(report_names=[report.name for report in owed])
    return {
        "client": client,
        "reports": list(generated_report_list(actor=actor, client=client)),
        "owed": [owed_report_view(report, language) for report in owed],
        "form": form if can_generate and owed else None,
    }


@login_required
@domain_errors
def client_reports(request: HttpRequest, code: str) -> HttpResponse:
    client = access_reports(request_actor(request), code)
    return render(request, "reports/list.html", _client_context(request, client, None))


@login_required
@domain_errors
def latest(request: HttpRequest, code: str) -> HttpResponse:
    """The portal dashboard's "latest reports" card (loaded by htmx)."""
    actor = request_actor(request)
    client = access_reports(actor, code)
    context = {
        "reports": latest_reports(actor=actor, client=client, zone=client_zone(client)),
        "reports_url": reverse("reports:client", args=[client.code]),
    }
    return render(request, "reports/_latest_reports.html", context)


@login_required
@require_POST
@domain_errors
def generate(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_reports_generate(actor, code)
    form = GenerateForm(request.POST, report_names=[r.name for r in reports_owed(client)[1]])
    if form.is_valid():
        try:
            generated = report_generate(
                actor=actor,
                client=client,
                report_name=form.cleaned_data["report_name"],
                period_start=form.cleaned_data["period_start"],
            )
        except ValidationFailed as error:
            for problem in error.errors:
                form.add_error(None, problem.message)
        except MissingCJKFont as error:
            form.add_error(None, str(error))
        else:
            if generated.created:
                messages.success(request, _("The report is generated."))
            else:
                messages.info(request, _("Nothing changed since this report was generated."))
            return redirect("reports:report", generated.report.pk)
    context = _client_context(request, client, form)
    return render(request, "reports/list.html", context, status=422)


@login_required
@domain_errors
def report_page(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = request_actor(request)
    report = access_generated_report(actor, report_id)
    content = report_content(report)
    # The report speaks its own language; the page around it speaks the reader's.
    with translation.override(django_language(report.language)):
        view = report_view(
            content,
            generated_at=report.created_at,
            base_url="",
            audit_anchor=report.audit_anchor,
            # Billing users read reports, not cases: sample cases are named, not linked.
            case_links=has_permission(actor, Permission.CASE_VIEW, report.client_id),
        )
        body = view_context(view)
    context = {
        "client": report.client,
        "report": report,
        "view": view,
        "sections": body["sections"],
        "formats": [stored.format for stored in report.files.all() if stored.format != "html"],
    }
    return render(request, "reports/report.html", context)


@login_required
@domain_errors
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    report = access_generated_report(request_actor(request), report_id)
    stored = report_file(report, fmt)
    if stored is None:
        raise Http404
    try:
        with default_storage.open(str(stored.file.name), "rb") as handle:
            data = handle.read()
    except OSError:
        raise Http404 from None
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=file_name(report, fmt)
    )
    return response
