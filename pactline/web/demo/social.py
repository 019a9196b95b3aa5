"""Social messages for the demo, as the platform integrations deliver them.

Each thread's messages go through the social service at the moments they were sent; the agent
answers through the reply service (the reply waits in the outbox) and the integration
acknowledges the delivery with the platform's id. One thread per client is still waiting for
an answer. Before those recent days, back to the first of last month (the month the demo
closes and bills), about a thread a working day from other customers, answered and resolved.
Messages are keyed by the platform's ids (an older thread's carry its day), replies by an
idempotency key, so a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from random import Random

from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import agreement_calendar, channel_spec, social_accounts
from pactline.cases.models import CaseStatus
from pactline.cases.services import case_resolve, case_set_status
from pactline.channels.social.models import SocialMessage
from pactline.channels.social.services import (
    Attachment,
    Inbound,
    social_message_receive,
    social_outbox_ack,
    social_reply,
)
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client
from pactline.web.demo.users import agent_of
from pactline.web.demo.voice import call_window

DAYS_BACK = 8  # the recent threads start in these last days


@dataclass(frozen=True)
class Thread:
    account: str  # one of the agreement's social accounts
    thread_id: str
    author_id: str
    author_name: str
    # (C customer / A agent, minutes after the previous message, text, attachment URL)
    messages: tuple[tuple[str, int, str, str], ...]
    resolve: bool = False


THREADS: dict[str, tuple[Thread, ...]] = {
    "NWR-CC-2026-001": (
        Thread("facebook:NorthwindRetail", "t_10231977", "100045821", "Jess Alvarez", (
            ("C", 0, "Hi! My order NW-58817 says delivered but it isn't here.", ""),
            ("A", 38, ("Hi Jess, sorry to hear that! Please send us your address in a private "
                      "message and we'll open a trace with the courier."), ""),
            ("C", 12, "Sent you a DM with the details.", ""),
            ("A", 25, "Thanks! The trace is open; we'll update you within 24 hours.", ""),
        ), resolve=True),
        Thread("x:NorthwindHelp", "1858200231", "2231957", "@mikeontheroad", (
            ("C", 0, "@NorthwindHelp your app keeps logging me out 😤", ""),
            ("A", 22, ("Sorry about that, Mike! Version 5.2.1 of the app fixes it; let us know "
                      "if it keeps happening."), ""),
        ), resolve=True),
        Thread("instagram:northwind.retail", "ig_17841405", "17841400", "anna.decor", (
            ("C", 0, "Is this rug available in blue?",
             "https://cdn.example.com/instagram/anna.decor/rug.jpg"),
            ("A", 47, ("Hi Anna! Yes, the Hudson rug comes in navy; it's on our website under "
                      "Home > Rugs."), ""),
        ), resolve=True),
        Thread("facebook:NorthwindRetail", "t_10232410", "100077310", "Brian Foster", (
            ("C", 0, "What are your store hours on Thanksgiving weekend?", ""),
        )),
    ),
    "HX-KF-2026-018": (
        Thread("wechat:华信家居服务号", "oX7k2-2001", "oX7k2Fh81", "张女士", (
            ("C", 0, "你好，沙发什么时候能送到？订单 HX20261112-3301", ""),
            ("A", 16, "您好，您的沙发已到上海仓库，预计后天上午送达，送货前司机会电话联系您。", ""),
            ("C", 9, "好的，谢谢", ""),
        ), resolve=True),
        Thread("weibo:华信家居官方", "wb-4923001", "5829113", "@家居控小林", (
            ("C", 0, "@华信家居官方 客服电话一直打不通！", ""),
            ("A", 28, "非常抱歉！近期来电较多，已安排专人给您回电，请留意来电。", ""),
        ), resolve=True),
        Thread("wechat:华信家居服务号", "oX7k2-2003", "oX7k2Pq20", "孙先生", (
            ("C", 0, "床头柜送来时磕坏了一个角", "https://img.example.com/wechat/oX7k2Pq20/1.jpg"),
            ("A", 21, "非常抱歉！我们会为您免费更换，新床头柜三天内送达，旧的由司机带回。", ""),
        ), resolve=True),
        Thread("wechat:华信家居服务号", "oX7k2-2004", "oX7k2Lm55", "周女士", (
            ("C", 0, "请问可以开电子发票吗？", ""),
        )),
    ),
}  # fmt: skip

# The older threads: scripts without the customer's name, written by one of these customers.
HISTORY: dict[str, tuple[tuple[Thread, ...], tuple[str, ...]]] = {
    "NWR-CC-2026-001": ((
        Thread("facebook:NorthwindRetail", "t_hist", "", "", (
            ("C", 0, "Hi, my parcel tracking hasn't updated in three days. Is it lost?", ""),
            ("A", 31, ("Sorry about the wait! The courier had a backlog at the depot; your parcel "
                      "is moving again and should arrive within two days."), ""),
            ("C", 9, "Great, thanks for checking.", ""),
        ), resolve=True),
        Thread("x:NorthwindHelp", "hist", "", "", (
            ("C", 0, "@NorthwindHelp is the winter sale on in stores too or online only?", ""),
            ("A", 26, "It's on in every store and online until Sunday!", ""),
        ), resolve=True),
        Thread("instagram:northwind.retail", "ig_hist", "", "", (
            ("C", 0, "Do you ship this lamp to Canada?", ""),
            ("A", 44, "We do! Shipping to Canada takes 5-7 business days; duties are included.",
             ""),
        ), resolve=True),
    ), ("Megan Hill", "Ryan Cole", "Olivia Price", "Ethan Ward", "Chloe Diaz", "Noah Grant",
        "Ava Turner", "Liam Scott")),
    "HX-KF-2026-018": ((
        Thread("wechat:华信家居服务号", "oX7k2-h", "", "", (
            ("C", 0, "你好，我买的餐桌什么时候能送到？", ""),
            ("A", 18, "您好，您的餐桌已从仓库发出，预计两天内送达，送货前司机会电话联系您。", ""),
            ("C", 7, "好的，谢谢", ""),
        ), resolve=True),
        Thread("weibo:华信家居官方", "wb-h", "", "", (
            ("C", 0, "@华信家居官方 请问双人床可以分期付款吗？", ""),
            ("A", 24, "您好，可以的：支持 3、6、12 期免息分期，下单时选择即可。", ""),
        ), resolve=True),
        Thread("wechat:华信家居服务号", "oX7k2-hs", "", "", (
            ("C", 0, "衣柜门有点歪，能上门调整吗？", ""),
            ("A", 22, "非常抱歉！我们已为您预约安装师傅，明天下午上门免费调整。", ""),
            ("C", 11, "好的，明天下午家里有人", ""),
        ), resolve=True),
    ), ("李女士", "王先生", "陈先生", "杨女士", "吴先生", "徐女士", "马先生", "胡女士")),
}  # fmt: skip


def _starts(client: Client, now: datetime, count: int) -> list[datetime]:
    """One start per thread on the social channel's recent working hours, oldest first; the
    last (the waiting one) shortly before now."""
    version = agreement_version_in_force(client, now)
    channel = channel_spec(version.terms, "social") if version else None
    if version is None or channel is None:
        return []
    calendar = agreement_calendar(version, str(channel.calendar))
    intervals = calendar.open_intervals(now - timedelta(days=DAYS_BACK), now - timedelta(hours=3))
    if not intervals:
        return []
    starts = []
    for index in range(count - 1):
        start, end = intervals[max(0, len(intervals) - count + 1 + index - 1)]
        starts.append(start + (end - start) * (0.2 + 0.1 * index))
    starts.append(now - timedelta(minutes=25))
    return starts


def _history(client: Client, now: datetime) -> list[tuple[Thread, datetime]]:
    """The older threads: on each working day of the social channel's calendar from the first
    of last month (the agreement's home zone) to the recent days, none to two, each day drawn
    from its own seed so that a later run draws the days already there identically."""
    version = agreement_version_in_force(client, now)
    channel = channel_spec(version.terms, "social") if version else None
    scripts, authors = HISTORY.get(version.agreement.reference, ((), ())) if version else ((), ())
    if version is None or channel is None or not scripts:
        return []
    calendar = agreement_calendar(version, str(channel.calendar))
    zone = calendar.spec.zone
    first, today = call_window(version.home_timezone, now, None)
    out: list[tuple[Thread, datetime]] = []
    day = first
    while day < today - timedelta(days=DAYS_BACK):
        rng = Random(f"pactline-demo:{client.code}:social:{day.isoformat()}")  # noqa: S311
        start = datetime.combine(day, time(), zone)
        intervals = calendar.open_intervals(start, start + timedelta(days=1))
        for position in range(rng.choice((0, 1, 1, 2)) if intervals else 0):
            begin, end = rng.choice(intervals)
            script = rng.choice(scripts)
            thread = replace(
                script,
                thread_id=f"{script.thread_id}-{day:%Y%m%d}-{position + 1}",
                author_id=str(rng.randrange(10**8, 10**9)),
                author_name=rng.choice(authors),
            )
            out.append((thread, begin + (end - begin) * rng.uniform(0.05, 0.7)))
        day += timedelta(days=1)
    return out


def demo_social_load(*, clients: list[Client], now: datetime) -> list[str]:
    lines = []
    integration = system_actor("social")
    for client in clients:
        version = agreement_version_in_force(client, now)
        threads = THREADS.get(version.agreement.reference, ()) if version else ()
        if version is None or not threads:
            continue
        accounts = set(social_accounts(version.terms))
        threads = tuple(thread for thread in threads if thread.account in accounts)
        plan = [
            (thread, start) for thread, start in _history(client, now) if thread.account in accounts
        ]
        plan += zip(threads, _starts(client, now, len(threads)), strict=False)
        agent = agent_of(client)
        created = already = 0
        for thread, start in plan:
            platform = thread.account.split(":", 1)[0]
            first_id = f"{thread.thread_id}.1"
            if SocialMessage.objects.filter(
                client=client, platform=platform, message_id=first_id
            ).exists():
                already += 1
                continue
            at, case, inbound = start, None, 0
            for number, (author, minutes, text, url) in enumerate(thread.messages, start=1):
                at += timedelta(minutes=minutes)
                if author == "C":
                    inbound += 1
                    stored = social_message_receive(
                        actor=integration,
                        client=client,
                        inbound=Inbound(
                            platform=platform,
                            account=thread.account,
                            thread_id=thread.thread_id,
                            message_id=f"{thread.thread_id}.{inbound}",
                            author_id=thread.author_id,
                            author_name=thread.author_name,
                            text=text,
                            sent_at=at,
                            attachments=(Attachment(url=url, name=url.rsplit("/", 1)[-1]),)
                            if url
                            else (),
                        ),
                        now=at,
                    )
                    case = stored.message.case
                elif case is not None:
                    if case.status == CaseStatus.NEW:  # the agent picks it up
                        case = case_set_status(
                            actor=agent, case=case, status=CaseStatus.OPEN, at=at, now=at
                        )
                    reply = social_reply(
                        actor=agent,
                        case=case,
                        text=text,
                        idempotency_key=f"demo-{thread.thread_id}-{number}",
                        now=at,
                    )
                    delivered = at + timedelta(seconds=4)
                    social_outbox_ack(
                        actor=integration,
                        message=reply.message,
                        delivered=True,
                        platform_message_id=f"{thread.thread_id}.r{number}",
                        now=delivered,
                    )
            if thread.resolve and case is not None:
                at += timedelta(minutes=15)
                case_resolve(actor=agent, case=case, at=at, now=at)
            created += 1
        lines.append(
            _("social: %(client)s: %(created)d thread(s), %(already)d already there")
            % {"client": client.name, "created": created, "already": already}
        )
    return lines
