"""A realistic Asterisk `queue_log` for one demo programme (reference §3.2), simulated per day.

Each open day of the phone channel's calendar gets a volume (a typical day of the programme ×
the weekday's share × the day's noise, plus the odd surge), spread over 15-minute intervals
with a morning and an afternoon peak. Agents are rostered against the *planned* volume (the
square-root staffing rule with a safety factor drawn per day: most days comfortable, a few
short), in shifts that follow the demand with breaks and lunch, so queues build when a surge
meets a thin roster and statements show both met and missed days.

The calls are then served first come, first served by the longest-idle available agent: waits
follow from the roster, callers hang up when their patience runs out (some within seconds:
short abandons), a few press 1 for a call-back or time out, missed rings go to the next
agent, some calls are held or transferred, and agents pause for after-call work. Critical
calls on a 24/7 calendar reach a night desk outside the day's hours.

Every day has its own random stream (seeded by the programme and the date), so a day's calls
are the same whatever window is generated: a later run with a longer window repeats the days
already imported and the importer, keyed by call id, changes nothing. Events after `now` are
left out, and so is every call not finished by then.

Pure Python over the core calendar: no Django, no database."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from pactline.core.calendar import BusinessCalendar

SLOT = 900  # staffing and arrival interval, seconds
NEVER = 2**62
# Share of a Monday-to-Thursday's calls by weekday (Monday busiest, Fridays and weekends quieter).
WEEKDAY_SHARE = (1.15, 1.04, 1.0, 0.97, 0.84, 0.56, 0.42)
QUEUE_TIMEOUT = 600
RING_TIMEOUT = 15
OVERTIME = 900  # agents answer calls that queued before their shift ended
SHRINKAGE = 0.12  # breaks, lunch and coaching: rostered on top of the calls' need


@dataclass(frozen=True)
class Queue:
    name: str
    weight: float  # share of the day's calls
    talk: float  # median talk time, seconds


@dataclass(frozen=True)
class Programme:
    """What the generator needs to know about one client's phone programme."""

    code: str  # the random streams' key
    calendar: BusinessCalendar  # the phone channel's service hours
    queues: tuple[Queue, ...]
    agents: tuple[str, ...]
    dids: tuple[str, ...]  # the numbers customers dial
    caller: Callable[[Random], str]  # a caller id as the PBX shows it
    daily_calls: float  # a typical Monday-to-Thursday
    critical: BusinessCalendar | None = None  # the channel's critical calendar (24/7 line)
    critical_queue: Queue | None = None
    critical_daily: float = 0.0
    night_agent: str = ""
    short_abandon: int = 5  # the agreement's short-abandon threshold
    understaffed: float = 0.08  # share of days rostered short
    surge_chance: float = 0.04  # share of days with an unplanned surge
    surges: Mapping[tuple[int, int], float] = field(default_factory=dict)  # (month, day)
    transfer: tuple[str, ...] = ("BLINDTRANSFER", "7002", "from-internal")
    acw: float = 40.0  # mean after-call work, seconds
    callers: int = 9000  # distinct callers in the pool (repeat callers within the week)


@dataclass
class Stats:
    """What was written (calls over by the cut-off), for the demo's summary and tuning."""

    calls: int = 0
    answered: int = 0
    within: int = 0  # answered within `threshold`
    abandoned: int = 0
    short_abandons: int = 0
    lines: int = 0
    days: int = 0
    daily: dict[date, Stats] = field(default_factory=dict)


_COUNTS = ("calls", "answered", "within", "abandoned", "short_abandons", "days")


@dataclass
class _Pause:
    planned: int
    length: int
    reason: str


