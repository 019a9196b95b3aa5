"""The admin writes articles through the services (audited, indexed)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from conftest import World, make_user
from pactline.audit.models import AuditEvent
from pactline.knowledge.models import KnowledgeArticle
from pactline.knowledge.selectors import knowledge_search
from pactline.knowledge.tests.support import SYSTEM
from pactline.tenancy.models import Role

pytestmark = pytest.mark.django_db


def _admin(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def root(world: World) -> User:
    user = make_user("root", (Role.PROVIDER_ADMIN, None), is_staff=True)
    user.is_superuser = True
    user.save()
    return user


def test_an_article_saved_in_the_admin_is_searchable(world: World, root: User) -> None:
    data = {
        "client": world.client_a.pk,
        "title": "保修说明",
        "language": "zh-hans",
        "tags": '["保修"]',
        "published": "on",
        "body": "商品自签收之日起保修一年。",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    response = _admin(root).post("/admin/knowledge/knowledgearticle/add/", data)
    assert response.status_code == 302, response.content[:600]
    article = KnowledgeArticle.objects.get()
    hits = knowledge_search(actor=SYSTEM, client=world.client_a, query="保修一年")
    assert [hit.article.pk for hit in hits] == [article.pk]

    data |= {"body": "商品自签收之日起保修两年。"}
    response = _admin(root).post(f"/admin/knowledge/knowledgearticle/{article.pk}/change/", data)
    assert response.status_code == 302, response.content[:600]
    assert knowledge_search(actor=SYSTEM, client=world.client_a, query="保修一年") == []
    actions = AuditEvent.objects.filter(action__startswith="knowledge_article.").order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "knowledge_article.created",
        "knowledge_article.updated",
    ]


def test_the_admin_refuses_an_article_from_a_user_without_the_role(world: World) -> None:
    staff = make_user("staff", is_staff=True)
    staff.is_superuser = True
    staff.save()
    data = {
        "client": world.client_a.pk,
        "title": "Refund policy",
        "language": "en",
        "tags": "[]",
        "body": "Five days.",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    response = _admin(staff).post("/admin/knowledge/knowledgearticle/add/", data)
    assert response.status_code == 200
    assert "You may not manage this client&#x27;s knowledge base." in response.content.decode()
    assert KnowledgeArticle.objects.count() == 0
