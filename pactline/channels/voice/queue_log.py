"""Asterisk `queue_log` (reference §3.2): lines to events, events to calls and agent states.

`parse_line` validates one line and raises `LineError` with the reason; it is all a `--strict`
import runs before writing. `QueueLogAssembler` folds the events, grouped by callid, into call
records; a call stays open across batches until its terminal event, an answered call waits
briefly for its agent's after-call-work pause, and whatever is still open at the end of the
file is written as in progress (a later file's events continue it).

Times are epoch seconds (the file format); lines from a realtime table dump
(`%Y-%m-%d %H:%M:%S[.ffffff]`) are read in the PBX's time zone."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from pactline.channels.voice.models import AgentState, CallSource, Direction, EndedBy, Outcome
from pactline.channels.voice.phones import to_e164
from pactline.channels.voice.records import CallRecord, LineError, StateRecord

_EPOCH_MIN = 315532800  # 1980-01-01
_EPOCH_MAX = 4102444800  # 2100-01-01
_MAX_DIGITS = 9  # durations and positions: below 10⁹ (31 years of seconds)
NOT_A_CALL = frozenset({"NONE", "REALTIME", "MANAGER", "CLI", ""})
_ACW_REASON = re.compile(r"(?i)acw|wrap|after.?call")
ACW_PAUSE_WITHIN = 60  # an ACW pause must start within this many seconds of the call's end
ACW_WAIT = 900  # how long an answered call waits for its agent's ACW pause, in log time
STALE_AFTER = 6 * 3600  # an open call silent this long is written as in progress

Event = tuple[int, str, str, str, str, list[str]]


# event -> (kind, data positions that must be whole numbers, positions that may be)
# kinds: call (needs a callid), agent (needs an agent), info (no data kept)
_SPECS: dict[str, tuple[str, tuple[int, ...], tuple[int, ...]]] = {
    "ENTERQUEUE": ("call", (), (2,)),
    "CONNECT": ("call", (0,), (2,)),
    "COMPLETECALLER": ("call", (0, 1), (2,)),
    "COMPLETEAGENT": ("call", (0, 1), (2,)),
    "ABANDON": ("call", (2,), (0, 1)),
    "EXITWITHTIMEOUT": ("call", (2,), (0, 1)),
    "EXITEMPTY": ("call", (2,), (0, 1)),
    "LEAVEEMPTY": ("call", (), (0, 1, 2)),
    "LEAVEUNAVAIL": ("call", (), (0, 1, 2)),
    "EXITWITHKEY": ("call", (), (1, 2, 3)),
    "WITHDRAW": ("call", (), (0, 1, 2)),
    "BLINDTRANSFER": ("call", (2, 3), (4,)),
    "TRANSFER": ("call", (2, 3), (4,)),
    "ATTENDEDTRANSFER": ("call", (-3, -2), ()),
    "RINGNOANSWER": ("call", (0,), ()),
    "RINGCANCELED": ("call", (), (0,)),
    "AGENTDUMP": ("call", (), ()),
    "SYSCOMPAT": ("call", (), ()),
    "FULL": ("call", (), ()),
    "JOINEMPTY": ("call", (), ()),
    "JOINUNAVAIL": ("call", (), ()),
    "HOLD": ("call", (), ()),
    "UNHOLD": ("call", (), ()),
    "DID": ("call", (), ()),
    "OUTCALL": ("call", (), ()),
    "PAUSE": ("agent", (), ()),
    "UNPAUSE": ("agent", (), ()),
    "PAUSEALL": ("agent", (), ()),
    "UNPAUSEALL": ("agent", (), ()),
    "ADDMEMBER": ("agent", (), ()),
    "REMOVEMEMBER": ("agent", (), ()),
    "AGENTLOGIN": ("agent", (), ()),
    "AGENTLOGOFF": ("agent", (), (1,)),
    "AGENTCALLBACKLOGIN": ("agent", (), ()),
    "AGENTCALLBACKLOGOFF": ("agent", (), (1,)),
    "PENALTY": ("agent", (), ()),
    "RINGINUSE": ("agent", (), ()),
}
_MIN_DATA = {
    "CONNECT": 1,
    "COMPLETECALLER": 2,
    "COMPLETEAGENT": 2,
    "ABANDON": 3,
    "EXITWITHTIMEOUT": 3,
    "EXITEMPTY": 3,
    "BLINDTRANSFER": 4,
    "TRANSFER": 4,
    "ATTENDEDTRANSFER": 4,
    "RINGNOANSWER": 1,
}
_AGENT_STATES: dict[str, str] = {
    "PAUSE": AgentState.PAUSE.value,
    "UNPAUSE": AgentState.UNPAUSE.value,
    "PAUSEALL": AgentState.PAUSE_ALL.value,
    "UNPAUSEALL": AgentState.UNPAUSE_ALL.value,
    "ADDMEMBER": AgentState.MEMBER_ADDED.value,
    "REMOVEMEMBER": AgentState.MEMBER_REMOVED.value,
    "AGENTLOGIN": AgentState.LOGIN.value,
    "AGENTLOGOFF": AgentState.LOGOUT.value,
    "AGENTCALLBACKLOGIN": AgentState.LOGIN.value,
    "AGENTCALLBACKLOGOFF": AgentState.LOGOUT.value,
    "PENALTY": AgentState.PENALTY.value,
    "RINGINUSE": AgentState.RING_IN_USE.value,
}
_PAUSES = frozenset({AgentState.PAUSE.value, AgentState.PAUSE_ALL.value})
_UNPAUSES = frozenset({AgentState.UNPAUSE.value, AgentState.UNPAUSE_ALL.value})
_LEAVES = frozenset({AgentState.LOGOUT.value, AgentState.MEMBER_REMOVED.value})
_ANSWERED = Outcome.ANSWERED.value
_IN_PROGRESS = Outcome.IN_PROGRESS.value
_QUEUE_LOG = CallSource.QUEUE_LOG.value
_INBOUND = Direction.INBOUND.value
_OUTBOUND = Direction.OUTBOUND.value
_BY_CALLER = EndedBy.CALLER.value
_BY_AGENT = EndedBy.AGENT.value
_BY_TRANSFER = EndedBy.TRANSFER.value


def _local_epoch(text: str, zone: ZoneInfo) -> int:
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            local = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware on the next line
        except ValueError:
            continue
        return int(local.replace(tzinfo=zone).timestamp())
    raise LineError(
        _("the time '%(value)s' is neither epoch seconds nor 'YYYY-MM-DD HH:MM:SS'")
        % {"value": text[:40]}
    )


def parse_line(text: str, zone: ZoneInfo) -> Event:
    """One line as (epoch, callid, queue, agent, event, data). Raises `LineError`."""
    parts = text.split("|")
    if len(parts) < 5:
        raise LineError(
            _("expected at least 5 fields (time|callid|queue|agent|event), found %(count)d")
            % {"count": len(parts)}
        )
    stamp = parts[0]
    epoch = int(stamp) if stamp.isdigit() else _local_epoch(stamp, zone)
    if not _EPOCH_MIN <= epoch < _EPOCH_MAX:
        raise LineError(_("the time %(value)s is out of range") % {"value": stamp})
    event = parts[4]
    data = parts[5:]
    spec = _SPECS.get(event)
    if spec is None:
        if not event.strip():
            raise LineError(_("the event name is empty"))
        return epoch, parts[1], parts[2], parts[3], event, data  # custom event: not interpreted
    kind, required, optional = spec
    if kind == "call":
        if parts[1] in NOT_A_CALL:
            raise LineError(
                _("%(event)s needs a call id, found '%(callid)s'")
                % {"event": event, "callid": parts[1]}
            )
    elif parts[3] in ("", "NONE"):
        raise LineError(_("%(event)s needs an agent") % {"event": event})
    needed = _MIN_DATA.get(event, 0)
    if needed and len(data) < needed:
        raise LineError(
            _("%(event)s needs %(needed)d data fields, found %(count)d")
            % {"event": event, "needed": needed, "count": len(data)}
        )
    for position in required:
        value = data[position]
        if not value.isdigit() or len(value) > _MAX_DIGITS:
            raise LineError(_whole(event, position, data))
    for position in optional:
        if position < len(data):
            value = data[position]
            if value and (not value.isdigit() or len(value) > _MAX_DIGITS):
                raise LineError(_whole(event, position, data))
    return epoch, parts[1], parts[2], parts[3], event, data


def _whole(event: str, position: int, data: list[str]) -> str:
    index = position if position >= 0 else len(data) + position
    return _(
        "%(event)s data%(n)d must be a whole number of at most 9 digits, found '%(value)s'"
    ) % {
        "event": event,
        "n": index + 1,
        "value": data[position][:40],
    }


class _Draft:
    """A call being assembled; times are epoch seconds."""

    __slots__ = (
        "acw",
        "acw_open",
        "agent",
        "answered",
        "call_id",
        "caller",
        "caller_name",
        "details",
        "dialed",
        "direction",
        "ended",
        "ended_by",
        "entered",
        "has_enter",
        "hold",
        "hold_open",
        "last_seen",
        "outcome",
        "queue",
        "rings",
        "talk",
        "targets",
        "wait",
    )

    def __init__(self, call_id: str, queue: str, now: int) -> None:
        self.call_id = call_id
        self.queue = queue
        self.last_seen = now
        self.has_enter = False
        self.entered: int | None = None
        self.answered: int | None = None
        self.ended: int | None = None
        self.wait: int | None = None
        self.talk: int | None = None
        self.hold = 0
        self.hold_open: int | None = None
        self.acw: int | None = None
        self.acw_open: int | None = None
        self.agent = ""
        self.outcome: str | None = None
        self.ended_by = ""
        self.rings = 0
        self.targets: list[str] = []
        self.caller = ""
        self.caller_name = ""
        self.dialed = ""
        self.direction = _INBOUND
        self.details: dict[str, str] = {}


def _dt(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


_TERMINAL = {
    "ABANDON": (Outcome.ABANDONED.value, EndedBy.CALLER.value, 2),
    "EXITWITHTIMEOUT": (Outcome.TIMEOUT.value, EndedBy.SYSTEM.value, 2),
    "EXITEMPTY": (Outcome.EXIT_EMPTY.value, EndedBy.SYSTEM.value, 2),
    "LEAVEEMPTY": (Outcome.EXIT_EMPTY.value, EndedBy.SYSTEM.value, 2),
    "LEAVEUNAVAIL": (Outcome.EXIT_EMPTY.value, EndedBy.SYSTEM.value, 2),
    "EXITWITHKEY": (Outcome.EXIT_KEY.value, EndedBy.CALLER.value, 3),
    "WITHDRAW": (Outcome.WITHDRAWN.value, EndedBy.SYSTEM.value, 2),
    "AGENTDUMP": (Outcome.AGENT_DUMP.value, EndedBy.AGENT.value, -1),
    "SYSCOMPAT": (Outcome.FAILED.value, EndedBy.SYSTEM.value, -1),
}
_REFUSED = {
    "FULL": Outcome.FULL.value,
    "JOINEMPTY": Outcome.JOIN_EMPTY.value,
    "JOINUNAVAIL": Outcome.JOIN_EMPTY.value,
}


class QueueLogAssembler:
    """Feed events in file order; take finished records with `take_calls` / `take_states`."""

    def __init__(self, *, region: str | None, acw_reason: re.Pattern[str] = _ACW_REASON) -> None:
        self.region = region
        self.acw_reason = acw_reason
        self.open: dict[str, _Draft] = {}
        self.after_call: dict[str, _Draft] = {}  # agent -> answered call awaiting ACW
        self.calls: list[CallRecord] = []
        self.states: list[StateRecord] = []
        self.ignored = 0
        self.clock = 0
        self._handlers: dict[str, Callable[[Event], None]] = {
            "ENTERQUEUE": self._enter,
            "CONNECT": self._connect,
            "COMPLETECALLER": self._complete,
            "COMPLETEAGENT": self._complete,
            "BLINDTRANSFER": self._transfer,
            "TRANSFER": self._transfer,
            "ATTENDEDTRANSFER": self._transfer,
            "RINGNOANSWER": self._ring_no_answer,
            "HOLD": self._hold,
            "UNHOLD": self._hold,
            "DID": self._marker,
            "OUTCALL": self._marker,
        }
        for name in _TERMINAL:
            self._handlers[name] = self._terminal
        for name in _REFUSED:
            self._handlers[name] = self._refused
        for name in _AGENT_STATES:
            self._handlers[name] = self._agent

    # feeding -----------------------------------------------------------------------------

    def feed(self, event: Event) -> None:
        if event[0] > self.clock:
            self.clock = event[0]
        handler = self._handlers.get(event[4])
        if handler is None:
            self.ignored += 1  # RINGCANCELED, QUEUESTART, CONFIGRELOAD, INFO, custom events
        else:
            handler(event)

    def sweep(self) -> None:
        """Write out calls that went silent and answered calls whose ACW window has passed;
        keeps memory flat however long the file."""
        stale = self.clock - STALE_AFTER
        for call_id in [k for k, d in self.open.items() if d.last_seen < stale]:
            self._emit(self.open.pop(call_id))
        waited = self.clock - ACW_WAIT
        for agent in [a for a, d in self.after_call.items() if (d.ended or 0) < waited]:
            self._emit(self.after_call.pop(agent))

    def finish(self) -> None:
        """End of input: everything still held is written (open calls as in progress)."""
        for draft in self.after_call.values():
            self._emit(draft)
        for draft in self.open.values():
            self._emit(draft)
        self.after_call.clear()
        self.open.clear()

    def take_calls(self) -> list[CallRecord]:
        calls, self.calls = self.calls, []
        return calls

    def take_states(self) -> list[StateRecord]:
        states, self.states = self.states, []
        return states

    # call events -------------------------------------------------------------------------

    def _draft(self, event: Event) -> _Draft:
        draft = self.open.get(event[1])
        if draft is None:
            draft = self.open[event[1]] = _Draft(event[1], event[2], event[0])
        else:
            draft.last_seen = event[0]
        return draft

    def _enter(self, event: Event) -> None:
        t, call_id, queue, _agent, _name, data = event
        draft = self.open.get(call_id)
        if draft is not None and (draft.has_enter or draft.answered is not None):
            self._emit(self.open.pop(call_id))  # an earlier visit that never ended
            draft = None
        if draft is None:
            draft = self.open[call_id] = _Draft(call_id, queue, t)
        draft.queue, draft.last_seen = queue, t
        draft.has_enter, draft.entered = True, t
        if len(data) > 1:
            draft.caller = data[1]
        if len(data) > 3:
            draft.caller_name = data[3]

    def _release_agent(self, agent: str) -> None:
        waiting = self.after_call.pop(agent, None)
        if waiting is not None:
            self._emit(waiting)

    def _connect(self, event: Event) -> None:
        t, _call_id, _queue, agent, _name, data = event
        draft = self._draft(event)
        wait = int(data[0])
        draft.answered, draft.wait = t, wait
        if draft.entered is None:
            draft.entered = t - wait
        if agent != "NONE":
            draft.agent = agent
            self._release_agent(agent)

    def _answered_end(self, draft: _Draft, t: int, agent: str, hold: int, call: int) -> None:
        if draft.answered is None:
            draft.answered = t - call
        if draft.wait is None:
            draft.wait = hold
        if draft.entered is None:
            draft.entered = draft.answered - hold
        if draft.hold_open is not None:
            draft.hold += t - draft.hold_open
            draft.hold_open = None
        draft.ended, draft.talk = t, max(0, call - draft.hold)
        draft.outcome = _ANSWERED
        if agent != "NONE":
            draft.agent = agent
        del self.open[draft.call_id]
        if draft.agent:
            self._release_agent(draft.agent)
            self.after_call[draft.agent] = draft
        else:
            self._emit(draft)

    def _complete(self, event: Event) -> None:
        t, _call_id, _queue, agent, name, data = event
        draft = self._draft(event)
        draft.ended_by = _BY_CALLER if name == "COMPLETECALLER" else _BY_AGENT
        self._answered_end(draft, t, agent, int(data[0]), int(data[1]))

    def _transfer(self, event: Event) -> None:
        t, _call_id, _queue, agent, name, data = event
        draft = self._draft(event)
        if name == "ATTENDEDTRANSFER":
            hold, call = int(data[-3]), int(data[-2])
            target = ":".join([data[0], *data[1:-3]]) if len(data) > 4 else data[0]
        else:
            hold, call = int(data[2]), int(data[3])
            target = f"{data[0]}@{data[1]}" if data[1] else data[0]
        draft.targets.append(target[:100])
        draft.ended_by = _BY_TRANSFER
        self._answered_end(draft, t, agent, hold, call)

    def _terminal(self, event: Event) -> None:
        t, _call_id, _queue, agent, name, data = event
        draft = self._draft(event)
        outcome, ended_by, wait_at = _TERMINAL[name]
        if name == "EXITWITHKEY":
            draft.details["exit_key"] = data[0][:10] if data else ""
        raw_wait = data[wait_at] if 0 <= wait_at < len(data) else ""
        if raw_wait:
            wait = int(raw_wait)
        elif draft.entered is not None:
            wait = max(0, t - draft.entered)
        else:
            wait = 0
        if draft.entered is None:
            draft.entered = t - wait
        if draft.answered is None:
            draft.wait = wait
        draft.ended, draft.outcome, draft.ended_by = t, outcome, ended_by
        if agent != "NONE" and not draft.agent:
            draft.agent = agent
        del self.open[draft.call_id]
        self._emit(draft)

    def _refused(self, event: Event) -> None:
        t, call_id, queue, _agent, name, _data = event
        draft = self.open.pop(call_id, None) or _Draft(call_id, queue, t)
        draft.has_enter, draft.entered, draft.ended, draft.wait = True, t, t, 0
        draft.outcome, draft.ended_by = _REFUSED[name], EndedBy.SYSTEM.value
        self._emit(draft)

    def _ring_no_answer(self, event: Event) -> None:
        draft = self.open.get(event[1])
        if draft is None:
            self.ignored += 1
        else:
            draft.rings += 1
            draft.last_seen = event[0]

    def _hold(self, event: Event) -> None:
        draft = self.open.get(event[1])
        if draft is None:
            self.ignored += 1
        elif event[4] == "HOLD":
            draft.hold_open = event[0] if draft.hold_open is None else draft.hold_open
        elif draft.hold_open is not None:
            draft.hold += event[0] - draft.hold_open
            draft.hold_open = None

    def _marker(self, event: Event) -> None:
        draft = self._draft(event)
        if event[4] == "DID":
            draft.dialed = event[5][0] if event[5] else ""
        else:
            draft.direction = _OUTBOUND
            if event[3] != "NONE":
                draft.agent = event[3]

    # agent events ------------------------------------------------------------------------

    def _agent(self, event: Event) -> None:
        t, origin, queue, agent, name, data = event
        state = _AGENT_STATES[name]
        reason = data[0] if data else ""
        self.states.append(
            StateRecord(
                agent[:100],
                "" if queue == "NONE" else queue[:60],
                state,
                datetime.fromtimestamp(t, UTC),
                reason[:100],
                origin[:100],
            )
        )
        waiting = self.after_call.get(agent)
        if waiting is None:
            return
        if state in _PAUSES:
            ended = waiting.ended or t
            if (
                waiting.acw_open is None
                and t - ended <= ACW_PAUSE_WITHIN
                and self.acw_reason.search(reason)
            ):
                waiting.acw_open = t
        elif state in _UNPAUSES:
            if waiting.acw_open is not None:
                waiting.acw = t - waiting.acw_open
                self._release_agent(agent)
        elif state in _LEAVES:
            self._release_agent(agent)

    # output ------------------------------------------------------------------------------

    def _emit(self, draft: _Draft) -> None:
        details = dict(draft.details) if draft.details else None
        if draft.hold_open is not None and draft.ended is None:
            details = {**(details or {}), "on_hold_since": str(draft.hold_open)}
        self.calls.append(
            CallRecord(
                call_id=draft.call_id[:100],
                source=_QUEUE_LOG,
                segment=None,
                has_enter=draft.has_enter,
                direction=draft.direction,
                queue=draft.queue if draft.queue != "NONE" else None,
                caller_number=(to_e164(draft.caller, self.region) or None)
                if draft.caller
                else None,
                caller_raw=draft.caller or None,
                caller_name=draft.caller_name or None,
                dialed_number=draft.dialed or None,
                entered_at=_dt(draft.entered),
                answered_at=_dt(draft.answered),
                ended_at=_dt(draft.ended),
                wait_seconds=None if draft.wait is None else max(0, draft.wait),
                talk_seconds=draft.talk,
                hold_seconds=draft.hold or None,
                acw_seconds=draft.acw,
                agent=draft.agent or None,
                outcome=draft.outcome or _IN_PROGRESS,
                ended_by=draft.ended_by or None,
                unanswered_rings=draft.rings or None,
                transfer_count=len(draft.targets) or None,
                transfer_targets=list(draft.targets) or None,
                details=details,
            )
        )

    @property
    def pending(self) -> int:
        return len(self.calls) + len(self.states)
