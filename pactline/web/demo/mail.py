"""Customer mail for the demo, delivered over SMTP to the real listener.

The listener (`pactline smtpd`'s) runs on a free loopback port for the length of the load; each
message is sent with `smtplib` as an MTA would, and the listener's clock is set to the moment
the customer wrote, so cases open and clocks start when they would have. Agents answer through
the reply service (outgoing mail goes to whatever EMAIL_BACKEND is set: `make demo` prints it),
most within the agreement's first-response target, some late, a few not yet; many cases are
then resolved. Before those recent days, back to the first of last month (the month the demo
closes and bills), a steady flow of the same customers' mail, all answered and nearly all
resolved, as a month's work leaves it. Among the messages: a multipart with an attachment, a
Chinese subject in GB2312, a Spanish one, a customer adding to their own message, a customer
answering the agent (threaded by In-Reply-To), and a broken MIME message that ends in the
quarantine.

Message-IDs are fixed per client and position (the older mail: per client, day and position,
each day drawn from its own seed), so a second run finds every message stored and sends
nothing; the quarantined one is known by its sender."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.header import Header
from email.message import EmailMessage as MimeMessage
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from random import Random
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import default_priority, email_addresses
from pactline.cases.definitions import case_clocks
from pactline.cases.models import Case, CaseStatus
from pactline.cases.services import case_resolve, case_set_status
from pactline.channels.email.models import Direction, EmailMessage, QuarantinedEmail
from pactline.channels.email.services import email_reply_send
from pactline.channels.email.smtp import SmtpListener, SupportMailHandler
from pactline.core.calendar import BusinessCalendar
from pactline.tenancy.access import Actor, system_actor
from pactline.tenancy.models import Client
from pactline.web.demo.mail_texts import PROFILES, MailProfile, Topic
from pactline.web.demo.users import agent_of
from pactline.web.demo.voice import call_window

DAYS_BACK = 12  # the profile's `count` messages fall in these last days
# Of the older mail, the share answered late and the share resolved: a month's work done.
HISTORY_LATE = 0.1
HISTORY_RESOLVED = 0.96


CUSTOMER_DOMAINS = ("example.com", "example.net", "example.org")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Mail:
    """One customer message and what happens to it."""

    message_id: str
    sender: str  # envelope sender
    to: str
    received: datetime
    raw: bytes = b""
    reply: str = ""
    reply_at: datetime | None = None
    resolve_at: datetime | None = None
    answers: str = ""  # message id of a message of this client it follows up
    answers_agent: bool = False  # it answers the agent's reply (threaded by In-Reply-To)
    name: str = ""  # for an answer to the agent: the customer's name and text
    body: str = ""
    follow_ups: list[Mail] = field(default_factory=list)
    quarantine: bool = False


def _address(name: str, rng: Random) -> str:
    local = ".".join(part.lower().replace("'", "") for part in name.split())
    return f"{local}@{rng.choice(CUSTOMER_DOMAINS)}"


def _local_daytime(rng: Random, now: datetime, zone: ZoneInfo) -> datetime:
    """A moment in the last DAYS_BACK days, mostly in the customer's waking hours."""
    day = (now.astimezone(zone) - timedelta(days=rng.randrange(DAYS_BACK))).date()
    moment = _daytime(rng, day, zone)
    if moment >= now:
        moment -= timedelta(days=1)
    return moment


def _daytime(rng: Random, day: date, zone: ZoneInfo) -> datetime:
    """A moment of `day`, mostly in the customer's waking hours."""
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 6, 9, 10, 10, 9, 8, 9, 9, 8,
                                           7, 6, 6, 6, 5, 4, 3, 2])[0]  # fmt: skip
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                    tzinfo=zone)  # fmt: skip


