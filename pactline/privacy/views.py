"""Pages: the client's materials portal, the provider's materials desk, a recording for the
provider, attaching a file to a case, and the signed download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pactline.cases.access import access_case
from pactline.channels.recordings.access import access_recording
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.selectors import recording_list
from pactline.channels.recordings.services import (
    max_bytes,
    recording_attach,
    recording_open,
    recording_view,
)
from pactline.channels.recordings.storage import RecordingFileMissing
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.common.http import domain_errors
from pactline.privacy.access import access_material_request, require_materials_desk
from pactline.privacy.forms import AttachForm, DecideForm, RequestForm
from pactline.privacy.models import MaterialRequest, RequestStatus
from pactline.privacy.selectors import material_request_list, recording_requests
from pactline.privacy.services import (
    LinkInvalid,
    LinkRefused,
    material_decide,
    material_download_url,
    material_link_usable,
    material_open,
    material_request,
)
from pactline.tenancy.access import Permission, access_client
from pactline.tenancy.http import request_actor

PAGE_SIZE = 50
DECIDED_SHOWN = 50

_REFUSED = {
    "invalid": (
        404,
        gettext_lazy("This download link is not valid"),
        gettext_lazy("Open the materials page and use the download link shown there."),
    ),
    "missing": (
        404,
        gettext_lazy("The file is no longer stored"),
        gettext_lazy("The record of this material remains, but its file has been removed."),
    ),
    "other_user": (
        403,
        gettext_lazy("This link belongs to another user"),
        gettext_lazy(
            "A download link works only for the person who requested the material. "
            "Request it yourself from the materials page."
        ),
    ),
    "not_approved": (
        403,
        gettext_lazy("This material is not approved for download"),
        gettext_lazy("The request was not approved."),
    ),
    "expired": (
        403,
        gettext_lazy("This download link has expired"),
        gettext_lazy("Request the material again from the materials page."),
    ),
}


def _attachment(handle: Any, recording: Recording) -> FileResponse:
    content_type = recording.content_type
    if content_type.startswith("text/"):
        content_type = f"{content_type}; charset=utf-8"
    response = FileResponse(
        handle, as_attachment=True, filename=recording.original_name, content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    return response


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    status, title, detail = _REFUSED[reason]
    response = render(
        request, "privacy/link_refused.html", {"title": title, "detail": detail}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@domain_errors
def client_materials(request: HttpRequest, code: str) -> HttpResponse:
    """The client's recordings and transcripts per case, its requests, and download links."""
    actor = request_actor(request)
    client = access_client(actor, code, permission=Permission.MATERIAL_REQUEST)
    now = timezone.now()
    requests = list(
        material_request_list(actor=actor, client=client, permission=Permission.MATERIAL_REQUEST)[
            :200
        ]
    )
    request_rows = [
        {
            "request": item,
            "mine": item.requested_by_user_id == actor.user_id,
            "download_url": material_download_url(actor=actor, request=item, now=now)
            if material_link_usable(actor, item, now)
            else "",
            "expired": item.status == RequestStatus.APPROVED
            and item.link_expires_at is not None
            and item.link_expires_at <= now,
        }
        for item in requests
    ]
    open_by_recording: dict[int, MaterialRequest] = {}
    for item in reversed(requests):  # oldest first, so the newest open request wins
        if item.requested_by_user_id == actor.user_id and (
            item.status == RequestStatus.REQUESTED or material_link_usable(actor, item, now)
        ):
            open_by_recording[item.recording_id] = item
    recordings = recording_list(actor=actor, client=client, permission=Permission.MATERIAL_REQUEST)
    page = Paginator(recordings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"recording": recording, "open_request": open_by_recording.get(recording.pk)}
        for recording in page.object_list
    ]
    context = {
        "client": client,
        "request_rows": request_rows,
        "rows": rows,
        "page": page,
        "form": RequestForm(),
    }
    response = render(request, "privacy/client_materials.html", context)
    add_never_cache_headers(response)  # the page carries personal download links
    return response


@login_required
@require_POST
@domain_errors
def request_material(request: HttpRequest, recording_id: int) -> HttpResponse:
    actor = request_actor(request)
    recording = access_recording(actor, recording_id, permission=Permission.MATERIAL_REQUEST)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need this material (at most 2000 characters)."))
    else:
        try:
            created = material_request(
                actor=actor, recording=recording, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as failed:
            messages.error(request, "; ".join(error.message for error in failed.errors))
        else:
            messages.success(
                request,
                _("Request #%(number)s is sent to the provider for approval.")
                % {"number": created.pk},
            )
    back = str(request.POST.get("next", ""))
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)  # e.g. the case page the request was made from
    return redirect("privacy:client-materials", code=recording.client.code)


