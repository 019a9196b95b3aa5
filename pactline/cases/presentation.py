"""What the case pages show: instants in two zones, clocks as SLA timelines, timeline rows.

Every instant is shown in the client's zone (the clock's calendar zone, which is the one the
agreement measures in) and in the viewer's zone, because a supervisor in one city watches
deadlines that are set in another; showing only one invites off-by-a-zone mistakes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from pactline.agreements.presentation.labels import (
    CASE_CATEGORIES,
    CHANNELS,
    METRIC_KINDS,
    duration,
    label,
)
from pactline.agreements.terms import agreement_calendar
from pactline.cases.definitions import LADDER_STRIDE, case_clocks
from pactline.cases.models import (
    ActionStatus,
    Case,
    CaseStatus,
    ClockStatus,
    EntryKind,
    SlaClock,
    SlaEvent,
    SlaEventKind,
    TimelineEntry,
)
from pactline.cases.selectors import TimelineItem
from pactline.core.calendar import BusinessCalendar

UTC_ZONE = ZoneInfo("UTC")
TZ_COOKIE = "tz"

PRIORITIES: dict[str, Promise] = {
    "critical": _("Critical"),
    "high": _("High"),
    "normal": _("Normal"),
    "low": _("Low"),
    "emergency": _("Emergency"),
    "urgent": _("Urgent"),
    "standard": _("Standard"),
}
ACTION_TYPES: dict[str, Promise] = {
    "notify_email": _("Email notification"),
    "notify_client_contacts": _("Notify the client's contacts"),
    "reassign": _("Reassign"),
    "raise_priority": _("Raise priority"),
    "webhook": _("Webhook"),
}


# --- Time zones and instants ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA zone `name` (from the browser's `tz` cookie), or UTC if it is not one.

    Checked against the known names rather than passed to ZoneInfo directly: the cookie is
    client input, and ZoneInfo would otherwise read whatever file path it is given."""
    if name and name in _zone_names():
        return ZoneInfo(name)
    return UTC_ZONE


@dataclass(frozen=True)
class Stamp:
    """One instant as read in one zone."""

    text: str  # "2026-03-02 17:00"
    zone: str  # abbreviation, e.g. "EST"
    zone_key: str  # IANA name, e.g. "America/New_York"


def stamp(value: datetime, zone: ZoneInfo) -> Stamp:
    local = value.astimezone(zone)
    return Stamp(local.strftime("%Y-%m-%d %H:%M"), local.strftime("%Z") or zone.key, zone.key)


@dataclass(frozen=True)
class When:
    """An instant in the client's zone and in the viewer's."""

    iso: str
    client: Stamp
    viewer: Stamp

    @property
    def same_zone(self) -> bool:
        return self.client.zone_key == self.viewer.zone_key


def when(value: datetime, client_zone: ZoneInfo, viewer_zone: ZoneInfo) -> When:
    return When(
        value.astimezone(UTC).isoformat(), stamp(value, client_zone), stamp(value, viewer_zone)
    )


def signed_duration(seconds: float) -> str:
    """Business seconds in words; negative (overdue) values are shown as their size."""
    return duration(round(abs(seconds)))


def clock_label(key: str) -> str:
    channel, _sep, metric = key.partition(".")
    return f"{label(CHANNELS, channel)} · {label(METRIC_KINDS, metric)}"


def priority_label(code: str) -> str:
    return label(PRIORITIES, code)


# --- Clocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One point on a clock's line: started, paused, warned, breached, met, scheduled…"""

    kind: str  # css hook: start, pause, warning, breach, escalation, stop, met, scheduled
    text: str
    at: When
    until: When | None = None  # the end of a pause
    suppressed: bool = False  # recorded but not sent (a retroactive warning)
    scheduled: bool = False  # still ahead


