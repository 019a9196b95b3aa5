"""Authorization matrix for the materials pages: every persona × every page and POST.

Targets belong to client A. Anonymous → 302 to the login page; a persona that cannot see
client A → 404; one that sees it without the role → 403; allowed → 200 (pages) or 302
(actions). A denied POST changes nothing: recordings, requests, files, audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PERSONAS, PROVIDER_READERS
from pactline.audit.models import AuditEvent
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
)
from pactline.channels.recordings.models import Recording
from pactline.privacy.models import MaterialRequest
from pactline.privacy.tests.support import (  # noqa: F401 - fixture
    Materials,
    body,
    materials_fixture,
)

AUTHENTICATED = frozenset(PERSONAS) - {"anonymous"}
SEES_A = (
    frozenset(
        {"provider_admin", "supervisor", "client_a_manager", "client_a_viewer", "client_a_agent"}
    )
    | PROVIDER_READERS
)
WORKS_A = frozenset({"provider_admin", "supervisor", "client_a_agent"})
REQUESTS_A = frozenset({"provider_admin", "client_a_manager", "client_a_viewer"})
APPROVES_A = frozenset({"provider_admin", "supervisor"})
DESK = frozenset({"provider_admin", "supervisor", "client_a_agent", "client_b_agent"})


def _upload() -> dict[str, object]:
    return {
        "kind": "recording",
        "file": SimpleUploadedFile("new.wav", b"RIFF new call", content_type="audio/wav"),
    }


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Materials], str]
    allowed: frozenset[str]
    visible: frozenset[str] = SEES_A
    method: str = "get"
    data: Callable[[], dict[str, object]] = dict
    ok: int = 200
    redirect: Callable[[Materials], str] | None = None


PAGES = [
    Page("portal", lambda m: "/clients/client-a/materials/", REQUESTS_A),
    Page("desk", lambda m: "/materials/requests/", DESK, visible=AUTHENTICATED),
    Page("recording", lambda m: f"/materials/recordings/{m.transcript.pk}/", WORKS_A),
    Page("recording file", lambda m: f"/materials/recordings/{m.audio.pk}/file/", WORKS_A),
    Page("attach form", lambda m: f"/cases/{m.cases.a.pk}/materials/new/", WORKS_A),
    Page("download", lambda m: m.link, frozenset({"client_a_manager"})),
    Page(
        "attach",
        lambda m: f"/cases/{m.cases.a.pk}/materials/new/",
        WORKS_A,
        method="post",
        data=_upload,
        ok=302,
        redirect=lambda m: f"/materials/recordings/{Recording.objects.latest('id').pk}/",
    ),
    Page(
        "request",
        lambda m: f"/materials/recordings/{m.audio.pk}/request/",
        REQUESTS_A,
        method="post",
        data=lambda: {"reason": "Complaint review"},
        ok=302,
        redirect=lambda m: "/clients/client-a/materials/",
    ),
    *[
        Page(
            action,
            lambda m, action=action: f"/materials/requests/{m.pending.pk}/{action}/",
            APPROVES_A,
            method="post",
            data=lambda: {"valid_hours": "24", "note": "ok"},
            ok=302,
            redirect=lambda m: "/materials/requests/",
        )
        for action in ("approve", "reject")
    ],
]


def _expected(page: Page, persona: str) -> int:
    if persona == "anonymous":
        return 302
    if persona not in page.visible:
        return 404
    if persona not in page.allowed:
        return 403
    return page.ok


def snapshot(media_root: Path) -> tuple[object, ...]:
    """Everything a materials action could change."""
    return (
        tuple(Recording.objects.order_by("pk").values_list("pk", "sha256", "file")),
        tuple(
            MaterialRequest.objects.order_by("pk").values_list(
                "pk", "status", "decided_at", "link_expires_at", "decision_note"
            )
        ),
        AuditEvent.objects.count(),
        sorted(str(path) for path in media_root.rglob("*") if path.is_file()),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_matrix(materials: Materials, media_root: Path, page: Page, persona: str) -> None:
    http = as_persona(materials.world, persona)
    url = page.url(materials)
    before = snapshot(media_root)

    response = http.post(url, page.data()) if page.method == "post" else http.get(url)

    assert response.status_code == _expected(page, persona), response.content[:400]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")
    if response.status_code == 200 and page.name in ("recording file", "download"):
        assert body(response)
    if page.method == "post":
        after = snapshot(media_root)
        if persona in page.allowed:
            assert after != before, "an allowed action must change something"
            assert page.redirect is not None
            assert response["Location"] == page.redirect(materials)
        else:
            assert after == before, "a denied action must change nothing"


@pytest.mark.parametrize(
    "url",
    [
        "/materials/recordings/{rec}/request/",
        "/materials/requests/{req}/approve/",
        "/materials/requests/{req}/reject/",
    ],
)
def test_actions_refuse_get(materials: Materials, url: str) -> None:
    http = as_persona(materials.world, "provider_admin")
    target = url.format(rec=materials.audio.pk, req=materials.pending.pk)
    assert http.get(target).status_code == 405


def test_unknown_things_are_404(materials: Materials) -> None:
    http = as_persona(materials.world, "provider_admin")
    assert http.post(f"/materials/requests/{materials.pending.pk}/delete/").status_code == 404
    assert http.get("/materials/recordings/999999/").status_code == 404
    assert http.post("/materials/requests/999999/approve/").status_code == 404
    assert http.get("/clients/nobody/materials/").status_code == 404
    assert http.get("/cases/999999/materials/new/").status_code == 404


def test_another_clients_recording_looks_missing(materials: Materials) -> None:
    http = as_persona(materials.world, "client_a_agent")
    other = http.get(f"/materials/recordings/{materials.b_audio.pk}/")
    missing = http.get("/materials/recordings/999999/")
    assert other.status_code == missing.status_code == 404


def test_the_desk_lists_only_the_actors_clients(materials: Materials) -> None:
    html = as_persona(materials.world, "client_b_agent").get("/materials/requests/").content
    text = html.decode()
    assert "呼叫.mp3" in text
    assert "call-1.wav" not in text and "chat-7.txt" not in text
    # Agents see recordings but decide nothing.
    assert "/approve/" not in text
    sup = as_persona(materials.world, "supervisor").get("/materials/requests/").content.decode()
    assert f"/materials/requests/{materials.pending.pk}/approve/" in sup
    assert f"/materials/requests/{materials.b_pending.pk}/approve/" in sup
