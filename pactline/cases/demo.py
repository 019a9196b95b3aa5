"""Demo cases: a handful of open cases per example client, with live clocks.

Each case is placed relative to `now` in business time of its own clock, so whatever the hour
the demo is loaded, the running clocks have the stated share of their target left (a clock on
a closed calendar resumes at the next opening), one case sits paused pending the customer,
one has been answered in time and one has breached. Every step goes through the case
services with `at` = `now` = the moment of the step, exactly as if it had happened live, and
the clock loop's own step then records what fell due since. A case is known by its client and
subject, so a second run creates nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pactline.agreements.selectors import agreement_version_in_force
from pactline.cases.clocks import clocks_fire_due
from pactline.cases.definitions import CaseClock, case_clocks
from pactline.cases.models import Case
from pactline.cases.services import (
    case_agent_reply,
    case_customer_message,
    case_open,
    case_set_status,
)
from pactline.core.calendar import BusinessCalendar
from pactline.tenancy.access import Actor, system_actor
from pactline.tenancy.models import Client

Story = Literal["running", "met", "paused", "breached"]

# How far back a case may be placed to find the business time it needs (long holidays).
_LOOKBACK = timedelta(days=60)


@dataclass(frozen=True)
class DemoCase:
    subject: str
    channel: str
    priority: str
    story: Story
    left: float = 0.5  # running: share of the first-response target still left
    category: str = ""
    message: str = ""
    reply: str = "Thanks for getting in touch: we are on it and will update you shortly."


_ZH_REPLY = "您好，已收到您的问题，我们正在处理，稍后给您答复。"

DEMO_CASES: dict[str, tuple[DemoCase, ...]] = {
    # Northwind Retail — New York business hours; critical email runs 24/7.
    "NWR-CC-2026-001": (
        DemoCase("Card charged twice at checkout", "email", "critical", "running", 0.6,
                 "billing_inquiry", "I was charged twice for order NW-50117."),
        DemoCase("Order NW-48213 arrived damaged", "email", "high", "running", 0.35,
                 "complaint", "The lamp arrived with a cracked base."),
        DemoCase("Delivery date change", "social", "high", "running", 0.5, "inquiry",
                 "Can you deliver on Friday instead?"),
        DemoCase("Refund not received after return", "email", "normal", "paused", 0.5,
                 "billing_inquiry", "I returned the jacket three weeks ago."),
        DemoCase("Loyalty points missing", "social", "normal", "met", 0.5, "inquiry",
                 "My points from last month are not showing."),
        DemoCase("Cannot sign in to my account", "email", "normal", "breached", 0.5,
                 "support_request", "The reset link says it has expired."),
    ),
    # 华信家居 — Shanghai workdays with a lunch break.
    "HX-KF-2026-018": (
        DemoCase("沙发配送延迟", "social", "high", "running", 0.5, "complaint",
                 "订单显示已发货一周，还没有送到。"),
        DemoCase("退货运费咨询", "social", "low", "running", 0.8, "inquiry",
                 "七天无理由退货需要自己承担运费吗？"),
        DemoCase("订单发票抬头修改", "social", "normal", "met", 0.5, "billing_inquiry",
                 "发票抬头写错了，能重新开吗？", _ZH_REPLY),
        DemoCase("床垫尺寸咨询", "chat", "normal", "met", 0.5, "inquiry", "1.8 米的床用哪一款？",
                 _ZH_REPLY),
        DemoCase("安装师傅未按时上门", "social", "critical", "breached", 0.5, "complaint",
                 "约好上午十点安装，到现在没人来。"),
    ),
    # Kestrel Energy — Adelaide contact-centre hours.
    "KE-CALL-2026-07": (
        DemoCase("Gas supply outage at 14 Wattle St", "email", "emergency", "running", 0.5,
                 "troubleshooting", "No gas since this morning."),
        DemoCase("Bill higher than usual", "email", "urgent", "running", 0.4,
                 "billing_inquiry", "My bill doubled this quarter."),
        DemoCase("Move-in meter read request", "email", "standard", "met", 0.5,
                 "service_activation", "We move in on the 1st."),
        DemoCase("Solar feed-in credit missing", "email", "urgent", "breached", 0.5,
                 "billing_inquiry", "No feed-in credit on my last two bills."),
    ),
    # Meridian Telecom — Kolkata support hours; critical faults run 24/7.
    "MT-CS-2026-042": (
        DemoCase("Enterprise leased line down — Bengaluru DC", "web", "critical", "met", 0.5,
                 "troubleshooting", "Circuit MRD-BLR-0042 down since 09:10."),
        DemoCase("Broadband slow in the evenings", "web", "normal", "running", 0.3,
                 "technical_support", "Speeds drop below 5 Mbps after 8 pm."),
        DemoCase("Incorrect roaming charges", "email", "high", "running", 0.5,
                 "billing_inquiry", "Charged for roaming while in Mumbai."),
        DemoCase("Fibre installation appointment", "web", "high", "paused", 0.5,
                 "service_activation", "Which slots are free next week?"),
        DemoCase("SIM activation failed", "email", "critical", "breached", 0.5,
                 "service_activation", "New SIM shows 'not registered'."),
    ),
}  # fmt: skip


def _started_for(calendar: BusinessCalendar, now: datetime, used: float) -> datetime:
    """The latest start from which `calendar` has `used` business seconds by `now`.

    The calendar can add business time but not subtract it; `between` grows as the start moves
    back, so a bisection finds the start (to the second)."""
    low, high = now - _LOOKBACK, now
    if calendar.between(low, now) < used:
        return low
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if calendar.between(middle, now) >= used:
            low = middle
        else:
            high = middle
    return low.replace(microsecond=0)


def _first_response(clocks: list[CaseClock]) -> CaseClock | None:
    for clock in clocks:
        if clock.definition.metric == "first_response":
            return clock
    return clocks[0] if clocks else None


def _play(actor: Actor, client: Client, spec: DemoCase, clock: CaseClock, now: datetime) -> Case:
    """Open the case and play its story, each step as of its own moment."""
    calendar = clock.definition.calendar
    target = clock.definition.targets.get(spec.priority)
    target = float(target) if target is not None else 3600.0
    used = {
        "running": target * (1 - spec.left),
        "met": target * 0.8,
        "paused": target * 0.5,
        "breached": target * 1.25,
    }[spec.story]
    opened = _started_for(calendar, now, used)
    case = case_open(
        actor=actor,
        client=client,
        channel=spec.channel,
        priority=spec.priority,
        subject=spec.subject,
        category=spec.category,
        status="open",
        at=opened,
        now=opened,
    )
    if spec.message:
        case_customer_message(actor=actor, case=case, body=spec.message, at=opened, now=opened)
    if spec.story == "met":
        replied = calendar.add(opened, target * 0.4)
        case_agent_reply(actor=actor, case=case, body=spec.reply, at=replied, now=replied)
    elif spec.story == "paused":
        asked = calendar.add(opened, target * 0.25)
        case_set_status(actor=actor, case=case, status="pending_customer", at=asked, now=asked)
    return case


def demo_cases(*, now: datetime, actor: Actor | None = None) -> list[str]:
    """Create the demo cases that do not exist yet; returns lines to print."""
    actor = actor or system_actor("demo")
    lines = []
    for client in Client.objects.order_by("code"):
        version = agreement_version_in_force(client, now)
        specs = DEMO_CASES.get(version.agreement.reference, ()) if version else ()
        if version is None or not specs:
            continue
        existing = set(Case.objects.filter(client=client).values_list("subject", flat=True))
        created = 0
        for spec in specs:
            clock = _first_response(case_clocks(version, spec.channel, spec.priority))
            # No clock on the channel: nothing to show; already there: nothing to do.
            if clock is not None and spec.subject not in existing:
                _play(actor, client, spec, clock, now)
                created += 1
        lines.append(f"cases: {client.name}: {created} created, {len(existing)} already there")
    # What fell due between each case's last step and now: what the clock loop does live.
    tick = clocks_fire_due(now=now)
    lines.append(f"cases: {len(tick.events)} SLA event(s) recorded up to now")
    return lines
