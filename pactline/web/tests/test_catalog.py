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


def _marked_in_core() -> set[str]:
    """Every literal the pure core marks with `N_` (it cannot call gettext itself)."""
    import ast

    found: set[str] = set()
    for path in (Path(settings.BASE_DIR) / "pactline" / "core").rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "N_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_message_the_core_marks_is_in_the_catalog() -> None:
    marked = _marked_in_core()
    assert any(message.startswith("{level} missed") for message in marked)  # the walk sees them
    assert sorted(marked - set(_catalog())) == []
