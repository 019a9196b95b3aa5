"""Layout, sign-in/out, language switch, CSP and the start page per role."""

from __future__ import annotations

import re

from django.test import Client as HttpClient

from conftest import PASSWORD, World
from pactline.agreements.tests.test_pages_support import (  # noqa: F401 - fixture
    A_TITLE,
    B_TITLE,
    Agreements,
    agreements_fixture,
)


def test_every_script_carries_the_csp_nonce_and_nothing_is_inline(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.provider_admin.user)
    response = client.get(f"/agreements/versions/{agreements.a_proposed.pk}/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and "default-src 'self'" in policy
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "htmx is loaded"
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts)
    assert any("django_htmx/htmx-2.min.js" in tag for tag in scripts)
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[\w]+"\}\'>', html)


def test_sign_in_through_the_form_and_sign_out_by_post_only(
    client: HttpClient, world: World
) -> None:
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()

    response = client.post("/login/", {"username": "a-viewer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"

    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_on_the_page(client: HttpClient, world: World) -> None:
    response = client.post("/login/", {"username": "a-viewer", "password": "nope"})
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()


def test_language_switch_turns_the_pages_into_chinese(client: HttpClient, world: World) -> None:
    client.force_login(world.client_a_viewer.user)
    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert 'name="language" value="zh-hans"' in english

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302

    chinese = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "首页" in chinese and "退出登录" in chinese


def test_provider_admin_home_shows_all_clients_and_recent_activity(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.provider_admin.user)
    html = client.get("/").content.decode()
    assert "Client A" in html and "Client B" in html
    assert "HX-KF-2026-018 · v1" in html
    assert "Recent activity" in html and "Agreement version activated" in html
    assert "Versions in progress" in html
    assert 'href="/admin/"' in html  # staff provider admins get the Django admin


def test_supervisor_home_shows_its_clients_without_the_audit_log(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.supervisor.user)
    html = client.get("/").content.decode()
    assert "Client A" in html and "Client B" in html
    assert "Recent activity" not in html
    assert 'href="/admin/"' not in html
    assert "Onboard a client" not in html


def test_client_manager_home_shows_its_agreement_and_what_awaits_acceptance(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_manager.user)
    html = client.get("/").content.decode()
    assert A_TITLE in html
    assert "Changes awaiting your acceptance" in html
    assert f"/agreements/versions/{agreements.a_proposed.pk}/" in html
    assert f"/agreements/versions/{agreements.a_draft.pk}/" not in html  # drafts stay internal
    assert "Client B" not in html and B_TITLE not in html
    assert 'href="/clients/client-a/"' in html  # "Our agreement"
    assert 'href="/clients/client-a/tokens/"' in html


def test_client_viewer_has_no_token_link(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_viewer.user)
    html = client.get("/").content.decode()
    assert 'href="/clients/client-a/tokens/"' not in html
    assert A_TITLE in html


def test_not_found_page_uses_the_layout_and_names_nothing(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_manager.user)
    response = client.get(f"/agreements/versions/{agreements.b_active.pk}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Not found" in html and "Pactline" in html
    assert "Client B" not in html and B_TITLE not in html


def test_the_first_link_skips_to_the_content(client: HttpClient, world: World) -> None:
    client.force_login(world.client_a_viewer.user)
    html = client.get("/").content.decode()
    body = html[html.index("<body") :]
    first_link = body[body.index("<a ") : body.index("</a>") + 4]
    assert first_link == '<a class="skip-link" href="#main">Skip to content</a>'
    assert '<main class="page" id="main" tabindex="-1">' in html