@login_required
@domain_errors
def materials_desk(request: HttpRequest) -> HttpResponse:
    """The provider's desk: pending requests to decide, recent decisions, and recordings."""
    actor = request_actor(request)
    require_materials_desk(actor)
    pending = material_request_list(actor=actor, status=RequestStatus.REQUESTED)
    decided = material_request_list(actor=actor).exclude(status=RequestStatus.REQUESTED)
    recordings = recording_list(actor=actor, permission=Permission.CASE_WORK)
    page = Paginator(recordings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "pending": list(pending),
        "decided": list(decided[:DECIDED_SHOWN]),
        "page": page,
        "form": DecideForm(initial={"valid_hours": 24}),
    }
    return render(request, "privacy/desk.html", context)


@login_required
@require_POST
@domain_errors
def decide_request(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    if action not in ("approve", "reject"):
        raise Http404
    actor = request_actor(request)
    found = access_material_request(actor, request_id, permission=Permission.MATERIAL_APPROVE)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The link must be valid for 1 to 720 hours."))
        return redirect("privacy:desk")
    try:
        decided = material_decide(
            actor=actor,
            request=found,
            approve=action == "approve",
            note=form.cleaned_data["note"] or "",
            valid_hours=form.cleaned_data["valid_hours"] or 24,
        )
    except Conflict as conflict:
        messages.error(request, _("Nothing changed: %(reason)s") % {"reason": conflict})
    except ValidationFailed as failed:
        messages.error(request, "; ".join(error.message for error in failed.errors))
    else:
        if decided.status == RequestStatus.APPROVED:
            messages.success(
                request, _("Request #%(number)s is approved.") % {"number": decided.pk}
            )
        else:
            messages.success(
                request, _("Request #%(number)s is rejected.") % {"number": decided.pk}
            )
    return redirect("privacy:desk")


@login_required
@domain_errors
def recording_page(request: HttpRequest, recording_id: int) -> HttpResponse:
    """A recording for the provider; showing a transcript's text is an audited view."""
    actor = request_actor(request)
    recording = access_recording(actor, recording_id, permission=Permission.CASE_WORK)
    if recording.transcript_text:
        recording_view(actor=actor, recording=recording)
    context = {
        "recording": recording,
        "client": recording.client,
        "case": recording.case,
        "requests": recording_requests(recording=recording),
    }
    response = render(request, "privacy/recording.html", context)
    add_never_cache_headers(response)
    return response


@login_required
def recording_file(request: HttpRequest, recording_id: int) -> HttpResponseBase:
    actor = request_actor(request)
    try:
        recording = access_recording(actor, recording_id, permission=Permission.CASE_WORK)
        handle = recording_open(actor=actor, recording=recording)
    except RecordingFileMissing:
        return _refused(request, "missing")
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    return _attachment(handle, recording)


@login_required
def download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The signed, expiring link of an approved request, for the user who asked."""
    actor = request_actor(request)
    try:
        recording, handle = material_open(actor=actor, token=token)
    except LinkRefused as refused:
        return _refused(request, refused.reason)
    except RecordingFileMissing:
        return _refused(request, "missing")
    except LinkInvalid:
        return _refused(request, "invalid")
    except NotFound:  # the user's role for the client is gone: the usual 404 / 403
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    return _attachment(handle, recording)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def attach(request: HttpRequest, case_id: int) -> HttpResponse:
    """An agent attaches a recording or transcript to a case."""
    actor = request_actor(request)
    case = access_case(actor, case_id, for_write=True)
    form = AttachForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            form.add_error(
                "file",
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(max_bytes())},
            )
        else:
            started = timezone.now()
            try:
                recording = recording_attach(
                    actor=actor,
                    case=case,
                    kind=form.cleaned_data["kind"],
                    name=upload.name or "",
                    content=upload.read(),
                    content_type=upload.content_type or "",
                    source=form.cleaned_data["source"],
                )
            except ValidationFailed as failed:
                for error in failed.errors:
                    field = {"content": "file"}.get(error.path, error.path)
                    form.add_error(field if field in form.fields else None, error.message)
            else:
                if recording.created_at < started:
                    messages.info(
                        request,
                        _("This file is already attached to the case as #%(number)s.")
                        % {"number": recording.pk},
                    )
                else:
                    messages.success(
                        request,
                        _("%(kind)s #%(number)s is attached to the case.")
                        % {"kind": recording.get_kind_display(), "number": recording.pk},
                    )
                return redirect("privacy:recording", recording_id=recording.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "case": case, "client": case.client}
    return render(request, "privacy/attach.html", context, status=status)
