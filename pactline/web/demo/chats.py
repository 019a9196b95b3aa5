"""Chats for the demo: a few finished conversations per client and one customer waiting.

Each conversation starts on a recent working day of the chat channel's calendar and plays
through the chat services at its own moments: the customer's first message, sometimes the
bot's greeting, the agent's answer (most within the chat first-response target, one late),
the exchange, the end of the session and the case resolved. A conversation is known by its
client and first message, so a second run starts nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import agreement_calendar, chat_channel
from pactline.cases.models import AuthorKind
from pactline.cases.services import case_resolve
from pactline.channels.chat.models import ChatSession
from pactline.channels.chat.services import (
    SUBJECT_MAX,
    chat_message_add,
    chat_session_end,
    chat_session_start,
)
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client
from pactline.web.demo.users import agent_of


@dataclass(frozen=True)
class Chat:
    customer: str
    email: str
    # (author, seconds after the previous message, text); author C customer, A agent, B bot
    messages: tuple[tuple[str, int, str], ...]
    waiting: bool = False  # the customer's first message is still unanswered


CHATS: dict[str, tuple[Chat, ...]] = {
    "NWR-CC-2026-001": (
        Chat("Jessica Moore", "jess.moore@example.com", (
            ("C", 0, "Hi, can I still change the delivery slot for order NW-57719?"),
            ("A", 34, "Hi Jessica! Yes, it's booked for Thursday. Which day suits you better?"),
            ("C", 41, "Saturday morning if possible."),
            ("A", 52, "Done: Saturday between 9 and 12. You'll get a text the evening before."),
            ("C", 20, "Perfect, thanks!"),
        )),
        Chat("Daniel Wright", "", (
            ("C", 0, "My discount code isn't working at checkout"),
            ("B", 2, "Thanks for your message! I'm connecting you with an agent now."),
            ("A", 47, "Hi Daniel, sorry about that. Which code are you using?"),
            ("C", 25, "SPRING20"),
            ("A", 63, ("That one expired on Sunday, but I've applied 20% to your basket as a "
                      "goodwill gesture. It's valid for the next hour.")),
            ("C", 15, "Brilliant, thank you!"),
        )),
        Chat("Fatima Ali", "fatima.ali@example.org", (
            ("C", 0, "Do you price match other retailers?"),
            ("A", 96, ("Hi Fatima, sorry for the wait! Yes, we match any US retailer's "
                      "advertised price within 14 days of purchase.")),
            ("C", 30, "Great, I'll send the link. Thanks"),
        )),
    ),
    "HX-KF-2026-018": (
        Chat("陈女士", "", (
            ("C", 0, "你好，1.8米的床适合哪款床垫？"),
            ("A", 17, "您好！1.8 米的床推荐 180×200 规格，比如云眠系列独立弹簧床垫。"),
            ("C", 35, "有现货吗？"),
            ("A", 22, "有的，今天下单明天发货，上海市区次日送达。"),
            ("C", 12, "好的，谢谢"),
        )),
        Chat("王先生", "wang.xs@example.com", (
            ("C", 0, "订单显示已签收，但我没收到货"),
            ("A", 24, "您好，请提供一下订单号，我马上帮您查。"),
            ("C", 31, "HX20261115-0088"),
            ("A", 58, "查到了，快递放在小区快递柜，取件码已重新发送到您的手机。"),
            ("C", 40, "收到了，谢谢！"),
        )),
        Chat("刘小姐", "", (
            ("C", 0, "可以开增值税专用发票吗？"),
            ("A", 41, "您好，可以的。请提供公司名称、税号和收票地址。"),
            ("C", 70, "上海明远贸易有限公司，税号 91310115MA1H7XXXXX，地址浦东新区张杨路 500 号"),
            ("A", 45, "好的，专票将在 3 个工作日内开具并寄出。"),
        )),
        Chat("赵先生", "", (("C", 0, "你好，周六可以上门安装吗？"),), waiting=True),
    ),
    "KE-CALL-2026-07": (
        Chat("Hayley Brooks", "", (
            ("C", 0, "Hi, is there an outage in Glenelg? Power's been off for 20 minutes."),
            ("A", 38, ("Hi Hayley, yes: there's an unplanned outage in Glenelg. Crews expect "
                      "power back by 3:30 pm.")),
            ("C", 22, "Thanks for letting me know."),
        )),
        Chat("Mitchell Lee", "mitch.lee@example.net", (
            ("C", 0, "How do I set up a payment plan?"),
            ("A", 44, "I can set one up for you now. What's your account number?"),
            ("C", 30, "KE40917"),
            ("A", 75, "Done: fortnightly payments of $58 starting this Friday."),
            ("C", 10, "great, thanks"),
        )),
        Chat("Sarah Doyle", "", (
            ("C", 0, "Can I get paper bills instead of email?"),
            ("A", 51, ("Sure. I've switched you to paper bills from the next cycle; a $1.75 "
                      "fee applies per paper bill.")),
            ("C", 18, "ok, thanks"),
        )),
    ),
    "MT-CS-2026-042": (
        Chat("Rahul Nair", "", (
            ("C", 0, "My internet has been down since morning, red light on the router."),
            ("A", 64, ("Sorry about that, Rahul. There's a fibre cut in your area; technicians "
                      "expect it fixed by 6 pm. I've added one day's rental as credit.")),
            ("C", 20, "ok thanks"),
        )),
        Chat("Ishita Banerjee", "ishita.b@example.com", (
            ("C", 0, "How do I activate international roaming?"),
            ("A", 55, "I can activate it now. Which country are you travelling to?"),
            ("C", 25, "Singapore, next Monday"),
            ("A", 48, "Done. The Asia pack is Rs 2,999 for 10 days and starts when you land."),
            ("C", 9, "Thank you!"),
        )),
        Chat("Manoj Pillai", "", (
            ("C", 0, "Can I change my plan to 300 Mbps?"),
            ("A", 131, ("Yes! The upgrade takes effect tonight; the new rental is Rs 1,299 a "
                       "month.")),
            ("C", 14, "great"),
        )),
    ),
}  # fmt: skip

AUTHORS = {"C": AuthorKind.CUSTOMER, "A": AuthorKind.AGENT, "B": AuthorKind.BOT}
LABELS = {"C": "", "B": "Assistant"}


def _starts(client: Client, now: datetime, count: int) -> list[datetime]:
    """Start times on the chat channel's latest working days: one per day, mid-morning to
    mid-afternoon, oldest first."""
    version = agreement_version_in_force(client, now)
    channel = chat_channel(version.terms) if version else None
    if version is None or channel is None:
        return []
    calendar = agreement_calendar(version, str(channel.calendar))
    intervals = calendar.open_intervals(now - timedelta(days=10), now - timedelta(hours=1))
    # The longest interval of each local day (the morning one where there is a lunch break).
    by_day: dict[date, tuple[datetime, datetime]] = {}
    zone = calendar.spec.zone
    for start, end in intervals:
        day = start.astimezone(zone).date()
        if day not in by_day or end - start > by_day[day][1] - by_day[day][0]:
            by_day[day] = (start, end)
    days = sorted(by_day)[-count:]
    starts = []
    for index, day in enumerate(days):
        start, end = by_day[day]
        starts.append(start + (end - start) * (0.25 + 0.15 * index) + timedelta(seconds=17 * index))
    return starts


def demo_chats_load(*, clients: list[Client], now: datetime) -> list[str]:
    lines = []
    for client in clients:
        version = agreement_version_in_force(client, now)
        chats = CHATS.get(version.agreement.reference, ()) if version else ()
        finished = [chat for chat in chats if not chat.waiting]
        starts = _starts(client, now, len(finished))
        if not chats or not starts:
            continue
        agent = agent_of(client)
        customer = system_actor("chat")
        created = already = 0
        plan = list(zip(finished, starts, strict=False))
        plan += [(chat, now - timedelta(seconds=40)) for chat in chats if chat.waiting]
        for chat, start in plan:
            opening = chat.messages[0][2]
            if ChatSession.objects.filter(client=client, case__subject=opening[:SUBJECT_MAX]):
                already += 1
                continue
            started = chat_session_start(
                actor=customer,
                client=client,
                customer_name=chat.customer,
                email=chat.email or None,
                first_message=opening,
                at=start,
                now=start,
            )
            at = start
            for author, delay, text in chat.messages[1:]:
                at += timedelta(seconds=delay)
                chat_message_add(
                    actor=customer if author == "C" else agent,
                    session=started.session,
                    author_kind=AUTHORS[author],
                    text=text,
                    author_label=LABELS.get(author, agent.audit_label.split(":")[-1]),
                    at=at,
                    now=at,
                )
            if not chat.waiting:
                at += timedelta(seconds=30)
                chat_session_end(actor=agent, session=started.session, now=at)
                case_resolve(actor=agent, case=started.session.case, at=at, now=at)
            created += 1
        lines.append(
            _("chat: %(client)s: %(created)d conversation(s), %(already)d already there")
            % {"client": client.name, "created": created, "already": already}
        )
    return lines
