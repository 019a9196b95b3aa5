"""Knowledge base pages: the authorization matrix (every persona × every page and POST) and the
pages' behaviour (live search partial, forms, downloads).

Targets belong to client A. Anonymous → 302 to the login page; a persona that cannot see
client A → 404; one that sees it without the role → 403 (an agent who is not certified
included); allowed → 200 (pages) or 302 (actions). A denied POST changes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from conftest import PERSONAS as WORLD_PERSONAS
from conftest import PROVIDER_READERS
from pactline.audit.models import AuditEvent
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment
from pactline.knowledge.services import knowledge_attachment_add
from pactline.knowledge.tests.support import (  # noqa: F401 - fixture
    AT,
    RETURNS_TITLE,
    SYSTEM,
    Programmes,
    programmes_fixture,
)

pytestmark = pytest.mark.django_db

PERSONAS = [*WORLD_PERSONAS, "a_uncertified"]
SEES_A = (
    frozenset(
        {
            "provider_admin",
            "supervisor",
            "client_a_manager",
            "client_a_viewer",
            "client_a_agent",
        }
    )
    | PROVIDER_READERS
)
# An agent who is not cleared for client A (not certified) does not see it at all: 404.
READS_A = frozenset({"provider_admin", "supervisor", "client_a_agent"})
MANAGES_A = frozenset({"provider_admin", "supervisor"})


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Programmes], str]
    allowed: frozenset[str]
    method: str = "get"
    data: Callable[[], dict[str, object]] = field(default=dict)
    ok: int = 200
    htmx: bool = False


def _article(which: str, suffix: str = "") -> Callable[[Programmes], str]:
    return lambda p: f"/knowledge/{getattr(p, which).pk}/{suffix}"


def _form(title: str = "New article") -> dict[str, object]:
    return {
        "title": title,
        "language": "en",
        "tags": "billing, 退款",
        "body": "Some text.",
        "published": "on",
        "attachment": SimpleUploadedFile("form.pdf", b"%PDF-1.4", "application/pdf"),
    }


PAGES = [
    Page("knowledge base", lambda p: "/clients/client-a/knowledge/", READS_A),
    Page("search", lambda p: "/clients/client-a/knowledge/?q=退货", READS_A),
    Page("live search", lambda p: "/clients/client-a/knowledge/?q=refund", READS_A, htmx=True),
    Page("article", _article("refund"), READS_A),
    Page(
        "attachment",
        lambda p: f"/knowledge/{p.refund.pk}/attachments/{p.refund.attachments.get().pk}/",
        READS_A,
    ),
    Page("new article form", lambda p: "/clients/client-a/knowledge/new/", MANAGES_A),
    Page("edit form", _article("refund", "edit/"), MANAGES_A),
    Page(
        "create",
        lambda p: "/clients/client-a/knowledge/new/",
        MANAGES_A,
        method="post",
        data=_form,
        ok=302,
    ),
    Page("edit", _article("refund", "edit/"), MANAGES_A, method="post", data=_form, ok=302),
    Page("publish", _article("draft", "publish/"), MANAGES_A, method="post", ok=302),
    Page("withdraw", _article("refund", "withdraw/"), MANAGES_A, method="post", ok=302),
]


@pytest.fixture(name="kb")
def kb_fixture(programmes: Programmes) -> Programmes:
    knowledge_attachment_add(
        actor=SYSTEM,
        article=programmes.refund,
        content=io.BytesIO(b"refund form"),
        name="refund-form.txt",
        content_type="text/plain",
        now=AT,
    )
    return programmes


def login(programmes: Programmes, persona: str) -> HttpClient:
    http = HttpClient()
    user = (
        programmes.a_uncertified
        if persona == "a_uncertified"
        else getattr(programmes.world, persona).user
    )
    if user is not None:
        http.force_login(user)
    return http


def snapshot() -> tuple[object, ...]:
    return (
        tuple(
            KnowledgeArticle.objects.order_by("pk").values_list(
                "title", "body", "tags", "published", "updated_at"
            )
        ),
        KnowledgeAttachment.objects.count(),
        AuditEvent.objects.count(),
    )


def _expected(page: Page, persona: str) -> int:
    if persona == "anonymous":
        return 302
    if persona not in SEES_A:
        return 404
    if persona not in page.allowed:
        return 403
    return page.ok


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_matrix(kb: Programmes, page: Page, persona: str) -> None:
    http = login(kb, persona)
    url = page.url(kb)
    before = snapshot()
    headers = {"HX-Request": "true"} if page.htmx else {}

    if page.method == "post":
        response = http.post(url, page.data(), headers=headers)
    else:
        response = http.get(url, headers=headers)

    body = getattr(response, "content", b"")[:400]
    assert response.status_code == _expected(page, persona), body
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")
    if page.method == "post":
        after = snapshot()
        if persona in page.allowed:
            assert after != before, "an allowed action must change something"
            assert response["Location"].startswith("/knowledge/")
        else:
            assert after == before, "a denied action must change nothing"


def test_a_draft_does_not_exist_for_agents(kb: Programmes) -> None:
    url = f"/knowledge/{kb.draft.pk}/"
    assert login(kb, "client_a_agent").get(url).status_code == 404
    assert login(kb, "supervisor").get(url).status_code == 200


def test_a_missing_article_and_another_clients_article_look_the_same(kb: Programmes) -> None:
    http = login(kb, "client_b_agent")
    missing = http.get("/knowledge/999999/")
    other = http.get(f"/knowledge/{kb.refund.pk}/")
    assert missing.status_code == other.status_code == 404
    own = http.get(f"/knowledge/{kb.b_article.pk}/")
    assert own.status_code == 200


def test_an_attachment_is_found_only_through_its_own_article(kb: Programmes) -> None:
    attachment = kb.refund.attachments.get()
    http = login(kb, "client_a_agent")
    assert http.get(f"/knowledge/{kb.returns.pk}/attachments/{attachment.pk}/").status_code == 404
    response = http.get(f"/knowledge/{kb.refund.pk}/attachments/{attachment.pk}/")
    assert response["Content-Disposition"] == 'attachment; filename="refund-form.txt"'
    assert response["Content-Type"] == "text/plain"
    assert b"".join(response.streaming_content) == b"refund form"  # type: ignore[attr-defined]


def test_live_search_returns_the_results_partial_with_marks(kb: Programmes) -> None:
    http = login(kb, "client_a_agent")
    response = http.get("/clients/client-a/knowledge/?q=退货", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="kb-results"')
    assert "<html" not in html
    assert f"{RETURNS_TITLE.replace('退货', '<mark>退货</mark>')}</a>" in html
    assert "Refund policy" not in html

    page = http.get("/clients/client-a/knowledge/?q=refund").content.decode()
    assert "<html" in page and 'hx-get="/clients/client-a/knowledge/"' in page
    assert "<mark>Refund</mark> policy" in page


def test_the_list_shows_published_articles_to_agents(kb: Programmes) -> None:
    html = login(kb, "client_a_agent").get("/clients/client-a/knowledge/").content.decode()
    assert "Refund policy" in html and RETURNS_TITLE in html
    assert "Holiday returns" not in html
    assert "/knowledge/new/" not in html
    managed = login(kb, "supervisor").get("/clients/client-a/knowledge/").content.decode()
    assert "Holiday returns" in managed and "/clients/client-a/knowledge/new/" in managed


def test_creating_an_article_with_an_attachment(kb: Programmes) -> None:
    http = login(kb, "supervisor")
    response = http.post("/clients/client-a/knowledge/new/", _form("换货流程"))
    created = KnowledgeArticle.objects.get(title="换货流程")
    assert response["Location"] == f"/knowledge/{created.pk}/"
    assert (created.client_id, created.tags, created.published) == (
        kb.world.client_a.pk,
        ["billing", "退款"],
        True,
    )
    assert list(created.attachments.values_list("name", "content_type", "size")) == [
        ("form.pdf", "application/pdf", 8)
    ]
    page = http.get(response["Location"]).content.decode()
    assert "form.pdf" in page


def test_a_bad_form_is_shown_again_and_writes_nothing(
    kb: Programmes, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = login(kb, "supervisor")
    before = snapshot()
    data = _form("  ") | {"attachment": SimpleUploadedFile("empty.txt", b"", "text/plain")}
    response = http.post("/clients/client-a/knowledge/new/", data)
    assert response.status_code == 422
    assert snapshot() == before
    # The service refuses the tags: the attachment is not stored either.
    data = _form("Kept?") | {"tags": ", ".join(f"t{n}" for n in range(21))}
    response = http.post(f"/knowledge/{kb.refund.pk}/edit/", data)
    assert response.status_code == 422
    assert "at most 20 tags" in response.content.decode()
    assert snapshot() == before
    # The service refuses the attachment: the new article is not kept either.
    monkeypatch.setattr("pactline.knowledge.services.ATTACHMENT_MAX_BYTES", 4)
    response = http.post("/clients/client-a/knowledge/new/", _form("Kept?"))
    assert response.status_code == 422
    assert "at most 0 MB" in response.content.decode()
    assert snapshot() == before
    assert http.get("/clients/client-a/knowledge/?q=kept").context["hits"] == []


def test_publishing_from_the_article_page(kb: Programmes) -> None:
    http = login(kb, "supervisor")
    html = http.get(f"/knowledge/{kb.draft.pk}/").content.decode()
    assert f'action="/knowledge/{kb.draft.pk}/publish/"' in html
    http.post(f"/knowledge/{kb.draft.pk}/publish/")
    kb.draft.refresh_from_db()
    assert kb.draft.published is True
    assert login(kb, "client_a_agent").get(f"/knowledge/{kb.draft.pk}/").status_code == 200
