"""A new API token's page shows the secret once: a double click shows the same token
(not a second one issued), and that answer is kept only five minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import World
from pactline.common.models import IdempotencyRecord
from pactline.tenancy.models import ApiToken

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_new_token_shown_once_is_replayed_only_to_a_double_click(world: World) -> None:
    """The page that shows a new token's secret is `no-store`: its answer is kept five
    minutes, enough for a double click (the same token is shown, not a second one issued);
    after that the key is free again."""
    http = HttpClient()
    assert world.provider_admin.user is not None
    http.force_login(world.provider_admin.user)
    url = f"/clients/{world.client_a.code}/tokens/"
    data = {
        "name": "nightly export",
        "scope": "read",
        "expires_in": "none",
        "idempotency_key": "issue-1",
    }
    with time_machine.travel(NOW, tick=False):
        first = http.post(url, data)
        second = http.post(url, data)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Cache-Control"] == "no-store" and second["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.secret is True
    assert b"nightly export" not in bytes(record.body)  # encrypted at rest
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        assert http.post(url, data)["Idempotent-Replayed"] == "true"
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        later = http.post(url, data)
    assert later.status_code == 200 and "Idempotent-Replayed" not in later
    assert ApiToken.objects.count() == 2
