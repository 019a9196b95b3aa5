"""An agent sets a case's category (from the agreement's scope) and tags (from the client's
list): validated, normalised, idempotent, on the timeline and in the audit; refused to those
who do not work the client's cases. Supervisors keep the tag list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.cases.models import Case, CaseTag, EntryKind, TimelineEntry
from pactline.cases.services import case_classify, case_open
from pactline.cases.tags import case_tag_add, case_tag_retire
from pactline.common.errors import Forbidden, ValidationFailed
from pactline.tenancy.access import system_actor

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SYSTEM = system_actor("test")


@pytest.fixture
def case(world: World) -> Case:
    load(world.client_a, "general-outsourcing")
    for name in ("late-delivery", "damaged", "vip"):
        case_tag_add(actor=world.supervisor.actor, client=world.client_a, name=name, now=NOW)
    return case_open(
        actor=SYSTEM,
        client=world.client_a,
        channel="phone",
        priority="normal",
        category="inquiry",
        at=NOW,
        now=NOW,
    )


def _classified(case: Case) -> list[dict[str, object]]:
    return [
        entry.payload
        for entry in TimelineEntry.objects.filter(case=case, kind=EntryKind.CLASSIFIED)
    ]


def test_an_agent_sets_category_and_tags(world: World, case: Case) -> None:
    later = NOW + timedelta(minutes=5)
    case_classify(
        actor=world.client_a_agent.actor,
        case=case,
        category="complaint",
        tags=["Damaged", " late-delivery", "damaged", ""],
        now=later,
    )
    case.refresh_from_db()
    assert (case.category, case.tags) == ("complaint", ["damaged", "late-delivery"])
    [entry] = TimelineEntry.objects.filter(case=case, kind=EntryKind.CLASSIFIED)
    assert (entry.at, entry.actor_label, entry.author_kind) == (later, "user:a-agent", "agent")
    assert entry.payload == {
        "before": {"category": "inquiry", "tags": []},
        "after": {"category": "complaint", "tags": ["damaged", "late-delivery"]},
    }
    [audit] = AuditEvent.objects.filter(action="case.classified")
    assert (audit.client_id, audit.payload) == (world.client_a.id, entry.payload)


def test_the_same_choice_again_changes_nothing(world: World, case: Case) -> None:
    agent = world.client_a_agent.actor
    case_classify(actor=agent, case=case, category="complaint", tags=["vip"], now=NOW)
    case_classify(actor=agent, case=case, category="complaint", tags=["VIP", "vip"], now=NOW)
    assert len(_classified(case)) == 1
    assert AuditEvent.objects.filter(action="case.classified").count() == 1
    # Clearing both is a change (blank category, no tags).
    case_classify(actor=agent, case=case, category="", tags=[], now=NOW)
    case.refresh_from_db()
    assert (case.category, case.tags) == ("", [])
    assert _classified(case)[-1] == {
        "before": {"category": "complaint", "tags": ["vip"]},
        "after": {"category": "", "tags": []},
    }


def test_an_unknown_category_or_tag_is_refused_naming_the_field(world: World, case: Case) -> None:
    agent = world.client_a_agent.actor
    with pytest.raises(ValidationFailed) as failed:
        case_classify(actor=agent, case=case, category="warranty", tags=["vip"], now=NOW)
    assert [(e.path, e.message) for e in failed.value.errors] == [
        ("category", "'warranty' is not a case category of the agreement")
    ]
    with pytest.raises(ValidationFailed) as failed:
        case_classify(actor=agent, case=case, category="complaint", tags=["vip", "Fraud"])
    assert [(e.path, e.message) for e in failed.value.errors] == [
        ("tags", "not tags of the client's list: fraud")
    ]
    with pytest.raises(ValidationFailed) as failed:
        case_classify(actor=agent, case=case, category="", tags=[f"t{n}" for n in range(51)])
    assert [(e.path, e.message) for e in failed.value.errors] == [
        ("tags", "at most 50 tags on a case")
    ]
    case.refresh_from_db()
    assert (case.category, case.tags, _classified(case)) == ("inquiry", [], [])


def test_a_retired_tag_stays_on_a_case_but_is_not_added_to_another(
    world: World, case: Case
) -> None:
    agent = world.client_a_agent.actor
    case_classify(actor=agent, case=case, category="inquiry", tags=["vip"], now=NOW)
    case_tag_retire(actor=world.supervisor.actor, client=world.client_a, name="vip", now=NOW)
    case_classify(actor=agent, case=case, category="complaint", tags=["vip"], now=NOW)
    case.refresh_from_db()
    assert (case.category, case.tags) == ("complaint", ["vip"])
    other = case_open(
        actor=SYSTEM, client=world.client_a, channel="phone", priority="normal", at=NOW, now=NOW
    )
    with pytest.raises(ValidationFailed) as failed:
        case_classify(actor=agent, case=other, category="", tags=["vip"], now=NOW)
    assert [e.path for e in failed.value.errors] == ["tags"]


@pytest.mark.parametrize("persona", ["client_a_viewer", "client_a_manager", "billing"])
def test_those_who_do_not_work_the_cases_are_refused(
    world: World, case: Case, persona: str
) -> None:
    with pytest.raises(Forbidden):
        case_classify(actor=getattr(world, persona).actor, case=case, category="complaint", tags=[])
    case.refresh_from_db()
    assert (case.category, _classified(case)) == ("inquiry", [])


def test_supervisors_keep_the_tag_list(world: World, case: Case) -> None:
    sup = world.supervisor.actor
    tag = case_tag_add(actor=sup, client=world.client_a, name="  Wrong Item ", now=NOW)
    assert tag.name == "wrong-item"
    case_tag_add(actor=sup, client=world.client_a, name="wrong item", now=NOW)  # already there
    case_tag_retire(actor=sup, client=world.client_a, name="wrong-item", now=NOW)
    case_tag_add(actor=sup, client=world.client_a, name="wrong-item", now=NOW)  # back
    assert list(CaseTag.objects.filter(client=world.client_a).values_list("name", "is_active")) == [
        ("damaged", True),
        ("late-delivery", True),
        ("vip", True),
        ("wrong-item", True),
    ]
    assert list(
        AuditEvent.objects.filter(action__startswith="case_tag.", payload__name="wrong-item")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["case_tag.added", "case_tag.retired", "case_tag.added"]
    with pytest.raises(ValidationFailed) as failed:
        case_tag_add(actor=sup, client=world.client_a, name="   ", now=NOW)
    assert [e.path for e in failed.value.errors] == ["name"]
    with pytest.raises(ValidationFailed):
        case_tag_add(actor=sup, client=world.client_a, name="x" * 41, now=NOW)
    for persona in ("client_a_agent", "client_a_manager", "billing"):
        with pytest.raises(Forbidden):
            case_tag_add(actor=getattr(world, persona).actor, client=world.client_a, name="n")
