"""Loading a document from the page: a new version for a client, or onboarding a new client."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.agreements.tests.test_pages_support import example_for, example_text
from pactline.audit.models import AuditEvent
from pactline.tenancy.models import Client

NEW = "/clients/client-a/agreements/new/"


def _broken(world: World) -> str:
    """The Chinese example for client A with three independent mistakes."""
    return (
        example_text("customer-service-zh")
        .replace("code: huaxin-home", f"code: {world.client_a.code}")
        .replace("threshold_seconds: 20", "threshold_seconds: -5")
        .replace("timezone: Asia/Shanghai", "timezone: Mars/Olympus")
        .replace("  payment_terms_days: 45", "  payment_terms_days: 45\n  colour: blue")
    )


def test_every_error_is_listed_with_path_and_line_and_nothing_is_stored(
    client: HttpClient, world: World
) -> None:
    client.force_login(world.provider_admin.user)
    events = AuditEvent.objects.count()

    response = client.post(NEW, {"text": _broken(world)})

    assert response.status_code == 422
    html = response.content.decode()
    assert "The document has 3 problems; nothing was stored." in html
    assert (
        "calendars.workdays.timezone: unknown time zone &#x27;Mars/Olympus&#x27; (line 68)" in html
    )
    assert (
        "service_levels.phone.answer_within.threshold_seconds: must be greater than 0 (line 102)"
        in html
    )
    assert "pricing.colour: unknown field (line 217)" in html
    assert "Mars/Olympus" in html  # the pasted text is kept for correction
    assert AgreementVersion.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_errors_are_translated_for_a_chinese_user(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    response = client.post(NEW, {"text": _broken(world)}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 422
    assert "pricing.colour: 未知字段 (第 217 行)" in html


def test_a_pasted_document_becomes_a_draft_and_the_page_redirects_to_it(
    client: HttpClient, world: World
) -> None:
    client.force_login(world.provider_admin.user)
    response = client.post(NEW, {"text": example_for(world.client_a, "customer-service-zh")})

    version = AgreementVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agreements/versions/{version.pk}/"
    assert version.status == VersionStatus.DRAFT
    assert version.client == world.client_a
    assert version.created_by == "user:admin"

    again = client.post(
        NEW, {"text": example_for(world.client_a, "customer-service-zh")}, follow=True
    )
    assert "nothing new was stored" in again.content.decode()
    assert AgreementVersion.objects.count() == 1


def test_an_uploaded_yaml_file_is_accepted(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    text = example_text("general-outsourcing")
    text = text.replace(f"code: {_code_of(text)}", f"code: {world.client_a.code}")
    upload = SimpleUploadedFile("agreement.yaml", text.encode(), content_type="application/yaml")

    response = client.post(NEW, {"file": upload})

    assert response.status_code == 302
    version = AgreementVersion.objects.get()
    assert (version.client, version.source_format) == (world.client_a, "yaml")


def _code_of(yaml_text: str) -> str:
    client_block = yaml_text[yaml_text.index("  client:") :]
    line = next(line for line in client_block.splitlines() if line.strip().startswith("code:"))
    return line.split(":", 1)[1].strip()


def test_a_document_for_another_client_is_refused(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    response = client.post(NEW, {"text": example_for(world.client_b, "customer-service-zh")})
    assert response.status_code == 422
    assert (
        "parties.client.code: &#x27;client-b&#x27; is not this client" in response.content.decode()
    )
    assert AgreementVersion.objects.count() == 0


def test_text_and_file_together_or_neither_are_refused(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    upload = SimpleUploadedFile("a.json", b"{}", content_type="application/json")
    both = client.post(NEW, {"text": "reference: x", "file": upload})
    neither = client.post(NEW, {"text": "  "})
    assert both.status_code == neither.status_code == 422
    assert "Paste a document or upload a file, not both." in both.content.decode()
    assert "Paste a document or upload a file." in neither.content.decode()


def test_onboarding_creates_the_client_from_the_document(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    text = example_text("telecom-tiers")
    code = _code_of(text)

    response = client.post("/agreements/new/", {"text": text})

    created = Client.objects.get(code=code)
    version = AgreementVersion.objects.get(client=created)
    assert response.status_code == 302
    assert response["Location"] == f"/agreements/versions/{version.pk}/"


def test_onboarding_with_errors_creates_no_client(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    text = example_text("telecom-tiers").replace("currency: INR", "currency: rupees")
    clients = Client.objects.count()

    response = client.post("/agreements/new/", {"text": text})

    assert response.status_code == 422
    assert "pricing.currency: &#x27;rupees&#x27; is not a three-letter ISO 4217 currency code" in (
        response.content.decode()
    )
    assert Client.objects.count() == clients
