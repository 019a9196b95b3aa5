"""Pages of a client's knowledge base: search and list, an article, writing one, attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactline.common.errors import Forbidden, NotFound, ValidationFailed
from pactline.common.http import domain_errors
from pactline.knowledge.access import (
    access_knowledge_article,
    access_knowledge_attachment,
    access_knowledge_client,
    can_write,
)
from pactline.knowledge.forms import KnowledgeArticleForm, tags_from_text
from pactline.knowledge.models import KnowledgeArticle
from pactline.knowledge.search import MAX_QUERY
from pactline.knowledge.selectors import (
    knowledge_article_list,
    knowledge_attachment_list,
    knowledge_search,
)
from pactline.knowledge.services import (
    knowledge_article_create,
    knowledge_article_publish,
    knowledge_article_update,
    knowledge_attachment_add,
)
from pactline.tenancy.access import Actor
from pactline.tenancy.http import request_actor
from pactline.tenancy.models import Client

INDEX = "knowledge/knowledge_index.html"


@login_required
@require_GET
@domain_errors
def knowledge_index(request: HttpRequest, code: str) -> HttpResponse:
    """The article list, or the results of `?q=`; htmx asks for the results alone."""
    actor = request_actor(request)
    now = timezone.now()
    client = access_knowledge_client(actor, code, at=now)
    query = " ".join((request.GET.get("q") or "").split())[:MAX_QUERY]
    context = {
        "client": client,
        "query": query,
        "hits": knowledge_search(actor=actor, client=client, query=query, now=now)
        if query
        else None,
        "articles": None if query else knowledge_article_list(actor=actor, client=client, now=now),
        "can_write": can_write(actor, client.id),
    }
    template = f"{INDEX}#results" if getattr(request, "htmx", False) else INDEX
    return render(request, template, context)


@login_required
@require_GET
@domain_errors
def knowledge_article(request: HttpRequest, article_id: int) -> HttpResponse:
    actor = request_actor(request)
    article = access_knowledge_article(actor, article_id, at=timezone.now())
    context = {
        "article": article,
        "client": article.client,
        "attachments": knowledge_attachment_list(article=article),
        "can_write": can_write(actor, article.client_id),
    }
    return render(request, "knowledge/article.html", context)


def _save(
    actor: Actor, form: KnowledgeArticleForm, client: Client, article: KnowledgeArticle | None
) -> KnowledgeArticle:
    """Create or update the article, its publication and an attachment: all or nothing."""
    data = form.cleaned_data
    fields: dict[str, Any] = {
        "title": data["title"],
        "body": data["body"],
        "language": data["language"],
        "tags": tags_from_text(data.get("tags") or ""),
    }
    with transaction.atomic():
        if article is None:
            article = knowledge_article_create(
                actor=actor, client=client, published=data["published"], **fields
            )
        else:
            article = knowledge_article_update(actor=actor, article=article, **fields)
            article = knowledge_article_publish(
                actor=actor, article=article, published=data["published"]
            )
        upload: UploadedFile[bytes] | None = data.get("attachment")
        if upload is not None:
            knowledge_attachment_add(
                actor=actor,
                article=article,
                content=upload,
                name=upload.name or "",
                content_type=upload.content_type or "application/octet-stream",
            )
    return article


def _edit(
    request: HttpRequest, actor: Actor, client: Client, article: KnowledgeArticle | None
) -> HttpResponse:
    initial = KnowledgeArticleForm.initial_for(article) if article is not None else {}
    form = KnowledgeArticleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(actor, form, client, article)
        except ValidationFailed as failed:
            for error in failed.errors:
                field = "attachment" if error.path in ("file", "name") else error.path
                form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("knowledge:article", article_id=saved.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "client": client, "article": article}
    return render(request, "knowledge/article_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def knowledge_new(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    client = access_knowledge_client(actor, code, at=timezone.now(), for_write=True)
    return _edit(request, actor, client, None)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def knowledge_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    actor = request_actor(request)
    article = access_knowledge_article(actor, article_id, at=timezone.now(), for_write=True)
    return _edit(request, actor, article.client, article)


@login_required
@require_POST
@domain_errors
def knowledge_publish(request: HttpRequest, article_id: int, published: bool) -> HttpResponse:
    actor = request_actor(request)
    article = access_knowledge_article(actor, article_id, at=timezone.now(), for_write=True)
    knowledge_article_publish(actor=actor, article=article, published=published)
    if published:
        messages.success(request, _("The article is published."))
    else:
        messages.success(request, _("The article is withdrawn; agents no longer see it."))
    return redirect("knowledge:article", article_id=article.pk)


@login_required
@require_GET
def knowledge_attachment(
    request: HttpRequest, article_id: int, attachment_id: int
) -> HttpResponseBase:
    """The file, to those who may read the article (never shown inline)."""
    actor = request_actor(request)
    try:
        attachment = access_knowledge_attachment(
            actor, article_id, attachment_id, at=timezone.now()
        )
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
