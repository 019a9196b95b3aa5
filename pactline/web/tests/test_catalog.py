"""The Simplified Chinese catalog is complete: every message translated, none fuzzy."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

from pactline.core.agreement import MESSAGES

CATALOG = Path(settings.BASE_DIR) / "pactline" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _catalog() -> dict[str, tuple[str, bool]]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(message.id): (str(message.string), message.fuzzy)
        for message in catalog
        if message.id and isinstance(message.id, str)
    }


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    entries = _catalog()
    untranslated = sorted(key for key, (text, _fuzzy) in entries.items() if not text)
    fuzzy = sorted(key for key, (_text, is_fuzzy) in entries.items() if is_fuzzy)
    assert untranslated == []
    assert fuzzy == []


def test_the_core_agreement_messages_are_in_the_catalog() -> None:
    entries = _catalog()
    assert sorted(set(MESSAGES.values()) - set(entries)) == []