@dataclass(frozen=True)
class ClockView:
    clock: SlaClock
    label: str
    state: str
    state_label: str
    priority: str
    calendar: str
    client_zone: str
    target: str
    due: When | None
    consumed: str
    remaining: str
    overdue: bool
    countdown: bool  # a live countdown to `due` is shown
    finished: bool  # met or stopped: "remaining" is what was left at that moment
    marks: list[Mark] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"clock-{self.clock.key.replace('.', '-')}-{self.clock.cycle}"


def _definition_calendar(case: Case, clock: SlaClock) -> BusinessCalendar:
    # The clock's own measuring calendar: for `time_basis: calendar` it is 24/7 in the zone of
    # the named calendar, so the named calendar alone would misstate consumed time.
    for candidate in case_clocks(case.agreement_version, case.channel, clock.priority):
        if candidate.definition.key == clock.key:
            return candidate.definition.calendar
    return agreement_calendar(case.agreement_version, clock.calendar)


def _target_text(case: Case, clock: SlaClock) -> str:
    """The target as the agreement states it: whole business days stay days (a different unit
    from N × 24 h of business time), anything else is a duration."""
    for candidate in case_clocks(case.agreement_version, case.channel, clock.priority):
        if candidate.definition.key == clock.key:
            days = getattr(candidate.definition, "target_days", {}).get(clock.priority)
            if days:
                return ngettext("%(n)s business day", "%(n)s business days", int(days)) % {
                    "n": days
                }
    if clock.target_seconds is None:
        return gettext("no target")
    return signed_duration(clock.target_seconds)


def _pause_statuses(case: Case, clock: SlaClock) -> frozenset[str]:
    for candidate in case_clocks(case.agreement_version, case.channel, clock.priority):
        if candidate.definition.key == clock.key:
            return candidate.definition.pause_statuses
    return frozenset()


def live_consumed(case: Case, clock: SlaClock, now: datetime) -> float:
    """Business seconds consumed as of `now`: the stored figure is as of the last evaluation,
    and a clock that is still counting has used the business time since then too."""
    consumed = clock.consumed_seconds
    counting = clock.stopped_at is None and clock.state in (
        ClockStatus.RUNNING,
        ClockStatus.BREACHED,
    )
    if counting and case.status not in _pause_statuses(case, clock) and now > clock.evaluated_at:
        consumed += _definition_calendar(case, clock).between(clock.evaluated_at, now)
    return consumed


def pause_spans(
    entries: Sequence[TimelineEntry], statuses: frozenset[str]
) -> list[tuple[datetime, datetime | None]]:
    """When the case sat in one of `statuses`, from its status changes (open spans end None)."""
    spans: list[tuple[datetime, datetime | None]] = []
    since: datetime | None = None
    for entry in entries:
        if entry.kind not in (
            EntryKind.CREATED,
            EntryKind.STATUS_CHANGE,
            EntryKind.RESOLVE,
            EntryKind.REOPEN,
        ):
            continue
        status = entry.status or (
            CaseStatus.RESOLVED if entry.kind == EntryKind.RESOLVE else CaseStatus.OPEN
        )
        if status in statuses and since is None:
            since = entry.at
        elif status not in statuses and since is not None:
            spans.append((since, entry.at))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def _clip(
    spans: Iterable[tuple[datetime, datetime | None]], start: datetime, stop: datetime | None
) -> list[tuple[datetime, datetime | None]]:
    clipped = []
    for begin, end in spans:
        if (end is not None and end <= start) or (stop is not None and begin >= stop):
            continue
        if stop is not None and (end is None or end > stop):
            end = stop  # a pause still open when the cycle stops ends there
        clipped.append((max(begin, start), end))
    return clipped


def escalation_text(case: Case, level_code: int) -> str:
    """The words for a stored escalation level code (ladder × 100 + level)."""
    ladders = case.agreement_version.terms.escalation.ladders
    index, level = divmod(level_code, LADDER_STRIDE)
    name = ladders[index - 1].name if 0 < index <= len(ladders) else str(index)
    return gettext("Escalation: %(ladder)s level %(level)s") % {"ladder": name, "level": level}


