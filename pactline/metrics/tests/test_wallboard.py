"""The supervisor wallboard: only the client's supervisors and provider admins see it (everyone
else gets 404), the tiles and their values, and the htmx partials refreshed every 5 s."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from conftest import PERSONAS, World
from pactline.channels.voice.models import AgentState
from pactline.metrics.tests.test_dashboard_support import (
    NOW,
    Http,
    agent_state,
    calls_today,
    import_and_consume,
    live_call,
    load_in_zone,
)

pytestmark = pytest.mark.django_db

WATCHES_A = {"provider_admin", "supervisor"}
PATHS = ["/clients/client-a/wallboard/", "/clients/client-a/wallboard/tiles/"]


@pytest.fixture
def board(world: World, tmp_path: Path) -> Http:
    load_in_zone(world.client_a, "America/New_York")
    load_in_zone(world.client_b, "Asia/Kolkata")
    import_and_consume(world.client_a, calls_today(), tmp_path, "a")
    live_call(world.client_a, "w1", NOW - timedelta(seconds=125))
    live_call(world.client_a, "w2", NOW - timedelta(seconds=12))
    live_call(world.client_b, "b1", NOW - timedelta(seconds=40))
    agent_state(world.client_a, "Alice", AgentState.LOGIN, NOW - timedelta(hours=2))
    agent_state(world.client_a, "Bob", AgentState.PAUSE, NOW - timedelta(minutes=3))
    return Http(world)


def _tile(html: str, name: str) -> str:
    match = re.search(rf'data-tile="{name}">(.*?)</section>', html, re.S)
    assert match, name
    return re.sub(r"\s+", " ", match.group(1))


def _big(html: str, name: str) -> str:
    match = re.search(r'<p class="big">([^<]*)</p>', _tile(html, name))
    assert match, name
    return match.group(1)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", PATHS)
def test_wallboard_matrix(board: Http, persona: str, path: str) -> None:
    with time_machine.travel(NOW, tick=False):
        response = board.as_(persona).get(path)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        # The client's own users and agents included: the wallboard is the provider's.
        assert response.status_code == (200 if persona in WATCHES_A else 404)


def test_an_unknown_client_is_the_same_404(board: Http) -> None:
    http = board.as_("supervisor")
    assert http.get("/clients/nobody/wallboard/").status_code == 404


def test_the_tiles_show_the_live_figures(board: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        html = board.as_("supervisor").get("/clients/client-a/wallboard/").content.decode()
    assert _big(html, "waiting") == "2"
    assert _big(html, "longest-wait") == "2:05"
    assert "tile-bad" in html.split('data-tile="longest-wait"')[0].rsplit("<section", 1)[1]
    assert _big(html, "agents") == "1"
    assert "1 paused" in _tile(html, "agents")
    assert _big(html, "service-level") == "60%"
    assert "target ≥ 80%" in _tile(html, "service-level") and "3 / 5" in _tile(
        html, "service-level"
    )
    assert _big(html, "abandoned") == "2"
    assert "of 6 calls offered" in _tile(html, "abandoned")
    assert _big(html, "at-risk") == "0"
    assert "2026-03-10 12:00:00" in html and "EDT" in html
    assert "today is 2026-03-10 in America/New_York" in html
    # The live part is re-fetched every 5 s.
    assert 'hx-get="/clients/client-a/wallboard/tiles/"' in html
    assert 'hx-trigger="every 5s"' in html


def test_the_partial_returns_the_tiles_alone(board: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        response = board.as_("provider_admin").get(
            "/clients/client-a/wallboard/tiles/", HTTP_HX_REQUEST="true"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="wallboard"')
    assert "<html" not in html and "<nav" not in html
    for tile in ("waiting", "longest-wait", "agents", "service-level", "abandoned", "at-risk"):
        assert f'data-tile="{tile}"' in html
    assert _big(html, "waiting") == "2"
    # A minute later the same partial shows the calls a minute older.
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        later = board.as_("provider_admin").get("/clients/client-a/wallboard/tiles/")
    assert _big(later.content.decode(), "longest-wait") == "3:05"


@pytest.mark.parametrize(
    ("persona", "status", "clients"),
    [
        ("supervisor", 200, ["client-a", "client-b"]),
        ("provider_admin", 200, ["client-a", "client-b"]),
        ("client_a_manager", 404, []),
        ("client_a_agent", 404, []),
        ("client_b_manager", 404, []),
    ],
)
@pytest.mark.parametrize("path", ["/wallboard/", "/wallboard/rows/"])
def test_the_overview_lists_the_clients_one_supervises(
    board: Http, persona: str, status: int, clients: list[str], path: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = board.as_(persona).get(path)
    assert response.status_code == status
    html = response.content.decode()
    assert re.findall(r'<tr data-client="([^"]+)">', html) == clients
    if status == 200:
        assert 'hx-get="/wallboard/rows/"' in html and 'hx-trigger="every 5s"' in html


def test_the_overview_shows_each_client_in_its_own_zone(board: Http) -> None:
    with time_machine.travel(NOW, tick=False):
        html = board.as_("supervisor").get("/wallboard/rows/").content.decode()
    rows = dict(re.findall(r'<tr data-client="([^"]+)">(.*?)</tr>', html, re.S))
    a, b = (re.sub(r"\s+", " ", rows[code]) for code in ("client-a", "client-b"))
    assert ">2<" in a and "60%" in a and "2026-03-10 12:00" in a and "EDT" in a
    assert ">1<" in b and "2026-03-10 21:30" in b and "IST" in b  # Kolkata, +05:30


def test_the_polled_tiles_read_today_once(
    board: Http, django_assert_max_num_queries: object
) -> None:
    # Polled every 5 s by every supervisor: today's figures and the service level come from
    # one read of the day's rollups, not one per figure (25 queries before, 16 now).
    http = board.as_("supervisor")
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(16):  # type: ignore[operator]
        html = http.get("/clients/client-a/wallboard/tiles/").content.decode()
    assert _big(html, "service-level") == "60%"
    assert "3 / 5" in _tile(html, "service-level")
    assert _big(html, "abandoned") == "2"
    assert "of 6 calls offered" in _tile(html, "abandoned")
