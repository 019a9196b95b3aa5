"""The case page's sections from the apps above cases: calls, and recordings and transcripts
(with email sources). htmx loads each into the case page; without htmx each is a page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from pactline.cases.access import access_case
from pactline.common.http import domain_errors
from pactline.tenancy.http import request_actor
from pactline.web.case_related.presentation import calls_context, materials_context


def _template(request: HttpRequest, name: str) -> str:
    section = bool(getattr(request, "htmx", False))
    return f"web/case_related/{name}.html#section" if section else f"web/case_related/{name}.html"


@login_required
@require_GET
@domain_errors
def case_calls(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request_actor(request), case_id)
    return render(request, _template(request, "calls"), calls_context(case))


@login_required
@require_GET
@domain_errors
def case_materials(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = request_actor(request)
    case = access_case(actor, case_id)
    context = materials_context(actor, case, now=timezone.now())
    response = render(request, _template(request, "materials"), context)
    add_never_cache_headers(response)  # it may carry the viewer's personal download links
    return response