def event_text(case: Case, kind: str, level: int) -> str:
    if kind == SlaEventKind.BREACH:
        return gettext("Breach")
    if kind == SlaEventKind.WARNING:
        return gettext("Warning %(level)s") % {"level": level}
    return escalation_text(case, level)


_STOPPED = _("Stopped")
_STOP_TEXT: dict[str, Promise] = {
    ClockStatus.MET: _("Met"),
    ClockStatus.STOPPED: _("Stopped (case resolved)"),
    ClockStatus.BREACHED: _STOPPED,
}


def _marks(
    case: Case,
    clock: SlaClock,
    entries: Sequence[TimelineEntry],
    zones: tuple[ZoneInfo, ZoneInfo],
) -> list[Mark]:
    def at(value: datetime) -> When:
        return when(value, *zones)

    marks = [Mark("start", gettext("Started"), at(clock.started_at))]
    stop = clock.met_at or clock.stopped_at
    for begin, end in _clip(
        pause_spans(entries, _pause_statuses(case, clock)), clock.started_at, stop
    ):
        marks.append(Mark("pause", gettext("Paused"), at(begin), at(end) if end else None))
    events: list[SlaEvent] = list(clock.events.all())
    marks.extend(
        Mark(
            event.kind,
            event_text(case, event.kind, event.level),
            at(event.occurred_at),
            suppressed=event.suppressed,
        )
        for event in events
    )
    if stop is not None:
        kind = "met" if clock.state == ClockStatus.MET else "stop"
        marks.append(Mark(kind, str(_STOP_TEXT.get(clock.state, _STOPPED)), at(stop)))
    marks.extend(
        Mark(
            item["kind"],
            event_text(case, item["kind"], int(item["level"])),
            at(datetime.fromisoformat(item["at"])),
            scheduled=True,
        )
        for item in clock.schedule
    )
    # Stable: at equal instants the order above (start, pauses, events, stop) is kept.
    return sorted(marks, key=lambda mark: (mark.at.iso, mark.scheduled))


def clock_view(
    case: Case,
    clock: SlaClock,
    entries: Sequence[TimelineEntry],
    *,
    now: datetime,
    viewer_zone: ZoneInfo,
) -> ClockView:
    client_zone = ZoneInfo(agreement_calendar(case.agreement_version, clock.calendar).timezone)
    consumed = live_consumed(case, clock, now)
    target = clock.target_seconds
    remaining = None if target is None else target - consumed
    counting = clock.stopped_at is None and clock.state in (
        ClockStatus.RUNNING,
        ClockStatus.BREACHED,
    )
    return ClockView(
        clock=clock,
        label=clock_label(clock.key),
        state=clock.state,
        state_label=clock.get_state_display(),
        priority=priority_label(clock.priority),
        calendar=clock.calendar,
        client_zone=client_zone.key,
        target=_target_text(case, clock),
        due=when(clock.due_at, client_zone, viewer_zone) if clock.due_at else None,
        consumed=signed_duration(consumed),
        remaining=signed_duration(remaining) if remaining is not None else "—",
        overdue=remaining is not None and remaining < 0,
        countdown=counting and clock.due_at is not None,
        finished=clock.stopped_at is not None,
        marks=_marks(case, clock, entries, (client_zone, viewer_zone)),
    )


# --- Timeline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at: When
    kind: str  # css hook
    title: str
    detail: str = ""
    who: str = ""
    suppressed: bool = False
    failed: bool = False


def category_label(code: str) -> str:
    return label(CASE_CATEGORIES, code) if code else gettext("none")


def tags_text(tags: object) -> str:
    names = [str(tag) for tag in tags] if isinstance(tags, list) else []
    return ", ".join(names) if names else gettext("none")


