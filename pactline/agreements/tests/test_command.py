"""`pactline agreements load|export|list`: every error with its path and line; nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from pactline.agreements.models import Agreement, AgreementVersion, VersionStatus
from pactline.agreements.tests.documents import EXAMPLES, example_files
from pactline.audit.models import AuditEvent
from pactline.core.agreement import parse_agreement
from pactline.tenancy.models import Client, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor() -> None:
    """A supervisor of every client, there before the agreements (as on any installation):
    escalations of two examples hand cases to the supervisor."""
    user = User.objects.create_user(username="lead")
    Membership.objects.create(user=user, role=Role.SUPERVISOR, client=None)


SOURCE = (EXAMPLES / "general-outsourcing.yaml").read_text(encoding="utf-8")


def _edited(old: str, new: str) -> str:
    assert SOURCE.count(old) >= 1, old
    return SOURCE.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def _without_section(name: str) -> str:
    lines = SOURCE.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1].isalpha()), len(lines))
    return "".join(lines[:start] + lines[end:])


BAD_DOCUMENTS = {
    "unknown time zone": (
        _edited("timezone: America/New_York", "timezone: America/Atlantis"),
        "calendars.business.timezone",
        "timezone: America/Atlantis",
    ),
    "impossible hours": (
        _edited('mon: ["08:00-20:00"]', 'mon: ["25:00-26:00"]'),
        "calendars.business.hours.mon.0",
        '"25:00-26:00"',
    ),
    "service level on a channel the agreement lacks": (
        _edited(
            "service_levels:\n",
            "service_levels:\n  web:\n    csat:\n      kind: csat\n      method: top2box\n      target: 80\n",
        ),
        "service_levels.web",
        "  web:\n    csat",
    ),
    "percentage over 100": (
        _edited(
            "target_percent: 80\n      short_abandon_seconds: 5",
            "target_percent: 180\n      short_abandon_seconds: 5",
        ),
        "service_levels.phone.answer_within.target_percent",
        "target_percent: 180",
    ),
    "negative price": (
        _edited("rate: 32.50", "rate: -32.50"),
        "pricing.items.0.rate",
        "rate: -32.50",
    ),
    "duplicate weekday": (
        _edited(
            '      mon: ["08:00-20:00"]\n',
            '      mon: ["08:00-20:00"]\n      mon: ["09:00-10:00"]\n',
        ),
        "calendars.business.hours.mon",
        'mon: ["09:00-10:00"]',
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_each_bad_document_is_refused_with_its_path_and_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, path, fragment = BAD_DOCUMENTS[case]
    file = tmp_path / "bad.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 1 document"):
        call_command("agreements", "load", str(file), "--activate")
    err = capsys.readouterr().err
    assert f"  {path}: " in err
    assert f"(line {_line_of(text, fragment)})" in err.split(f"  {path}: ", 1)[1].splitlines()[0]
    assert "nothing stored" in err
    assert Client.objects.count() == 0
    assert Agreement.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_missing_section_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(_without_section("termination"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("agreements", "load", str(file))
    assert "  termination: this section is required" in capsys.readouterr().err
    assert AgreementVersion.objects.count() == 0


def test_an_agreement_escalating_to_a_role_nobody_holds_is_not_put_in_force(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("agreements", "load", str(EXAMPLES / "general-outsourcing.yaml"), "--activate")
    out = capsys.readouterr().out
    assert "nobody holds the role 'supervisor'" in out
    version = AgreementVersion.objects.get()
    assert version.status != VersionStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="agreement.version.activated").exists()


@pytest.mark.usefixtures("supervisor")
def test_the_examples_load_activate_and_reload_unchanged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [str(path) for path in example_files()]
    assert len(files) == 4
    call_command("agreements", "load", *files, "--activate")
    first = capsys.readouterr().out
    assert first.count("stored: ") == 4
    events = AuditEvent.objects.count()
    call_command("agreements", "load", *files, "--activate")
    assert capsys.readouterr().out.count("unchanged: ") == 4
    assert AuditEvent.objects.count() == events
    assert Client.objects.count() == 4
    assert set(AgreementVersion.objects.values_list("status", flat=True)) == {VersionStatus.ACTIVE}


@pytest.mark.usefixtures("supervisor")
def test_export_then_load_round_trips(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    call_command("agreements", "load", *[str(p) for p in example_files()], "--activate")
    capsys.readouterr()
    for version in AgreementVersion.objects.all():
        call_command("agreements", "export", str(version.pk))
        exported = capsys.readouterr().out
        original = parse_agreement(version.source_text)
        assert parse_agreement(exported) == original
        file = tmp_path / f"{version.pk}.yaml"
        file.write_text(exported, encoding="utf-8")
        call_command("agreements", "load", str(file))
        assert "unchanged: " in capsys.readouterr().out
    assert AgreementVersion.objects.count() == 4


def test_unreadable_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError):
        call_command("agreements", "load", str(tmp_path / "missing.yaml"))
    assert "cannot be read" in capsys.readouterr().err