@dataclass
class _Agent:
    name: str
    blocks: list[tuple[int, int]]
    pauses: list[_Pause]
    busy: int = 0  # free from this instant (end of the last call and its wrap-up)
    idle_since: int = 0
    taken: list[tuple[int, int, str]] = field(default_factory=list)  # pauses as they happened

    def available(self, t: int) -> int:
        """The earliest instant from `t` at which the agent can take a call that entered the
        queue at `t` (NEVER: not today). A planned break starts once the call in hand is
        finished; a call that entered before the end of a shift is still answered after it."""
        x = max(t, self.busy)
        while True:
            while self.pauses and self.pauses[0].planned <= x:
                pause = self.pauses.pop(0)
                start = max(pause.planned, self.busy)
                self.taken.append((start, start + pause.length, pause.reason))
                self.busy = max(self.busy, start + pause.length)
                x = max(x, self.busy)
            for start, end in self.blocks:
                if start <= x < end or (start <= t < end and x < end + OVERTIME):
                    return x
            later = [start for start, _end in self.blocks if start > x]
            if not later:
                return NEVER
            x = min(later)


def _profile(hour: float) -> float:
    """Calls by local hour: a morning peak, a smaller afternoon peak, an evening shoulder."""
    return (
        0.28
        + 1.0 * math.exp(-(((hour - 10.5) / 1.4) ** 2))
        + 0.8 * math.exp(-(((hour - 14.75) / 1.7) ** 2))
        + 0.25 * math.exp(-(((hour - 19.0) / 1.3) ** 2))
    )