def _classified_detail(payload: object) -> str:
    """ "Category: Inquiry → Complaint" and "Tags: none → late-delivery", each when it changed."""
    before = payload.get("before", {}) if isinstance(payload, dict) else {}
    after = payload.get("after", {}) if isinstance(payload, dict) else {}
    lines = []
    if before.get("category", "") != after.get("category", ""):
        lines.append(
            gettext("Category: %(before)s → %(after)s")
            % {
                "before": category_label(str(before.get("category", ""))),
                "after": category_label(str(after.get("category", ""))),
            }
        )
    if before.get("tags", []) != after.get("tags", []):
        lines.append(
            gettext("Tags: %(before)s → %(after)s")
            % {"before": tags_text(before.get("tags")), "after": tags_text(after.get("tags"))}
        )
    return "\n".join(lines)


def _entry_row(entry: TimelineEntry, at: When) -> TimelineRow:
    detail = entry.body
    if entry.kind == EntryKind.CREATED:
        detail = gettext("Status %(status)s, priority %(priority)s") % {
            "status": CaseStatus(entry.status).label if entry.status else "—",
            "priority": priority_label(entry.priority),
        }
    elif entry.kind in (EntryKind.STATUS_CHANGE, EntryKind.RESOLVE, EntryKind.REOPEN):
        detail = str(CaseStatus(entry.status).label) if entry.status in CaseStatus.values else ""
    elif entry.kind == EntryKind.PRIORITY_CHANGE:
        detail = priority_label(entry.priority)
    elif entry.kind == EntryKind.CLASSIFIED:
        detail = _classified_detail(entry.payload)
    title = str(entry.get_kind_display())
    if entry.kind == EntryKind.AGENT_REPLY and entry.author_kind == "bot":
        title = gettext("Bot reply (does not answer a response clock)")
    return TimelineRow(at, entry.kind, title, detail, who=entry.actor_label)


def timeline_rows(
    case: Case, items: Sequence[TimelineItem], *, client_zone: ZoneInfo, viewer_zone: ZoneInfo
) -> list[TimelineRow]:
    rows = []
    for item in items:
        at = when(item.at, client_zone, viewer_zone)
        if item.entry is not None:
            rows.append(_entry_row(item.entry, at))
        elif item.event is not None:
            event = item.event
            rows.append(
                TimelineRow(
                    at,
                    event.kind,
                    event_text(case, event.kind, event.level),
                    clock_label(event.clock.key),
                    suppressed=event.suppressed,
                )
            )
        elif item.action is not None:
            action = item.action
            outcome = str(ActionStatus(action.status).label)
            if action.attempts:
                outcome += " · " + gettext("%(n)s attempt(s)") % {"n": action.attempts}
            if action.last_error:
                outcome += f" · {action.last_error}"
            rows.append(
                TimelineRow(
                    at,
                    "action",
                    f"{label(ACTION_TYPES, action.action_type)} — "
                    f"{escalation_text(case, action.event.level)}",
                    outcome,
                    failed=action.status == ActionStatus.FAILED,
                )
            )
    return rows


def case_zone(case: Case) -> ZoneInfo:
    """The client's zone for case-level instants (opened, timeline): the agreement's home."""
    return zone_named(case.agreement_version.home_timezone)


@dataclass(frozen=True)
class AtRiskRow:
    clock: SlaClock
    label: str
    priority: str
    due: When | None
    overdue: bool


def at_risk_rows(
    clocks: Iterable[SlaClock], *, now: datetime, viewer_zone: ZoneInfo
) -> list[AtRiskRow]:
    rows = []
    for clock in clocks:
        zone = ZoneInfo(agreement_calendar(clock.agreement_version, clock.calendar).timezone)
        rows.append(
            AtRiskRow(
                clock=clock,
                label=clock_label(clock.key),
                priority=priority_label(clock.priority or clock.case.priority),
                due=when(clock.due_at, zone, viewer_zone) if clock.due_at else None,
                overdue=clock.due_at is not None and clock.due_at <= now,
            )
        )
    return rows
