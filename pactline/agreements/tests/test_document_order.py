"""An agreement document reads back in the order it was written, on every database."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import World
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import agreement_version_create
from pactline.agreements.tests.documents import document_for, example_data

pytestmark = pytest.mark.django_db


def _key_paths(value: Any, path: str = "") -> list[str]:
    """Every object key with its path, in document order."""
    if isinstance(value, dict):
        return [
            entry
            for key, item in value.items()
            for entry in (f"{path}/{key}", *_key_paths(item, f"{path}/{key}"))
        ]
    if isinstance(value, list):
        return [entry for n, item in enumerate(value) for entry in _key_paths(item, f"{path}/{n}")]
    return []


def test_channels_and_service_levels_keep_the_documents_order(world: World) -> None:
    written = example_data()
    channels = list(written["channels"])
    # jsonb would sort these by length: the example must list them otherwise for the test to bite.
    assert channels != sorted(channels, key=lambda key: (len(key), key))

    loaded = agreement_version_create(
        actor=world.provider_admin.actor, text=document_for("client-a")
    )
    stored = AgreementVersion.objects.get(pk=loaded.version.pk).document

    assert list(stored["channels"]) == channels
    assert _key_paths(stored) == _key_paths(loaded.version.document)
