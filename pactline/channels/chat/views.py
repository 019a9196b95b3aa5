"""Chat pages: the customer's embeddable chat and the agents' chat desk.

The customer's pages need no login: the session is found by the random token in its URL, a
capability that only the customer's browser holds. They are exempt from CSRF checks on
purpose: embedded in the client's site they run in a third-party frame, where the browser
withholds Pactline's (SameSite=Lax) cookies, and they carry no cookie-based authority that a
forged request could borrow. Framing is allowed only to the origins of the client's chat URLs
in its agreement (`channels.chat.addresses`), through CSP `frame-ancestors`.

Both sides poll the conversation every 2 s with htmx; a poll that finds nothing new is
answered `204 No Content`, which htmx leaves unswapped."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactline.agreements.terms import chat_frame_origins
from pactline.cases.models import AuthorKind
from pactline.channels.chat.access import access_chat_session, require_chat_desk
from pactline.channels.chat.limits import Verdict, chat_start_attempt
from pactline.channels.chat.models import ChatSession
from pactline.channels.chat.presentation import Viewer, message_rows
from pactline.channels.chat.selectors import (
    chat_client,
    chat_last_seq,
    chat_messages,
    chat_session_by_token,
    chat_sessions_open,
)
from pactline.channels.chat.services import (
    NAME_MAX,
    TEXT_MAX,
    chat_message_add,
    chat_session_end,
    chat_session_start,
)
from pactline.common.errors import Conflict, NotFound, ValidationFailed
from pactline.common.http import domain_errors, remote_address
from pactline.tenancy.access import Actor, system_actor
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import Client

CUSTOMER = system_actor("chat")
POLL_SECONDS = 2


class StartForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=NAME_MAX)
    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=320)
    message = forms.CharField(
        label=gettext_lazy("How can we help?"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Customer -------------------------------------------------------------------------------


def _embeddable(response: HttpResponse, origins: list[str]) -> HttpResponse:
    """Allow the client's own chat pages to frame this response.

    What `csp_override` and `xframe_options_exempt` do, with the origins of the client's
    agreement rather than a fixed list: X-Frame-Options cannot name several origins, so it is
    dropped in favour of CSP `frame-ancestors`, which every current browser obeys. Without
    addresses the site-wide DENY / `frame-ancestors 'none'` stays. The session token is in
    the URL, so no referrer leaves these pages."""
    response["Referrer-Policy"] = "no-referrer"
    if origins:
        policy = {**settings.SECURE_CSP, "frame-ancestors": origins}
        response._csp_config = policy  # type: ignore[attr-defined]
        response.xframe_options_exempt = True
    return response


def _customer_client(client_code: str) -> tuple[Client, list[str]]:
    try:
        client, version = chat_client(client_code, timezone.now())
    except NotFound:
        raise Http404 from None
    return client, chat_frame_origins(version.terms)


def _customer_session(client_code: str, token: str) -> tuple[ChatSession, list[str]]:
    client, origins = _customer_client(client_code)
    try:
        return chat_session_by_token(client, token), origins
    except NotFound:
        raise Http404 from None


def _conversation(
    session: ChatSession, viewer: Viewer, poll_url: str, **extra: Any
) -> dict[str, Any]:
    rows = message_rows(session, chat_messages(session).select_related("case"), viewer)
    cursor = chat_last_seq(session)
    ended = not session.is_open
    return {
        "session": session,
        "rows": rows,
        "viewer": viewer,
        "ended": ended,
        "poll_url": f"{poll_url}?after={cursor}&ended={int(ended)}",
        "poll_seconds": POLL_SECONDS,
        "text_max": TEXT_MAX,
        **extra,
    }


def _unchanged(request: HttpRequest, session: ChatSession) -> bool:
    """True when the poller has already seen every message and the session's state."""
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return False
    if not 0 <= after < 2**63:
        return False
    ended_seen = request.GET.get("ended") == "1"
    return ended_seen == (not session.is_open) and not chat_messages(session, after=after).exists()


def _customer_urls(session: ChatSession, token: str) -> dict[str, str]:
    args = (session.client.code, token)
    return {
        "page_url": reverse("channels_chat:customer", args=args),
        "log_url": reverse("channels_chat:customer-log", args=args),
        "send_url": reverse("channels_chat:customer-send", args=args),
        "end_url": reverse("channels_chat:customer-end", args=args),
    }


