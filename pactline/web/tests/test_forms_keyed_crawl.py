"""Every state-changing form a user can reach carries an idempotency key: each role follows
the links from its home page (bounded), and every POST form on every page has one, except
the language switch. Django's own admin is left out (its forms are Django's)."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client as HttpClient

from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    Console,
    console_fixture,
    frozen,
    http_as,
)

PAGES_PER_ROLE = 60
LINK = re.compile(r"""\b(?:href|hx-get)="(/[^"]*)\"""")
FORM = re.compile(r"<form\b(?P<tag>[^>]*)>(?P<inside>.*?)</form>", re.S | re.I)
KEY = re.compile(r'<input type="hidden" name="idempotency_key" value="[0-9a-f-]{36}">')
SKIPPED = ("/admin/", "/static/", "/api/", "/i18n/", "/logout/")


def _crawl(http: HttpClient) -> tuple[int, int, list[str]]:
    """(pages seen, keyed POST forms seen, POST forms without a key as "page: <form…>")."""
    queue, seen, missing, pages, keyed = deque(["/"]), {"/"}, [], 0, 0
    while queue and pages < PAGES_PER_ROLE:
        url = queue.popleft()
        response = http.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        for form in FORM.finditer(html):
            tag = form.group("tag")
            if re.search(r"""method=["']post["']""", tag, re.I) and "/i18n/setlang/" not in tag:
                if KEY.search(form.group("inside")):
                    keyed += 1
                else:
                    missing.append(f"{url}: <form{tag}>")
        for link in LINK.findall(html):
            target = urldefrag(link.replace("&amp;", "&"))[0]
            path = urlsplit(target).path
            if target not in seen and not path.startswith(SKIPPED):
                seen.add(target)
                queue.append(target)
    return pages, keyed, missing


@pytest.mark.parametrize(
    "persona", ["provider_admin", "supervisor", "client_a_agent", "client_a_manager"]
)
def test_every_post_form_a_role_reaches_carries_a_key(console: Console, persona: str) -> None:
    pages, keyed, missing = _crawl(http_as(console, persona))
    assert pages >= 10 and keyed >= pages  # at least the sign-out form on every page
    assert missing == []