def _plain(sender: str, to: str, subject: str, body: str, message_id: str, at: datetime) -> bytes:
    message = MimeMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{message_id}>"
    message.set_content(body + "\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _png(width: int = 48, height: int = 32) -> bytes:
    """A small valid PNG (a warm gradient): the customer's photo of the damage."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((200 - y * 3, 120 + x, 60 + x + y)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _with_attachment(
    sender: str,
    to: str,
    subject: str,
    body: str,
    html: str,
    attachment: tuple[str, str, bytes],
    message_id: str,
    at: datetime,
) -> bytes:
    message = MimeMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{message_id}>"
    message.set_content(body + "\n")
    message.add_alternative(html, subtype="html")
    name, content_type, data = attachment
    maintype, subtype = content_type.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _gb2312(sender: str, to: str, subject: str, body: str, message_id: str, at: datetime) -> bytes:
    """A Chinese mail as many Chinese clients still send it: GB2312, base64 subject."""
    message = MIMEText(body + "\n", "plain", "gb2312")
    message["From"] = sender
    message["To"] = to
    message["Subject"] = Header(subject, "gb2312").encode()
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{message_id}>"
    return message.as_bytes().replace(b"\n", b"\r\n")


def _threaded(
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    at: datetime,
    parent: str,
    references: list[str],
) -> bytes:
    message = MimeMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<{message_id}>"
    message["In-Reply-To"] = f"<{parent}>"
    message["References"] = " ".join(f"<{item}>" for item in [*references, parent])
    message.set_content(body + "\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _broken(sender: str, to: str, message_id: str, at: datetime) -> bytes:
    """A multipart whose parts use another boundary than the header declares: unparseable."""
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Meter photo\r\n"
        f"Date: {format_datetime(at)}\r\nMessage-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="----=_Part_17_2024"\r\n\r\n'
        "------=_Part_18_2024\r\nContent-Type: text/plain\r\n\r\n"
        "Photo of my meter attached.\r\n------=_Part_18_2024--\r\n"
    ).encode()


class _Clock:
    """The listener's "now": the moment the customer's message is being delivered."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _first_response(version: AgreementVersion, priority: str) -> tuple[BusinessCalendar, float]:
    for clock in case_clocks(version, "email", priority):
        if clock.definition.metric == "first_response":
            target = clock.definition.targets.get(priority)
            return clock.definition.calendar, float(target or 28800)
    return BusinessCalendar.always(), 28800.0


def _plan(client: Client, version: AgreementVersion, now: datetime) -> list[Mail]:
    """The client's customer mail and the agents' answers, all dated, before `now`."""
    profile = PROFILES.get(version.agreement.reference)
    addresses = email_addresses(version.terms)
    if profile is None or not addresses:
        return []
    rng = Random(f"pactline-demo:{client.code}:mail")  # noqa: S311 - reproducible demo data
    calendar, target = _first_response(version, default_priority(version.terms))
    zone = ZoneInfo(calendar.timezone)
    domain = addresses[0].split("@", 1)[1]
    mails: list[Mail] = []
    for index in range(profile.count):
        topic = profile.topics[index % len(profile.topics)]
        mail, values = _customer_mail(
            client,
            profile,
            topic,
            addresses,
            rng,
            f"{index + 1:03d}",
            _recently(now, zone),
        )
        roll = rng.random()
        share = rng.uniform(0.15, 0.85) if roll >= 0.2 else rng.uniform(1.15, 1.8)
        if roll >= 0.07:  # 7 % are never answered; 13 % late; the rest in time
            reply_at = calendar.add(mail.received, target * share)
            _answer(mail, topic, values, profile, rng, reply_at, calendar, now, resolved=0.7)
        mails.append(mail)
    mails += _specials(client, version, profile, addresses, domain, now, rng, calendar, target)
    return _history(client, version, profile, addresses, now, calendar, target) + mails


def _history(
    client: Client,
    version: AgreementVersion,
    profile: MailProfile,
    addresses: list[str],
    now: datetime,
    calendar: BusinessCalendar,
    target: float,
) -> list[Mail]:
    """The mail of the days before the last DAYS_BACK, back to the first of last month in the
    agreement's home zone (the month the demo bills), about as many a day as lately. Each day
    is drawn from its own seed, so a later run draws the days already there identically."""
    first, today = call_window(version.home_timezone, now, None)
    zone = ZoneInfo(calendar.timezone)
    daily = profile.count / DAYS_BACK
    mails: list[Mail] = []
    day = first
    while day <= today - timedelta(days=DAYS_BACK):
        rng = Random(f"pactline-demo:{client.code}:mail:{day.isoformat()}")  # noqa: S311
        for position in range(round(daily * rng.uniform(0.4, 1.6))):
            topic = rng.choice(profile.topics)
            mail, values = _customer_mail(
                client,
                profile,
                topic,
                addresses,
                rng,
                f"{day:%Y%m%d}-{position + 1}",
                _on(day, zone, now),
            )
            late = rng.random() < HISTORY_LATE
            share = rng.uniform(1.15, 1.8) if late else rng.uniform(0.15, 0.85)
            reply_at = calendar.add(mail.received, target * share)
            _answer(mail, topic, values, profile, rng, reply_at, calendar, now, HISTORY_RESOLVED)
            mails.append(mail)
        day += timedelta(days=1)
    return mails


Moment = Callable[[Random], datetime]


def _recently(now: datetime, zone: ZoneInfo) -> Moment:
    return lambda rng: _local_daytime(rng, now, zone).astimezone(now.tzinfo)


def _on(day: date, zone: ZoneInfo, now: datetime) -> Moment:
    return lambda rng: _daytime(rng, day, zone).astimezone(now.tzinfo)


def _customer_mail(
    client: Client,
    profile: MailProfile,
    topic: Topic,
    addresses: list[str],
    rng: Random,
    key: str,
    when: Moment,
) -> tuple[Mail, dict[str, object]]:
    """One customer's message on `topic`, received when `when` draws; with the values its
    texts are filled with. `key` makes its Message-ID unique within the client."""
    name = rng.choice(profile.customers)
    first = name.split()[0]
    number = rng.randrange(10_000, 99_999)
    values: dict[str, object] = {
        "ref": profile.refs.format(n=number),
        "n": number,
        "name": name,
        "first": first,
        "item": rng.choice(profile.items),
        "weekday": rng.choice(WEEKDAYS),
    }
    sender = _address(name, rng)
    to = addresses[0] if rng.random() < 0.85 or len(addresses) == 1 else addresses[1]
    received = when(rng)
    message_id = f"demo-{client.code}-{key}@{sender.split('@')[1]}"
    subject, body = topic.subject.format(**values), topic.body.format(**values)
    mail = Mail(message_id, sender, to, received)
    mail.raw = _plain(formataddr((name, sender)), to, subject, body, message_id, received)
    return mail, values


def _answer(
    mail: Mail,
    topic: Topic,
    values: dict[str, object],
    profile: MailProfile,
    rng: Random,
    reply_at: datetime,
    calendar: BusinessCalendar,
    now: datetime,
    resolved: float,
) -> None:
    """The agent's reply at `reply_at` if that is before `now`; the case resolved half an
    hour to six business hours later with the chance `resolved`, if that is before `now`."""
    if reply_at >= now:
        return
    mail.reply_at = reply_at
    sign = profile.signature.format(agent=rng.choice(profile.team))
    mail.reply = topic.reply.format(**values) + "\n\nKind regards,\n" + sign
    resolve_at = calendar.add(reply_at, rng.uniform(1800, 6 * 3600))
    if rng.random() < resolved and resolve_at < now:
        mail.resolve_at = resolve_at


def _specials(
    client: Client,
    version: AgreementVersion,
    profile: MailProfile,
    addresses: list[str],
    domain: str,
    now: datetime,
    rng: Random,
    calendar: BusinessCalendar,
    target: float,
) -> list[Mail]:
    """The messages that show the listener's range, per client."""
    reference = version.agreement.reference
    base = now - timedelta(days=2, hours=3)
    to = addresses[0]
    sign = profile.signature.format(agent=profile.team[0])
    out: list[Mail] = []
    if reference == "NWR-CC-2026-001":
        # A photo of the damage with an HTML body; the agent answers; the customer answers back
        # (In-Reply-To the agent's reply) and the case waits for the next response.
        at = calendar.next_open(now - timedelta(days=3)) + timedelta(minutes=47)
        mail = Mail(f"demo-{client.code}-photo@example.com", "ellen.park@example.com", to, at)
        mail.raw = _with_attachment(
            formataddr(("Ellen Park", "ellen.park@example.com")),
            to,
            "Damaged side table - photo attached (order NW-58120)",
            "Hello,\n\nThe walnut side table from order NW-58120 arrived with a split leg. "
            "A photo is attached. I'd like a replacement.\n\nEllen Park",
            "<p>Hello,</p><p>The walnut side table from order <b>NW-58120</b> arrived with a "
            "split leg. A photo is attached. I'd like a replacement.</p><p>Ellen Park</p>",
            ("side-table-leg.png", "image/png", _png()),
            mail.message_id,
            at,
        )
        mail.reply_at = calendar.add(at, target * 0.3)
        mail.reply = (
            "Hi Ellen,\n\nThank you for the photo, and sorry the table arrived damaged. We can "
            "send a replacement this week; could you confirm a weekday that suits you for the "
            "delivery?\n\nKind regards,\n" + sign
        )
        follow = Mail(f"demo-{client.code}-photo-2@example.com", "ellen.park@example.com", to, at)
        follow.received = mail.reply_at + timedelta(hours=2, minutes=14)
        follow.answers, follow.answers_agent = mail.message_id, True
        follow.name = "Ellen Park"
        follow.body = (
            "Hi,\n\nThursday works, any time after 10 am. Please ask the driver to call when "
            "they are close.\n\nThanks,\nEllen"
        )
        mail.follow_ups.append(follow)
        out.append(mail)
        # Chinese: GB2312 body, base64-encoded subject.
        at = base - timedelta(hours=20)
        mail = Mail(f"demo-{client.code}-zh@example.com", "li.ming@example.com", to, at)
        mail.raw = _gb2312(
            formataddr(("李明", "li.ming@example.com")),
            to,
            "订单 NW-51877 一直没有发货",
            "你好，\n\n我十天前下的订单 NW-51877（羊毛毯）到现在还显示“待发货”，请帮忙查一下什么时候"
            "能发出。\n\n谢谢！\n李明",
            mail.message_id,
            at,
        )
        mail.reply_at = calendar.add(at, target * 0.5)
        mail.reply = (
            "您好，李明：\n\n您的订单 NW-51877 已于今天从新泽西仓库发出，预计两个工作日内送达。"
            "We have shipped order NW-51877 today; it arrives within two business days.\n\n" + sign
        )
        out.append(mail)
        # Spanish, then the customer adds the order number to their own message.
        at = base + timedelta(hours=1)
        mail = Mail(f"demo-{client.code}-es@example.com", "carmen.ruiz@example.net", to, at)
        mail.raw = _plain(
            formataddr(("Carmen Ruiz", "carmen.ruiz@example.net")),
            to,
            "Cambio de talla en mi pedido",
            "Hola,\n\nCompré un impermeable talla M y necesito una L. ¿Puedo cambiarlo sin "
            "costo?\n\nGracias,\nCarmen",
            mail.message_id,
            at,
        )
        follow = Mail(f"demo-{client.code}-es-2@example.net", "carmen.ruiz@example.net", to, at)
        follow.received = at + timedelta(minutes=9)
        follow.answers = mail.message_id
        follow.raw = _threaded(
            formataddr(("Carmen Ruiz", "carmen.ruiz@example.net")),
            to,
            "Re: Cambio de talla en mi pedido",
            "Perdón, olvidé el número de pedido: NW-57342.\n\nCarmen",
            follow.message_id,
            follow.received,
            mail.message_id,
            [],
        )
        mail.follow_ups.append(follow)
        out.append(mail)
    elif reference == "KE-CALL-2026-07":
        # Meter reads as a CSV attachment, and a broken MIME message for the quarantine.
        at = base - timedelta(hours=5)
        mail = Mail(f"demo-{client.code}-csv@example.org", "george.ellis@example.org", to, at)
        csv = b"date,meter,read_kwh\r\n2026-10-01,E-220431,48213\r\n2026-11-01,E-220431,48790\r\n"
        mail.raw = _with_attachment(
            formataddr(("George Ellis", "george.ellis@example.org")),
            to,
            "Meter reads for account KE58213",
            "Hi,\n\nMy meter reads for the last two months are attached, as asked on the "
            "phone.\n\nGeorge Ellis",
            "<p>Hi,</p><p>My meter reads for the last two months are attached, as asked on the "
            "phone.</p><p>George Ellis</p>",
            ("meter-reads.csv", "text/csv", csv),
            mail.message_id,
            at,
        )
        out.append(mail)
        at = base + timedelta(hours=4)
        broken = Mail(f"demo-{client.code}-broken@example.com", "noreply.meter@example.com", to, at)
        broken.raw = _broken("noreply.meter@example.com", to, broken.message_id, at)
        broken.quarantine = True
        out.append(broken)
    elif reference == "MT-CS-2026-042" and len(addresses) > 1:
        at = base - timedelta(hours=8)
        sender = "it.ops@sunrise-logistics.example"
        mail = Mail(f"demo-{client.code}-ent@sunrise-logistics.example", sender, addresses[1], at)
        mail.raw = _plain(
            formataddr(("Sunrise Logistics IT", sender)),
            addresses[1],
            "Consolidated invoice for 120 enterprise SIMs (account MRD-ENT-0042)",
            "Dear Enterprise Care,\n\nPlease move our 120 corporate SIMs to one consolidated "
            "monthly invoice under account MRD-ENT-0042, from next cycle.\n\nRegards,\n"
            "IT Operations, Sunrise Logistics",
            mail.message_id,
            at,
        )
        mail.reply_at = calendar.add(at, target * 0.2)
        mail.reply = (
            "Dear team,\n\nYour 120 SIMs will be billed on one consolidated invoice from the "
            "next cycle; Karthik Menon, your account manager, will send the new invoice "
            "layout for approval.\n\n" + sign
        )
        out.append(mail)
    for mail in out:
        if mail.reply_at is not None and mail.reply_at >= now:
            mail.reply_at, mail.reply = None, ""
        mail.follow_ups = [f for f in mail.follow_ups if f.received < now]
    return [mail for mail in out if mail.received < now]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """aiosmtpd logs every SMTP command, the listener every delivery: not for the demo."""
    names = ("mail.log", "pactline.channels.email.smtp", "pactline.channels.email.services")
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@dataclass
class _Counts:
    sent: int = 0
    already: int = 0
    quarantined: int = 0
    replies: int = 0
    resolved: int = 0
    failed: str = ""


def _deliver(smtp: smtplib.SMTP, clock: _Clock, mail: Mail, at: datetime) -> None:
    clock.at = at
    refused = smtp.sendmail(mail.sender, [mail.to], mail.raw)
    if refused:
        raise RuntimeError(f"the listener refused {mail.to}: {refused}")


def demo_mail_load(*, clients: list[Client], now: datetime) -> list[str]:
    """Send each client's customer mail through the SMTP listener; agents answer some."""
    plans: list[tuple[Client, list[Mail]]] = []
    for client in clients:
        version = agreement_version_in_force(client, now)
        if version is not None:
            mails = _plan(client, version, now)
            if mails:
                plans.append((client, mails))
    if not plans:
        return []
    lines = []
    clock = _Clock(now)
    handler = SupportMailHandler(actor=system_actor("smtpd"), now=clock)
    with (
        _quiet(),
        SmtpListener(handler, host="127.0.0.1", port=0) as listener,
        smtplib.SMTP("127.0.0.1", listener.port, timeout=30) as smtp,
    ):
        for client, mails in plans:
            counts = _client_mail(smtp, clock, client, mails, now)
            line = _(
                "email: %(client)s: %(sent)d message(s) received over SMTP, %(already)d already "
                "there, %(replies)d answered, %(resolved)d resolved, %(quarantined)d quarantined"
            ) % {
                "client": client.name,
                "sent": counts.sent,
                "already": counts.already,
                "replies": counts.replies,
                "resolved": counts.resolved,
                "quarantined": counts.quarantined,
            }
            lines.append(line)
            if counts.failed:
                lines.append(
                    _("email: replies not sent (%(error)s); set EMAIL_BACKEND to send them")
                    % {"error": counts.failed}
                )
    return lines


def _client_mail(
    smtp: smtplib.SMTP, clock: _Clock, client: Client, mails: list[Mail], now: datetime
) -> _Counts:
    counts = _Counts()
    stored = set(
        EmailMessage.objects.filter(
            client=client, message_id__in=[m.message_id for m in mails]
        ).values_list("message_id", flat=True)
    )
    # Every step of every message, in the order they happened.
    steps: list[tuple[datetime, int, str, Mail]] = []
    for order, mail in enumerate(mails):
        if mail.message_id in stored:
            counts.already += 1
            continue
        steps.append((mail.received, order, "receive", mail))
        if mail.reply_at is not None:
            steps.append((mail.reply_at, order, "reply", mail))
        if mail.resolve_at is not None and not mail.follow_ups:
            steps.append((mail.resolve_at, order, "resolve", mail))
        steps.extend((follow.received, order, "follow_up", follow) for follow in mail.follow_ups)
    steps.sort(key=lambda step: (step[0], step[1]))
    agent: Actor = agent_of(client)
    for at, _order, kind, mail in steps:
        if kind == "receive" and mail.quarantine:
            if QuarantinedEmail.objects.filter(envelope_from=mail.sender).exists():
                counts.already += 1
                continue
            _deliver(smtp, clock, mail, at)
            counts.quarantined += 1
        elif kind in ("receive", "follow_up"):
            if kind == "follow_up" and mail.answers_agent:
                mail.raw = _answer_to_agent(client, mail)
                if not mail.raw:
                    continue
            _deliver(smtp, clock, mail, at)
            counts.sent += 1
        elif kind == "reply":
            case = _case_of(client, mail)
            if case is None or counts.failed:
                continue
            if case.status == CaseStatus.NEW:  # the agent picks it up
                case = case_set_status(
                    actor=agent, case=case, status=CaseStatus.OPEN, at=at, now=at
                )
            try:
                email_reply_send(actor=agent, case=case, body=mail.reply, now=at)
            except OSError as error:  # no mail server for the configured backend
                counts.failed = str(error) or type(error).__name__
                continue
            counts.replies += 1
        elif kind == "resolve":
            case = _case_of(client, mail)
            if case is not None and _answered(case):
                case_resolve(actor=agent, case=case, at=at, now=at)
                counts.resolved += 1
    return counts


def _case_of(client: Client, mail: Mail) -> Case | None:
    message = (
        EmailMessage.objects.filter(client=client, message_id=mail.message_id)
        .select_related("case")
        .first()
    )
    return message.case if message is not None else None


def _answered(case: Case) -> bool:
    return EmailMessage.objects.filter(case=case, direction=Direction.OUTBOUND).exists()


def _answer_to_agent(client: Client, mail: Mail) -> bytes:
    """The customer's answer to the agent's last reply on their case, threaded to it."""
    parent = (
        EmailMessage.objects.filter(
            client=client,
            direction=Direction.OUTBOUND,
            case__email_messages__message_id=mail.answers,
        )
        .order_by("-received_at")
        .first()
    )
    if parent is None:
        return b""
    return _threaded(
        formataddr((mail.name, mail.sender)),
        mail.to,
        parent.subject,
        mail.body,
        mail.message_id,
        mail.received,
        parent.message_id,
        list(parent.references),
    )