def _customer_context(session: ChatSession, token: str, **extra: Any) -> dict[str, Any]:
    urls = _customer_urls(session, token)
    return {
        "client": session.client,
        **urls,
        **_conversation(session, "customer", urls["log_url"], **extra),
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def customer_start(request: HttpRequest, client_code: str) -> HttpResponse:
    """The embeddable start form: name and email open a conversation (and its case). Posts
    are rate-limited per client and address (`limits`): over the limit, 429 and nothing
    stored."""
    client, origins = _customer_client(client_code)
    form = StartForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        verdict = chat_start_attempt(client_id=client.id, address=remote_address(request))
        if not verdict.allowed:
            return _too_many(request, client, form, verdict, origins)
        if form.is_valid():
            try:
                started = chat_session_start(
                    actor=CUSTOMER,
                    client=client,
                    customer_name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    first_message=form.cleaned_data["message"],
                )
            except ValidationFailed as failed:
                for error in failed.errors:
                    form.add_error(error.path if error.path in form.fields else None, error.message)
            else:
                page = reverse("channels_chat:customer", args=(client.code, started.token))
                return _embeddable(redirect(page), origins)
    context = {"client": client, "form": form}
    return _embeddable(
        render(request, "channels_chat/customer_start.html", context, status=status), origins
    )


def _too_many(
    request: HttpRequest, client: Client, form: StartForm, verdict: Verdict, origins: list[str]
) -> HttpResponse:
    """429 with the form as typed and a message; nothing is stored."""
    context = {"client": client, "form": form, "too_many": True}
    response = render(request, "channels_chat/customer_start.html", context, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return _embeddable(response, origins)


@require_GET
def customer_chat(request: HttpRequest, client_code: str, token: str) -> HttpResponse:
    session, origins = _customer_session(client_code, token)
    response = render(
        request, "channels_chat/customer_chat.html", _customer_context(session, token)
    )
    response["Cache-Control"] = "no-store"
    return _embeddable(response, origins)


@require_GET
def customer_log(request: HttpRequest, client_code: str, token: str) -> HttpResponse:
    session, origins = _customer_session(client_code, token)
    if _unchanged(request, session):
        return HttpResponse(status=204)
    context = _customer_context(session, token)
    return _embeddable(render(request, "channels_chat/_conversation.html#log", context), origins)


def _send_failure(error: ValidationFailed | Conflict) -> tuple[str, int]:
    if isinstance(error, ValidationFailed):
        return "; ".join(e.message for e in error.errors), 400
    return str(error), 409


@csrf_exempt
@require_POST
def customer_send(request: HttpRequest, client_code: str, token: str) -> HttpResponse:
    session, origins = _customer_session(client_code, token)
    error, status = "", 200
    try:
        chat_message_add(
            actor=CUSTOMER,
            session=session,
            author_kind=AuthorKind.CUSTOMER,
            text=str(request.POST.get("text", "")),
        )
    except (ValidationFailed, Conflict) as failed:
        error, status = _send_failure(failed)
    session.refresh_from_db()
    if not getattr(request, "htmx", False):
        if status != 200:
            context = _customer_context(session, token, error=error)
            return _embeddable(
                render(request, "channels_chat/customer_chat.html", context, status=status), origins
            )
        return _embeddable(redirect(_customer_urls(session, token)["page_url"]), origins)
    context = _customer_context(session, token, error=error)
    return _embeddable(
        render(request, "channels_chat/_conversation.html#panel", context, status=status), origins
    )


@csrf_exempt
@require_POST
def customer_end(request: HttpRequest, client_code: str, token: str) -> HttpResponse:
    session, origins = _customer_session(client_code, token)
    chat_session_end(actor=CUSTOMER, session=session)
    return _embeddable(redirect(_customer_urls(session, token)["page_url"]), origins)


# --- Agents ---------------------------------------------------------------------------------


def _agent_urls(session: ChatSession) -> dict[str, str]:
    return {
        "log_url": reverse("channels_chat:session-log", args=(session.pk,)),
        "send_url": reverse("channels_chat:session-reply", args=(session.pk,)),
        "end_url": reverse("channels_chat:session-end", args=(session.pk,)),
    }


def _agent_context(session: ChatSession, **extra: Any) -> dict[str, Any]:
    urls = _agent_urls(session)
    return {
        "client": session.client,
        "case": session.case,
        **urls,
        **_conversation(session, "agent", urls["log_url"], **extra),
    }


def _desk_rows(actor: Actor) -> list[dict[str, Any]]:
    return [
        {"session": session, "waiting": session.last_author_kind == AuthorKind.CUSTOMER}
        for session in chat_sessions_open(actor=actor)[:200]
    ]


@login_required
@require_GET
@domain_errors
def desk_page(request: HttpRequest) -> HttpResponse:
    """Open chats of the clients whose cases the agent works."""
    actor = request_actor(request)
    require_chat_desk(actor)
    context = {"rows": _desk_rows(actor), "poll_seconds": 5}
    return render(request, "channels_chat/desk.html", context)


@login_required
@require_GET
@domain_errors
def desk_rows(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    require_chat_desk(actor)
    context = {"rows": _desk_rows(actor), "poll_seconds": 5}
    return render(request, "channels_chat/desk.html#rows", context)


@login_required
@require_GET
@domain_errors
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    session = access_chat_session(request_actor(request), session_id, for_write=True)
    return render(request, "channels_chat/session.html", _agent_context(session))


@login_required
@require_GET
@domain_errors
def session_log(request: HttpRequest, session_id: int) -> HttpResponse:
    session = access_chat_session(request_actor(request), session_id, for_write=True)
    if _unchanged(request, session):
        return HttpResponse(status=204)
    return render(request, "channels_chat/_conversation.html#log", _agent_context(session))


def _agent_label(request: HttpRequest) -> str:
    user = request.user
    first = str(getattr(user, "first_name", "") or "")
    return first or user.get_username()


@login_required
@require_POST
@domain_errors
def session_reply(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = access_chat_session(actor, session_id, for_write=True)
    error, status = "", 200
    try:
        chat_message_add(
            actor=actor,
            session=session,
            author_kind=AuthorKind.AGENT,
            author_label=_agent_label(request),
            text=str(request.POST.get("text", "")),
        )
    except (ValidationFailed, Conflict) as failed:
        error, status = _send_failure(failed)
    session.refresh_from_db()
    if not getattr(request, "htmx", False):
        if error:
            messages.error(request, _("Nothing sent: %(reason)s") % {"reason": error})
        return redirect("channels_chat:session", session_id=session.pk)
    context = _agent_context(session, error=error)
    return render(request, "channels_chat/_conversation.html#panel", context, status=status)


@login_required
@require_POST
@domain_errors
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    actor = request_actor(request)
    session = access_chat_session(actor, session_id, for_write=True)
    chat_session_end(actor=actor, session=session)
    messages.success(request, _("The chat has ended."))
    return redirect("channels_chat:session", session_id=session.pk)
