"""Workforce and knowledge services: who may call them, idempotency, audit, validation."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from pytest_django.fixtures import Settings

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.common.errors import Forbidden, NotFound, ValidationFailed
from pactline.workforce.models import (
    AgentCertification,
    ConfidentialityAgreement,
    KnowledgeArticle,
    KnowledgeAttachment,
)
from pactline.workforce.selectors import knowledge_search
from pactline.workforce.services import (
    agent_certification_revoke,
    agent_certify,
    confidentiality_agreement_record,
    knowledge_article_create,
    knowledge_article_delete,
    knowledge_article_publish,
    knowledge_article_update,
    knowledge_attachment_add,
)
from pactline.workforce.tests.support import AT, NDA, SYSTEM, agent, article

pytestmark = pytest.mark.django_db

JAN = date(2026, 1, 5)


def _audit(prefix: str) -> list[tuple[str, dict[str, Any]]]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", "payload")
    )


def _paths(failed: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [error.path for error in failed.value.errors]


def test_certify_is_idempotent_and_renewal_and_revocation_are_audited(world: World) -> None:
    ann = agent("ann", world.client_a)
    first = agent_certify(actor=SYSTEM, client=world.client_a, user=ann, certified_on=JAN, now=AT)
    again = agent_certify(actor=SYSTEM, client=world.client_a, user=ann, certified_on=JAN, now=AT)
    assert again.pk == first.pk
    assert _audit("agent_certification.") == [
        (
            "agent_certification.granted",
            {"user": "ann", "certified_on": "2026-01-05", "expires_on": None},
        )
    ]

    agent_certification_revoke(actor=SYSTEM, certification=first, reason="  left  ", now=AT)
    agent_certification_revoke(actor=SYSTEM, certification=first, now=AT + timedelta(hours=1))
    first.refresh_from_db()
    assert (first.revoked_at, first.revoked_reason) == (AT, "left")

    renewed = agent_certify(
        actor=SYSTEM,
        client=world.client_a,
        user=ann,
        certified_on=date(2026, 4, 1),
        expires_on=date(2027, 4, 1),
        now=AT,
    )
    assert (renewed.pk, renewed.revoked_at, renewed.expires_on) == (
        first.pk,
        None,
        date(2027, 4, 1),
    )
    assert AgentCertification.objects.filter(user=ann).count() == 1
    assert [action for action, _payload in _audit("agent_certification.")] == [
        "agent_certification.granted",
        "agent_certification.revoked",
        "agent_certification.renewed",
    ]


def test_confidentiality_agreements_are_kept_per_document_version(world: World) -> None:
    ann = agent("ann", world.client_a)

    def record(version: str, signed_on: date, expires_on: date | None = None) -> None:
        confidentiality_agreement_record(
            actor=SYSTEM,
            client=world.client_a,
            user=ann,
            signed_on=signed_on,
            document_version=version,
            expires_on=expires_on,
            now=AT,
        )

    record(NDA, JAN)
    record(f"  {NDA} ", JAN)  # the same, once trimmed
    record(NDA, JAN, date(2027, 1, 5))  # a correction
    record("NDA-2027-1", date(2027, 1, 4))
    rows = ConfidentialityAgreement.objects.filter(user=ann).order_by("document_version")
    assert list(rows.values_list("document_version", "signed_on", "expires_on")) == [
        (NDA, JAN, date(2027, 1, 5)),
        ("NDA-2027-1", date(2027, 1, 4), None),
    ]
    assert [action for action, _payload in _audit("confidentiality_agreement.")] == [
        "confidentiality_agreement.recorded",
        "confidentiality_agreement.corrected",
        "confidentiality_agreement.recorded",
    ]


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("provider_admin", None),
        ("supervisor", None),
        ("client_a_agent", Forbidden),
        ("client_a_manager", Forbidden),
        ("client_a_viewer", Forbidden),
        ("client_b_agent", NotFound),
        ("client_b_manager", NotFound),
    ],
)
def test_only_provider_admins_and_supervisors_keep_the_records(
    world: World, persona: str, error: type[Exception] | None
) -> None:
    actor = getattr(world, persona).actor
    ann = agent("ann", world.client_a)
    calls = [
        lambda: agent_certify(actor=actor, client=world.client_a, user=ann, certified_on=JAN),
        lambda: confidentiality_agreement_record(
            actor=actor, client=world.client_a, user=ann, signed_on=JAN, document_version=NDA
        ),
        lambda: knowledge_article_create(actor=actor, client=world.client_a, title="T", body="B"),
    ]
    for call in calls:
        if error is None:
            call()
        else:
            with pytest.raises(error):
                call()
    expected = 0 if error else 1
    assert AgentCertification.objects.filter(user=ann).count() == expected
    assert ConfidentialityAgreement.objects.filter(user=ann).count() == expected
    assert KnowledgeArticle.objects.count() == expected


def test_bad_records_are_refused_naming_the_field(world: World) -> None:
    ann = agent("ann", world.client_a)
    with pytest.raises(ValidationFailed) as failed:
        agent_certify(
            actor=SYSTEM, client=world.client_a, user=ann, certified_on=JAN, expires_on=JAN
        )
    assert _paths(failed) == ["expires_on"]
    assert world.client_a_manager.user is not None
    with pytest.raises(ValidationFailed) as failed:
        agent_certify(
            actor=SYSTEM, client=world.client_a, user=world.client_a_manager.user, certified_on=JAN
        )
    assert _paths(failed) == ["user"]
    # An agent of client B is not an agent of client A.
    assert world.client_b_agent.user is not None
    with pytest.raises(ValidationFailed) as failed:
        confidentiality_agreement_record(
            actor=SYSTEM,
            client=world.client_a,
            user=world.client_b_agent.user,
            signed_on=JAN,
            document_version=" ",
        )
    assert _paths(failed) == ["user", "document_version"]
    assert not AgentCertification.objects.filter(certified_on=JAN).exists()
    assert not ConfidentialityAgreement.objects.filter(signed_on=JAN).exists()


def test_articles_are_validated_and_cleaned(world: World) -> None:
    with pytest.raises(ValidationFailed) as failed:
        knowledge_article_create(
            actor=SYSTEM,
            client=world.client_a,
            title="  ",
            body="",
            language="fr",
            tags=["x" * 41],
        )
    assert _paths(failed) == ["title", "body", "language", "tags"]
    created = knowledge_article_create(
        actor=SYSTEM,
        client=world.client_a,
        title="  Refund \n policy ",
        body="Line one\r\nLine two\n",
        tags=[" billing ", "billing", "", "退款"],
        now=AT,
    )
    assert (created.title, created.body, created.tags, created.published) == (
        "Refund policy",
        "Line one\nLine two",
        ["billing", "退款"],
        False,
    )


def test_update_and_publish_change_only_what_differs(world: World) -> None:
    load(world.client_a, "general-outsourcing")
    item = article(world.client_a, "Refund policy", "Five days.", published=False)
    same = knowledge_article_update(
        actor=SYSTEM, article=item, title="Refund policy", body="Five days.", language="en"
    )
    assert same.updated_at == AT
    later = AT + timedelta(days=1)
    changed = knowledge_article_update(
        actor=SYSTEM,
        article=item,
        title="Refund policy",
        body="Three days.",
        language="en",
        tags=["billing"],
        now=later,
    )
    assert (changed.body, changed.tags, changed.updated_at) == ("Three days.", ["billing"], later)
    knowledge_article_publish(actor=SYSTEM, article=item, now=later)
    knowledge_article_publish(actor=SYSTEM, article=item, now=later)
    knowledge_article_publish(actor=SYSTEM, article=item, published=False, now=later)
    assert _audit("knowledge_article.") == [
        (
            "knowledge_article.created",
            {"title": "Refund policy", "language": "en", "published": False},
        ),
        ("knowledge_article.updated", {"title": "Refund policy", "changed": ["body", "tags"]}),
        ("knowledge_article.published", {"title": "Refund policy"}),
        ("knowledge_article.withdrawn", {"title": "Refund policy"}),
    ]


def test_attachments_are_stored_under_generated_names(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = article(world.client_a, "Returns", "Form attached.")
    stored = knowledge_attachment_add(
        actor=SYSTEM,
        article=item,
        content=io.BytesIO(b"%PDF-1.4 returns form"),
        name='C:\\forms\\..\\退货 "form".PDF',
        content_type="application/pdf; charset=binary",
        now=AT,
    )
    assert (stored.name, stored.content_type, stored.size, stored.client_id) == (
        "退货 form.PDF",
        "application/pdf",
        21,
        world.client_a.pk,
    )
    assert stored.file.name.startswith(f"knowledge/{world.client_a.pk}/{item.pk}/")
    assert stored.file.name.endswith(".pdf")
    assert default_storage.open(stored.file.name).read() == b"%PDF-1.4 returns form"
    assert _audit("knowledge_attachment.")[0][1] == {
        "article": item.pk,
        "name": "退货 form.PDF",
        "size": 21,
        "content_type": "application/pdf",
    }


def test_an_empty_or_unnamed_attachment_is_refused_and_nothing_is_stored(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = article(world.client_a, "Returns", "Form attached.")
    with pytest.raises(ValidationFailed) as failed:
        knowledge_attachment_add(actor=SYSTEM, article=item, content=io.BytesIO(b""), name="/")
    assert _paths(failed) == ["name", "file"]
    assert KnowledgeAttachment.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_an_attachment_over_the_limit_is_refused(
    world: World, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("pactline.workforce.services.ATTACHMENT_MAX_BYTES", 10)
    item = article(world.client_a, "Returns", "Form attached.")
    with pytest.raises(ValidationFailed) as failed:
        knowledge_attachment_add(
            actor=SYSTEM, article=item, content=io.BytesIO(b"x" * 11), name="big.bin"
        )
    assert _paths(failed) == ["file"]
    assert KnowledgeAttachment.objects.count() == 0


def test_deleting_an_article_removes_its_text_and_files(
    world: World,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = article(world.client_a, "Returns", "Form attached.")
    kept = article(world.client_a, "Returns abroad", "Customs form.")
    stored = knowledge_attachment_add(
        actor=SYSTEM, article=item, content=io.BytesIO(b"form"), name="form.txt"
    )
    with django_capture_on_commit_callbacks(execute=True):
        knowledge_article_delete(actor=SYSTEM, article=item, now=AT)
    assert list(KnowledgeArticle.objects.values_list("pk", flat=True)) == [kept.pk]
    assert KnowledgeAttachment.objects.count() == 0
    assert not default_storage.exists(stored.file.name)
    hits = knowledge_search(actor=SYSTEM, client=world.client_a, query="returns", now=AT)
    assert [hit.article.pk for hit in hits] == [kept.pk]
    assert _audit("knowledge_article.deleted") == [
        ("knowledge_article.deleted", {"title": "Returns", "attachments": 1})
    ]
