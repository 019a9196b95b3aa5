"""The client users' start page is their service-level dashboard, and the dashboard reads in
Simplified Chinese (definitions translated and filled in)."""

from __future__ import annotations

import re

import pytest
import time_machine

from pactline.metrics.tests.test_dashboard_support import (  # noqa: F401 - fixture
    NOW,
    Http,
    loaded_fixture,
)

pytestmark = pytest.mark.django_db


def _row(html: str, level: str) -> str:
    match = re.search(rf'<tr data-level="{re.escape(level)}">(.*?)</tr>', html, re.S)
    assert match, level
    return re.sub(r"\s+", " ", match.group(1))


def test_the_client_users_start_page_is_their_dashboard(loaded: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        a = loaded.as_("client_a_manager").get("/").content.decode()
        b = loaded.as_("client_b_manager").get("/").content.decode()
        staff = loaded.as_("supervisor").get("/").content.decode()
    assert "Welcome, a-manager" in a
    assert "Service levels: Client A" in a and "60%" in _row(a, "phone.answer_within")
    assert 'href="/clients/client-a/dashboard/"' in a  # in the navigation too
    assert "Client A" not in b
    assert "Service levels: Client B" in b and "Asia/Kathmandu (+0545)" in b
    assert "Service levels: Client" not in staff  # staff keep their own start page
    assert 'href="/wallboard/"' in staff and 'href="/wallboard/"' not in a


def test_the_dashboard_in_simplified_chinese(loaded: Http) -> None:
    http = loaded.as_("client_a_manager")
    http.cookies["django_language"] = "zh-hans"
    with time_machine.travel(NOW, tick=False):
        html = http.get("/clients/client-a/dashboard/").content.decode()
    assert 'lang="zh-hans"' in html
    row = _row(html, "phone.answer_within")
    assert "20 秒" in row  # the definition, translated and filled in
    assert "未计量" in row