def _poisson(rng: Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _local_hour(epoch: int, zone: ZoneInfo) -> float:
    local = datetime.fromtimestamp(epoch, zone)
    return local.hour + local.minute / 60


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _slots(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    slots = []
    for start, end in intervals:
        at = start
        while at < end:
            slots.append((at, min(at + SLOT, end)))
            at += SLOT
    return slots


def _runs(slots: list[tuple[int, int]], staff: list[int], position: int) -> list[tuple[int, int]]:
    """The time blocks in which at least `position` agents are needed (a gap in the day's
    hours, e.g. a lunch closure, ends a block)."""
    blocks: list[tuple[int, int]] = []
    for (start, end), needed in zip(slots, staff, strict=True):
        if needed < position:
            continue
        if blocks and blocks[-1][1] == start:
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
    return blocks


def _roster(
    rng: Random,
    names: list[str],
    slots: list[tuple[int, int]],
    staff: list[int],
    midday: int,
) -> list[_Agent]:
    """Shifts that follow the needed staff: position k works wherever k agents are needed,
    at least two hours at a time, with a break every few hours and, in a long shift, lunch
    staggered over the midday lull (`midday`: 11:45 local)."""
    agents = []
    ends = dict(slots)
    for position, name in enumerate(names, start=1):
        blocks = _runs(slots, staff, position)
        widened: list[tuple[int, int]] = []
        for start, end in blocks:
            while end - start < 2 * 3600 and end in ends:  # stretch short blocks to 2 hours
                end = ends[end]
            if widened and widened[-1][1] >= start:
                widened[-1] = (widened[-1][0], max(end, widened[-1][1]))
            else:
                widened.append((start, end))
        if not widened:
            continue
        pauses = []
        for start, end in widened:
            length = end - start
            if length >= int(3.5 * 3600):
                pauses.append(_Pause(start + 2 * 3600 + rng.randint(-900, 900), 900, "Break"))
            if length >= 6 * 3600:
                lunch = midday + (position % 6) * 1200 + rng.randint(-300, 300)
                if not start + 3 * 3600 <= lunch <= end - 2 * 3600:
                    lunch = start + length // 2
                pauses.append(_Pause(lunch, rng.choice((1800, 2700)), "Lunch"))
            if length >= 7 * 3600:
                pauses.append(_Pause(end - 2 * 3600 + rng.randint(-900, 900), 900, "Break"))
            if rng.random() < 0.06 and length >= 3 * 3600:
                pauses.append(_Pause(start + length // 3, 1800, "Coaching"))
        pauses.sort(key=lambda pause: pause.planned)
        agents.append(_Agent(name, widened, pauses, busy=widened[0][0], idle_since=widened[0][0]))
    return agents


@dataclass
class _Day:
    """One day of one programme: collects the lines with their order."""

    programme: Programme
    rng: Random
    cutoff: int
    threshold: int
    stats: Stats
    events: list[tuple[int, int, str]] = field(default_factory=list)
    order: int = 0

    def add(self, batch: list[tuple[int, str]]) -> None:
        for at, line in batch:
            self.order += 1
            self.events.append((at, self.order, line))


def _call(
    day: _Day,
    index: int,
    t: int,
    queue: Queue,
    agents: list[_Agent],
    waiting: list[int],
    caller: str,
    did: str,
) -> None:
    """Serve one call and write its lines (only when it is over by the cut-off)."""
    p, rng = day.programme, day.rng
    call_id = f"{t}.{index}"
    lines: list[tuple[int, str]] = []

    def add(at: int, agent: str, event: str, *data: object) -> None:
        lines.append((at, "|".join((call_id, queue.name, agent, event, *map(str, data)))))

    waiting[:] = [leaves for leaves in waiting if leaves > t]
    position = len(waiting) + 1
    add(t, "NONE", "DID", did)
    add(t, "NONE", "ENTERQUEUE", "", caller, position)
    # The caller's patience: some hang up within seconds (short abandons), most wait a while.
    if rng.random() < 0.035:
        patience = rng.randint(1, max(1, p.short_abandon - 1))
    else:
        patience = int(rng.expovariate(1 / 200)) + 20
    best: _Agent | None = None
    best_at = NEVER
    for agent in agents:
        at = agent.available(t)
        if at < best_at or (
            at == best_at and best is not None and agent.idle_since < best.idle_since
        ):
            best, best_at = agent, at
    ring = rng.randint(3, 9)
    answer = best_at + ring if best is not None and best_at < NEVER else NEVER
    wait = answer - t
    leave: int
    if wait > patience or wait > QUEUE_TIMEOUT:
        # Gone before an agent picked up: hung up, pressed 1 for a call-back, or timed out.
        if patience >= QUEUE_TIMEOUT:
            leave = t + QUEUE_TIMEOUT
            add(leave, "NONE", "EXITWITHTIMEOUT", position, position, QUEUE_TIMEOUT)
        elif patience > 60 and rng.random() < 0.2:
            leave = t + patience
            add(leave, "NONE", "EXITWITHKEY", "1", position, position, patience)
        else:
            leave = t + patience
            add(leave, "NONE", "ABANDON", position, position, patience)
        waiting.append(leave)
        if leave <= day.cutoff:
            day.stats.calls += 1
            day.stats.abandoned += 1
            day.stats.short_abandons += patience < p.short_abandon
            day.add(lines)
        return
    assert best is not None  # noqa: S101 - answered means an agent was found
    if wait > RING_TIMEOUT + 6 and rng.random() < 0.35:
        # An agent's phone rang out first (RINGNOANSWER, ring time in milliseconds).
        others = [agent for agent in agents if agent is not best and agent.blocks]
        if others:
            missed = rng.choice(others)
            add(answer - RING_TIMEOUT - rng.randint(1, 4), missed.name, "RINGNOANSWER", 15000)
    waiting.append(answer)
    talk = int(rng.lognormvariate(math.log(queue.talk), 0.55)) + 15
    add(answer, best.name, "CONNECT", wait, f"{answer}.{index + 50000}", ring)
    hold = 0
    if rng.random() < 0.12:
        hold = rng.randint(25, 150)
        put = answer + talk // 3
        add(put, best.name, "HOLD")
        add(put + hold, best.name, "UNHOLD")
    end = answer + talk + hold
    roll = rng.random()
    if roll < 0.035:
        event, *target = p.transfer
        add(end, best.name, event, *target, wait, talk + hold, position)
    elif roll < 0.6:
        add(end, best.name, "COMPLETECALLER", wait, talk + hold, position)
    else:
        add(end, best.name, "COMPLETEAGENT", wait, talk + hold, position)
    free = end + 2
    if rng.random() < 0.85:
        wrap = max(5, int(rng.expovariate(1 / p.acw)))
        lines.append((end + 1, f"NONE|NONE|{best.name}|PAUSE|ACW"))
        lines.append((end + 1 + wrap, f"NONE|NONE|{best.name}|UNPAUSE|ACW"))
        free = end + 2 + wrap
    best.busy = free
    best.idle_since = free
    if max(at for at, _line in lines) <= day.cutoff:
        day.stats.calls += 1
        day.stats.answered += 1
        day.stats.within += wait <= day.threshold
        day.add(lines)


def _agent_lines(day: _Day, agent: _Agent, queues: list[str]) -> None:
    agent.available(NEVER - 1)  # breaks not yet taken are taken after the last call
    batch: list[tuple[int, str]] = []
    rng = day.rng
    for start, end in agent.blocks:
        logged_in = start - rng.randint(60, 420)
        logged_out = max(end, agent.busy if agent.busy <= end + 3600 else end) + rng.randint(5, 300)
        for queue in queues:
            batch.append((logged_in, f"NONE|{queue}|{agent.name}|ADDMEMBER|"))
            batch.append((logged_out, f"NONE|{queue}|{agent.name}|REMOVEMEMBER|"))
    for start, end, reason in agent.taken:
        if any(block_start <= start < block_end for block_start, block_end in agent.blocks):
            batch.append((start, f"NONE|NONE|{agent.name}|PAUSE|{reason}"))
            batch.append((end, f"NONE|NONE|{agent.name}|UNPAUSE|"))
    day.add([(at, line) for at, line in batch if at <= day.cutoff])


def _day_events(
    p: Programme, day: date, *, threshold: int, cutoff: int, scale: float, pool: list[str]
) -> tuple[list[tuple[int, int, str]], Stats]:
    rng = Random(f"pactline-demo:{p.code}:{day.isoformat()}")  # noqa: S311 - demo data
    zone = ZoneInfo(p.calendar.timezone)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    stats = Stats()
    state = _Day(p, rng, cutoff, threshold, stats)
    intervals = [(_epoch(a), _epoch(b)) for a, b in p.calendar.open_intervals(start, end)]
    regular = bool(p.calendar.spec.weekly_intervals().get(day.weekday()))
    share = WEEKDAY_SHARE[day.weekday()] if regular else 1.0  # a make-up working day is busy
    noise = rng.lognormvariate(0, 0.09)
    surge = p.surges.get((day.month, day.day), 1.0)
    if surge == 1.0 and rng.random() < p.surge_chance:
        surge = rng.uniform(1.25, 1.6)
    beta = rng.uniform(-0.4, 0.2) if rng.random() < p.understaffed else rng.uniform(0.6, 1.3)
    slots = _slots(intervals)
    weights = [_profile(_local_hour((a + b) // 2, zone)) * (b - a) / SLOT for a, b in slots]
    total = sum(weights) or 1.0
    planned = [p.daily_calls * share * scale * w / total for w in weights]
    handle = sum(q.weight * q.talk * math.exp(0.55**2 / 2) for q in p.queues) / sum(
        q.weight for q in p.queues
    )
    handle += 15 + 6 + 0.85 * p.acw + 0.12 * 85
    needed = []
    for (a, b), expected in zip(slots, planned, strict=True):
        load = expected * handle / (b - a)
        raw = (load + beta * math.sqrt(load) + 0.5) / (1 - SHRINKAGE)
        needed.append(max(2, min(len(p.agents), math.ceil(raw))))
    # Smooth the roster over 1.5 hours either side: shifts, not 15-minute hops.
    staff = [max(needed[max(0, i - 6) : i + 7]) for i in range(len(needed))]
    names = list(p.agents)
    rng.shuffle(names)
    midday = _epoch(datetime.combine(day, time(11, 45), zone))
    agents = _roster(rng, names, slots, staff, midday)
    # Arrivals: a Poisson count per interval at the planned rate × the day's noise and surge.
    arrivals: list[tuple[int, Queue]] = []
    weights_q = [q.weight for q in p.queues]
    for (a, b), expected in zip(slots, planned, strict=True):
        arrivals.extend(
            (a + int(rng.random() * (b - a)), rng.choices(p.queues, weights_q)[0])
            for _ in range(_poisson(rng, expected * noise * surge))
        )
    night: list[tuple[int, int]] = []
    if p.critical is not None and p.critical_queue is not None and p.critical_daily > 0:
        critical = [(_epoch(a), _epoch(b)) for a, b in p.critical.open_intervals(start, end)]
        length = sum(b - a for a, b in critical)
        for _ in range(_poisson(rng, p.critical_daily * scale)):
            offset = int(rng.random() * length)
            for a, b in critical:
                if offset < b - a:
                    arrivals.append((a + offset, p.critical_queue))
                    break
                offset -= b - a
        night = _minus(critical, intervals)
    arrivals.sort(key=lambda arrival: arrival[0])
    desk = _Agent(p.night_agent, night, [], busy=night[0][0] if night else 0) if night else None
    waiting: list[int] = []
    for index, (t, queue) in enumerate(arrivals, start=1):
        caller = pool[rng.randrange(len(pool))] if rng.random() > 0.01 else "anonymous"
        did = rng.choice(p.dids)
        inside = any(a <= t < b for a, b in intervals)
        if desk is not None and not inside:
            _call(state, index, t, queue, [desk], waiting, caller, did)
        else:
            _call(state, index, t, queue, agents, waiting, caller, did)
    queue_names = [q.name for q in p.queues]
    if p.critical_queue is not None:
        queue_names.append(p.critical_queue.name)
    for agent in agents:
        _agent_lines(state, agent, queue_names)
    if desk is not None and p.critical_queue is not None:
        _agent_lines(state, desk, [p.critical_queue.name])
    stats.days = 1 if intervals else 0
    return state.events, stats


def _minus(spans: list[tuple[int, int]], cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` without the parts covered by `cut` (both sorted, disjoint)."""
    out = []
    for a, b in spans:
        start = a
        for c, d in cut:
            if d <= start or c >= b:
                continue
            if c > start:
                out.append((start, c))
            start = max(start, d)
        if start < b:
            out.append((start, b))
    return out


def caller_pool(p: Programme) -> list[str]:
    """The programme's customers' numbers, the same for every window (repeat callers)."""
    rng = Random(f"pactline-demo:{p.code}:callers")  # noqa: S311 - reproducible demo data
    return [p.caller(rng) for _ in range(p.callers)]


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def queue_log_write(
    p: Programme,
    path: Path,
    *,
    first: date,
    last: date,
    now: datetime,
    threshold: int,
    scale: float = 1.0,
) -> Stats:
    """Simulate `first`..`last` (local dates) and write the queue_log to `path`, cut at `now`."""
    cutoff = _epoch(now)
    pool = caller_pool(p)
    total = Stats()
    events: list[tuple[int, int, str]] = []
    for number, day in enumerate(days(first, last)):
        day_events, stats = _day_events(
            p, day, threshold=threshold, cutoff=cutoff, scale=scale, pool=pool
        )
        events.extend((at, number * 10_000_000 + order, line) for at, order, line in day_events)
        total.daily[day] = stats
        for name in _COUNTS:
            setattr(total, name, getattr(total, name) + getattr(stats, name))
    events.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        if events:
            out.write(f"{events[0][0] - 1}|NONE|NONE|NONE|QUEUESTART|\n")
        out.writelines(f"{at}|{line}\n" for at, _order, line in events)
    total.lines = len(events) + (1 if events else 0)
    return total
