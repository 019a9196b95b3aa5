"""Writes for cases. Each appends to the timeline and re-syncs the clocks in one transaction;
escalations that fire are queued to run after commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import has_channel, priorities
from pactline.audit.sequences import Stream, next_change_seq
from pactline.audit.services import audit_record
from pactline.cases.clocks import clocks_sync
from pactline.cases.escalations import escalation_actions_queue
from pactline.cases.models import (
    CLOSED_STATUSES,
    AuthorKind,
    Case,
    CaseStatus,
    CaseTag,
    Channel,
    Contact,
    EntryKind,
    SlaEvent,
    TimelineEntry,
)
from pactline.cases.tags import TAGS_MAX, case_categories, tag_names
from pactline.common.errors import Conflict, FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require, supervisor_ids
from pactline.tenancy.models import Client
from pactline.workforce.selectors import agent_can_work
from pactline.workforce.services import agent_assignment_note

NOTE_MAX = 20_000

executes("priorities")


def _append(
    case: Case,
    *,
    kind: EntryKind,
    at: datetime,
    actor: Actor,
    author_kind: AuthorKind,
    status: str = "",
    priority: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
) -> TimelineEntry:
    case.last_seq += 1
    return TimelineEntry.objects.create(
        client_id=case.client_id,
        case=case,
        seq=case.last_seq,
        at=at,
        kind=kind,
        author_kind=author_kind,
        actor_label=actor.audit_label,
        status=status,
        priority=priority,
        body=body,
        payload=payload or {},
    )


def _after_change(case: Case, *, now: datetime, fields: list[str]) -> list[SlaEvent]:
    case.updated_at = now
    case.change_seq = next_change_seq(case.client_id, Stream.CASES)
    case.save(update_fields=[*fields, "last_seq", "updated_at", "change_seq"])
    fired = clocks_sync(case, now=now)
    escalation_actions_queue(fired)
    return fired


def _record(
    case: Case,
    *,
    actor: Actor,
    kind: EntryKind,
    author_kind: AuthorKind,
    at: datetime | None,
    now: datetime,
    changed: tuple[str, ...] = (),
    **entry: Any,
) -> Case:
    """Append the timeline entry, save the changed fields and re-sync the clocks."""
    _append(case, kind=kind, at=at or now, actor=actor, author_kind=author_kind, **entry)
    _after_change(case, now=now, fields=list(changed))
    return case


def _staff_author(actor: Actor) -> AuthorKind:
    """Who a provider-side change is shown as: the system (escalations, imports) or an agent."""
    return AuthorKind.SYSTEM if actor.is_system else AuthorKind.AGENT


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("agreement_version").get(pk=case.pk)


def _priorities(version: AgreementVersion) -> tuple[str, ...]:
    return priorities(version.terms)


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    client: Client,
    channel: str,
    priority: str,
    subject: str = "",
    category: str = "",
    queue: str = "",
    status: str = CaseStatus.NEW,
    contact: Contact | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """Open a case under the agreement version in force at `at` (pinned for its life)."""
    require(actor, Permission.CASE_WORK, client.id)
    now = now or timezone.now()
    at = at or now
    version = agreement_version_in_force(client, at)
    errors = []
    if version is None:
        errors.append(FieldError("client", _("no agreement is in force for this client")))
    else:
        if not has_channel(version.terms, channel):
            errors.append(
                FieldError(
                    "channel",
                    _("'%(channel)s' is not a channel of the agreement") % {"channel": channel},
                )
            )
        if priority not in _priorities(version):
            errors.append(
                FieldError(
                    "priority",
                    _("'%(priority)s' is not a priority of the agreement") % {"priority": priority},
                )
            )
    if channel not in Channel.values:
        errors.append(
            FieldError("channel", _("unknown channel '%(channel)s'") % {"channel": channel})
        )
    if status not in CaseStatus.values or status in CLOSED_STATUSES:
        errors.append(FieldError("status", _("a case opens as new, open or pending")))
    if contact is not None and contact.client_id != client.id:
        errors.append(FieldError("contact", _("the contact belongs to another client")))
    if errors or version is None:
        raise ValidationFailed(errors)
    case = Case.objects.create(
        client=client,
        agreement_version=version,
        channel=channel,
        priority=priority,
        status=status,
        subject=subject[:300],
        category=category,
        queue=queue,
        contact=contact,
        opened_at=at,
        updated_at=now,
    )
    _append(
        case,
        kind=EntryKind.CREATED,
        at=at,
        actor=actor,
        author_kind=AuthorKind.SYSTEM,
        status=status,
        priority=priority,
    )
    audit_record(
        actor=actor,
        action="case.opened",
        client_id=client.id,
        obj=case,
        payload={"channel": channel, "priority": priority, "agreement_version": version.pk},
        at=now,
    )
    _after_change(case, now=now, fields=[])
    return case


# Statuses that wait on the customer: their word (a message, a call) ends the wait.
CUSTOMER_WAIT_STATUSES = (CaseStatus.PENDING_CUSTOMER,)


def _customer_returned(case: Case, *, actor: Actor, at: datetime) -> bool:
    """Open a case that waited on the customer (the clocks its status paused resume, as the
    agreement's pause statuses say); True when it did."""
    if case.status not in CUSTOMER_WAIT_STATUSES:
        return False
    since = (
        case.timeline.filter(status=case.status).order_by("-seq").values_list("at", flat=True)
    ).first()
    if since is not None and at < since:
        return False  # written or called before the case began to wait on them
    case.status = CaseStatus.OPEN
    _append(
        case,
        kind=EntryKind.STATUS_CHANGE,
        at=at,
        actor=actor,
        author_kind=AuthorKind.SYSTEM,
        status=CaseStatus.OPEN,
        payload={"reason": "customer_replied"},
    )
    return True


@transaction.atomic
def case_customer_message(
    *,
    actor: Actor,
    case: Case,
    body: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """The customer wrote (any channel): on the timeline, and a case waiting on them opens."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    now = now or timezone.now()
    at = at or now
    _append(
        case,
        kind=EntryKind.CUSTOMER_MESSAGE,
        at=at,
        actor=actor,
        author_kind=AuthorKind.CUSTOMER,
        body=body,
    )
    resumed = _customer_returned(case, actor=actor, at=at)
    _after_change(case, now=now, fields=["status"] if resumed else [])
    return case


@transaction.atomic
def case_customer_contact(
    *, actor: Actor, case: Case, at: datetime | None = None, now: datetime | None = None
) -> Case:
    """The customer got in touch without writing (a call linked to the case): a case waiting
    on them opens; otherwise nothing changes."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    now = now or timezone.now()
    if _customer_returned(case, actor=actor, at=at or now):
        _after_change(case, now=now, fields=["status"])
    return case


def cases_customer_contacted(
    *, actor: Actor, client_id: int, contacts: dict[int, datetime], now: datetime | None = None
) -> int:
    """`case_customer_contact` for a batch of {case id: when}; one query finds the few cases
    that wait on the customer. Returns how many opened."""
    if not contacts:
        return 0
    waiting = Case.objects.filter(
        client_id=client_id, pk__in=sorted(contacts), status__in=CUSTOMER_WAIT_STATUSES
    )
    for case in waiting:
        case_customer_contact(actor=actor, case=case, at=contacts[case.pk], now=now)
    return len(waiting)


@transaction.atomic
def case_touch(*, actor: Actor, case: Case, now: datetime | None = None) -> Case:
    """Something the case's figures depend on changed outside its timeline (a chat ended):
    a new change number, so the consumers of the cases stream derive it again."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    _after_change(case, now=now or timezone.now(), fields=[])
    return case


@transaction.atomic
def case_agent_reply(
    *,
    actor: Actor,
    case: Case,
    body: str = "",
    bot: bool = False,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """A reply to the customer; only a human agent's reply satisfies a response clock."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    now = now or timezone.now()
    author = AuthorKind.BOT if bot else AuthorKind.AGENT
    return _record(
        case, actor=actor, kind=EntryKind.AGENT_REPLY, author_kind=author, at=at, now=now, body=body
    )


@transaction.atomic
def case_set_status(
    *,
    actor: Actor,
    case: Case,
    status: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    if status not in CaseStatus.values or status in CLOSED_STATUSES:
        raise ValidationFailed([FieldError("status", _("use resolve to close a case"))])
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    if case.status == status:
        return case
    if status == CaseStatus.ESCALATED:  # it must land with someone: `case_escalate`
        raise ValidationFailed(
            [FieldError("status", _("escalate the case instead: it hands it to a supervisor"))]
        )
    now = now or timezone.now()
    case.status = status
    return _record(
        case,
        actor=actor,
        kind=EntryKind.STATUS_CHANGE,
        author_kind=_staff_author(actor),
        at=at,
        now=now,
        changed=("status",),
        status=status,
    )


@transaction.atomic
def case_set_priority(
    *,
    actor: Actor,
    case: Case,
    priority: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """Change the priority: the clocks re-target from their original start."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    if priority not in _priorities(case.agreement_version):
        raise ValidationFailed(
            [
                FieldError(
                    "priority",
                    _("'%(priority)s' is not a priority of the agreement") % {"priority": priority},
                )
            ]
        )
    if case.priority == priority:
        return case
    now = now or timezone.now()
    case.priority = priority
    return _record(
        case,
        actor=actor,
        kind=EntryKind.PRIORITY_CHANGE,
        author_kind=_staff_author(actor),
        at=at,
        now=now,
        changed=("priority",),
        priority=priority,
    )


@transaction.atomic
def case_classify(
    *,
    actor: Actor,
    case: Case,
    category: str,
    tags: Iterable[str],
    now: datetime | None = None,
) -> Case:
    """Set the case's category (one of the agreement's scope categories, or none) and tags
    (from the client's active tags; one the case already carries may stay after it is retired).
    The same choice again changes nothing; a change is on the timeline with what it was before,
    which the reports read to count each case as it stood at the end of their period."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    now = now or timezone.now()
    category = category.strip()
    wanted = tag_names(tags)
    errors = []
    if category and category != case.category and category not in case_categories(case, now):
        errors.append(
            FieldError(
                "category",
                _("'%(category)s' is not a case category of the agreement")
                % {"category": category},
            )
        )
    if len(wanted) > TAGS_MAX:
        raise ValidationFailed(
            [FieldError("tags", _("at most %(n)s tags on a case") % {"n": TAGS_MAX})]
        )
    kept = set(case.tags or ())
    known = set(
        CaseTag.objects.filter(
            client_id=case.client_id, is_active=True, name__in=wanted
        ).values_list("name", flat=True)
    )
    unknown = [tag for tag in wanted if tag not in known and tag not in kept]
    if unknown:
        errors.append(
            FieldError(
                "tags",
                _("not tags of the client's list: %(tags)s") % {"tags": ", ".join(unknown)},
            )
        )
    if errors:
        raise ValidationFailed(errors)
    before = {"category": case.category, "tags": tag_names(case.tags or ())}
    after = {"category": category, "tags": wanted}
    if before == after:
        return case
    case.category = category
    case.tags = wanted
    payload = {"before": before, "after": after}
    audit_record(
        actor=actor,
        action="case.classified",
        client_id=case.client_id,
        obj=case,
        payload=payload,
        at=now,
    )
    return _record(
        case,
        actor=actor,
        kind=EntryKind.CLASSIFIED,
        author_kind=_staff_author(actor),
        at=None,
        now=now,
        changed=("category", "tags"),
        payload=payload,
    )


@transaction.atomic
def case_resolve(
    *,
    actor: Actor,
    case: Case,
    first_contact: bool | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """Resolve; `first_contact` is the agent's word that the customer's first contact
    resolved it (None: not said)."""
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    if case.status in CLOSED_STATUSES:
        return case
    now = now or timezone.now()
    case.status = CaseStatus.RESOLVED
    case.resolved_at = at or now
    case.first_contact_resolution = first_contact
    return _record(
        case,
        actor=actor,
        kind=EntryKind.RESOLVE,
        author_kind=_staff_author(actor),
        at=at,
        now=now,
        changed=("status", "resolved_at", "first_contact_resolution"),
        status=CaseStatus.RESOLVED,
        payload={} if first_contact is None else {"first_contact": first_contact},
    )


@transaction.atomic
def case_reopen(
    *, actor: Actor, case: Case, at: datetime | None = None, now: datetime | None = None
) -> Case:
    require(actor, Permission.CASE_WORK, case.client_id)
    case = _locked(case)
    if case.status not in CLOSED_STATUSES:
        raise Conflict(_("only a resolved case can be reopened"))
    now = now or timezone.now()
    case.status = CaseStatus.OPEN
    case.resolved_at = None
    case.first_contact_resolution = None  # said again at the next resolution
    return _record(
        case,
        actor=actor,
        kind=EntryKind.REOPEN,
        author_kind=_staff_author(actor),
        at=at,
        now=now,
        changed=("status", "resolved_at", "first_contact_resolution"),
        status=CaseStatus.OPEN,
    )


@transaction.atomic
def case_note(
    *,
    actor: Actor,
    case: Case,
    body: str,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Case:
    """An internal note (never sent to the customer); notes do not move clocks."""
    require(actor, Permission.CASE_WORK, case.client_id)
    body = body.replace("\x00", "").strip()
    if not body:
        raise ValidationFailed([FieldError("body", _("a note needs some text"))])
    if len(body) > NOTE_MAX:
        raise ValidationFailed(
            [FieldError("body", _("at most %(n)s characters") % {"n": NOTE_MAX})]
        )
    case = _locked(case)
    now = now or timezone.now()
    return _record(
        case,
        actor=actor,
        kind=EntryKind.NOTE,
        author_kind=_staff_author(actor),
        at=at,
        now=now,
        body=body,
        payload=payload or {},
    )


@transaction.atomic
def case_route(
    *,
    actor: Actor,
    case: Case,
    queue: str | None = None,
    role: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Move the case to a provider queue and/or hand it to a role (e.g. team_lead).

    The queue is stored on the case; the role is recorded on the timeline entry."""
    require(actor, Permission.CASE_WORK, case.client_id)
    if not queue and not role:
        raise ValidationFailed([FieldError("queue", _("give a queue, a role or both"))])
    if queue and len(queue) > Case._meta.get_field("queue").max_length:  # type: ignore[operator]
        raise ValidationFailed([FieldError("queue", _("the queue name is too long"))])
    case = _locked(case)
    if (not queue or queue == case.queue) and not role:
        return case
    now = now or timezone.now()
    if queue:
        case.queue = queue
    payload = {"queue": queue or None, "role": role or None}
    _append(
        case,
        kind=EntryKind.ASSIGNED,
        at=now,
        actor=actor,
        author_kind=_staff_author(actor),
        payload=payload,
    )
    audit_record(
        actor=actor,
        action="case.routed",
        client_id=case.client_id,
        obj=case,
        payload=payload,
        at=now,
    )
    _after_change(case, now=now, fields=["queue"])
    return case


@transaction.atomic
def case_assign(
    *,
    actor: Actor,
    case: Case,
    assignee: User | None,
    now: datetime | None = None,
) -> Case:
    """Give the case to an agent (None: back to its queue, unassigned).

    Only an agent who may take the client's work now (certified, bound by the confidentiality
    agreement when required; `pactline.workforce`) can be given it."""
    require(actor, Permission.CASE_WORK, case.client_id)
    now = now or timezone.now()
    case = _locked(case)
    if assignee is not None:
        _require_may_work(assignee, case, now)
    if case.assignee_id == (assignee.pk if assignee is not None else None):
        return case
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    return _give(case, actor=actor, assignee=assignee, now=now)


@transaction.atomic
def case_take(*, actor: Actor, case: Case, agent: User, now: datetime | None = None) -> Case:
    """`agent` takes an unassigned case for themselves (the console's "take").

    "Unassigned" is judged under the case's row lock and the write is conditional (`UPDATE …
    WHERE assignee IS NULL`), so of several agents taking one case at the same moment exactly
    one wins; the others get a Conflict saying who has it, and nothing changes for them."""
    require(actor, Permission.CASE_WORK, case.client_id)
    now = now or timezone.now()
    case = _locked(case)
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    if case.assignee_id == agent.pk:
        raise Conflict(_("the case is already yours"))
    if case.assignee_id is None:
        _require_may_work(agent, case, now)
    won = case.assignee_id is None and bool(
        Case.objects.filter(pk=case.pk, assignee__isnull=True).update(assignee=agent)
    )
    if not won:
        holder = Case.objects.filter(pk=case.pk).values_list("assignee__username", flat=True)
        raise Conflict(_("%(user)s has already taken the case") % {"user": holder.first() or "?"})
    return _give(case, actor=actor, assignee=agent, now=now, taken=True)


def _require_may_work(user: User, case: Case, now: datetime) -> None:
    """Only an agent who may take the client's work now (certified, bound by the
    confidentiality agreement when required; `pactline.workforce`) can be given a case."""
    if not agent_can_work(user=user, client=case.client, at=now):
        raise ValidationFailed(
            [
                FieldError(
                    "assignee",
                    _("%(user)s may not take this client's work (certification or NDA missing)")
                    % {"user": user.get_username()},
                )
            ]
        )


def _give(
    case: Case, *, actor: Actor, assignee: User | None, now: datetime, taken: bool = False
) -> Case:
    """Record the new assignee (the case is locked): timeline, audit, the agent's note."""
    case.assignee = assignee
    payload = {"assignee": assignee.get_username() if assignee is not None else None}
    _append(
        case,
        kind=EntryKind.ASSIGNED,
        at=now,
        actor=actor,
        author_kind=_staff_author(actor),
        payload=payload,
    )
    audit_record(
        actor=actor,
        action="case.assigned",
        client_id=case.client_id,
        obj=case,
        payload=payload | {"taken": True} if taken else payload,
        at=now,
    )
    if assignee is not None:
        agent_assignment_note(client_id=case.client_id, user_id=assignee.pk, at=now)
    _after_change(case, now=now, fields=["assignee"])
    return case


@dataclass(frozen=True)
class Escalated:
    case: Case
    supervisor: User


@transaction.atomic
def case_escalate(
    *, actor: Actor, case: Case, reason: str = "", now: datetime | None = None
) -> Escalated:
    """Escalate to the client's supervisors: status `escalated`, the case given to the
    supervisor holding the fewest escalated cases (then the lowest id), the reason as a note;
    all or nothing. A client nobody supervises is refused: an escalation that lands with no
    one must not look done."""
    require(actor, Permission.CASE_WORK, case.client_id)
    reason = reason.replace("\x00", "").strip()
    if len(reason) > NOTE_MAX:
        raise ValidationFailed(
            [FieldError("reason", _("at most %(n)s characters") % {"n": NOTE_MAX})]
        )
    case = _locked(case)
    if case.status in CLOSED_STATUSES:
        raise Conflict(_("the case is resolved; reopen it first"))
    if case.status == CaseStatus.ESCALATED:
        raise Conflict(_("the case is already escalated"))
    supervisor = _least_busy_supervisor(case.client_id)
    if supervisor is None:
        raise Conflict(
            _("no supervisor looks after this client, so nobody would receive the escalation")
        )
    now = now or timezone.now()
    author = _staff_author(actor)
    case.status = CaseStatus.ESCALATED
    case.assignee = supervisor
    _append(
        case,
        kind=EntryKind.STATUS_CHANGE,
        at=now,
        actor=actor,
        author_kind=author,
        status=CaseStatus.ESCALATED,
    )
    payload = {"assignee": supervisor.get_username(), "role": "supervisor"}
    _append(case, kind=EntryKind.ASSIGNED, at=now, actor=actor, author_kind=author, payload=payload)
    if reason:
        _append(
            case,
            kind=EntryKind.NOTE,
            at=now,
            actor=actor,
            author_kind=author,
            body=reason,
            payload={"escalation": True},
        )
    audit_record(
        actor=actor,
        action="case.escalated",
        client_id=case.client_id,
        obj=case,
        payload=payload,
        at=now,
    )
    _after_change(case, now=now, fields=["status", "assignee"])
    return Escalated(case, supervisor)


def _least_busy_supervisor(client_id: int) -> User | None:
    ids = supervisor_ids(client_id)
    if not ids:
        return None
    held = dict(
        Case.objects.filter(assignee_id__in=ids, status=CaseStatus.ESCALATED)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    chosen = min(ids, key=lambda user_id: (held.get(user_id, 0), user_id))
    return User.objects.get(pk=chosen)
