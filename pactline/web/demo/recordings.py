"""Call recordings for the demo: a few answered calls of each client become cases with a
recording (a short generated WAV) and its transcript, and the client's manager asks for one
recording, which a supervisor approves.

The calls are ones the queue_log import wrote; each gets a phone case (opened when the call was
answered, resolved when it ended) linked to the call, as an agent would after the call. A
transcript in which the caller reads out a card number is stored redacted by the service."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.utils.translation import gettext as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import default_priority, serves_language, service_types
from pactline.cases.contacts import contact_find_or_create
from pactline.cases.models import Case
from pactline.cases.services import case_note, case_open, case_resolve
from pactline.channels.recordings.models import Recording, RecordingKind
from pactline.channels.recordings.services import recording_attach
from pactline.channels.voice.models import Call, Outcome
from pactline.channels.voice.services import call_link_case
from pactline.privacy.models import MaterialRequest
from pactline.privacy.services import material_decide, material_request
from pactline.tenancy.models import Client
from pactline.web.demo.users import DEMO_USERS, agent_of, persona
from pactline.web.demo.voice import SERVICE_QUEUES

RATE = 8000  # telephone audio: 8 kHz, 16-bit mono
SECONDS = 3


@dataclass(frozen=True)
class Script:
    subject: str
    category: str
    note: str
    lines: tuple[str, ...]  # "A:" agent, "C:" customer; {agent} is the agent's name


SCRIPTS: dict[str, tuple[Script, ...]] = {
    "NWR-CC-2026-001": (
        Script(
            "Floor lamp arrived with a cracked base",
            "complaint",
            "Replacement sent by express at no charge; courier collects the damaged lamp.",
            (
                "A: Thank you for calling Northwind Retail, this is {agent}. How can I help?",
                "C: Hi, my floor lamp arrived yesterday with a cracked base. Order NW-48213.",
                (
                    "A: I'm sorry about that. I can see the order; would you like a replacement or "
                    "a refund?"
                ),
                "C: A replacement, please, if it can come before the weekend.",
                (
                    "A: I've booked one with express delivery at no charge, arriving Friday. The "
                    "courier will collect the damaged lamp at the same time."
                ),
                "C: Perfect, thank you.",
                "A: You'll get a confirmation email shortly. Anything else I can help with?",
                "C: No, that's all. Bye.",
            ),
        ),
        Script(
            "Loyalty points not credited after purchase",
            "inquiry",
            "Points for order NW-50931 credited by hand (1,240 points).",
            (
                "A: Northwind Retail, {agent} speaking.",
                "C: Hello, I bought a sofa two weeks ago and the points never showed up.",
                (
                    "A: Let me check your loyalty account. I see order NW-50931 but no points "
                    "against it; the store's till was offline that day."
                ),
                "C: So can you add them?",
                "A: Yes, I've credited 1,240 points now; they'll show in the app within the hour.",
                "C: Great, thanks a lot.",
            ),
        ),
    ),
    "HX-KF-2026-018": (
        Script(
            "预约沙发安装时间",
            "service_activation",
            "已为客户预约周六上午安装，已发送短信确认。",
            (
                "A: 您好，华信家居客服，工号 {agent}，请问有什么可以帮您？",
                "C: 你好，我上周买的沙发到了，想约一下安装师傅。",
                "A: 好的，请提供一下订单号。",
                "C: HX20261103-5521。",
                "A: 查到了，这周六上午九点到十二点可以吗？",
                "C: 可以，麻烦师傅来之前打个电话。",
                "A: 好的，已为您预约，稍后会有短信确认，师傅上门前会提前联系您。",
                "C: 好的，谢谢。",
            ),
        ),
        Script(
            "床垫退货进度查询",
            "inquiry",
            "退货已签收，退款三个工作日内原路退回。",
            (
                "A: 您好，华信家居客服，{agent} 为您服务。",
                "C: 你好，我的床垫退货寄回去一周了，退款还没到。",
                "A: 请稍等，我帮您查一下……仓库前天已经签收，退款已经提交财务。",
                "C: 那大概什么时候到账？",
                "A: 三个工作日内原路退回到您的支付账户，到账后会有短信通知。",
                "C: 好的，明白了。",
            ),
        ),
    ),
    "KE-CALL-2026-07": (
        Script(
            "Quarterly bill higher than usual",
            "billing_inquiry",
            "Estimated read replaced with actual read; bill reissued, payment plan offered.",
            (
                "A: Kestrel Energy, you're speaking with {agent}.",
                "C: Hi, my last bill is almost double what I normally pay.",
                (
                    "A: Let me have a look. The last read was an estimate because the meter "
                    "couldn't be accessed. Do you have a current reading?"
                ),
                "C: Yes, it says 48213.",
                (
                    "A: Thanks. With the actual read the bill comes down by 214 dollars; I'll "
                    "reissue it today."
                ),
                "C: Good. Can I pay the rest now? My card is 4111 1111 1111 1111, expiry 08/28.",
                (
                    "A: Please don't read card details out to me; I'll send you a secure payment "
                    "link by text instead."
                ),
                "C: Oh, sorry. That's fine.",
            ),
        ),
        Script(
            "Move-in connection for new address",
            "service_activation",
            "Connection booked for the 1st; welcome pack sent by email.",
            (
                "A: Kestrel Energy, {agent} speaking, how can I help?",
                "C: We're moving into 14 Wattle Street on the first and need the power on.",
                (
                    "A: No problem. I can connect it on the first; there's no fee if the meter "
                    "is accessible."
                ),
                "C: It is, the gate's unlocked.",
                "A: Done, it's booked. You'll get a welcome pack by email today.",
            ),
        ),
    ),
    "MT-CS-2026-042": (
        Script(
            "Broadband slow in the evenings",
            "technical_support",
            "Line test clean; router moved to a 5 GHz channel; speed back to 94 Mbps.",
            (
                "A: Meridian Telecom support, this is {agent}.",
                "C: My fibre gets really slow every evening after eight.",
                (
                    "A: I'll run a line test... the line itself is fine. Your router is on a "
                    "crowded 2.4 GHz channel. Can I move it to 5 GHz remotely?"
                ),
                "C: Yes, go ahead.",
                "A: Done. Could you run a speed test now?",
                "C: It says 94 megabits.",
                "A: That's what your plan gives. I'll check back tomorrow evening by text.",
            ),
        ),
        Script(
            "SIM swap after lost phone",
            "service_activation",
            "Old SIM blocked; new SIM activated after identity check.",
            (
                "A: Meridian Telecom, {agent} here. How may I help you?",
                "C: I lost my phone yesterday and I have a new SIM from the store.",
                (
                    "A: I'm sorry to hear that. For security I'll send a code to your registered "
                    "email. Can you read it back to me?"
                ),
                "C: It's 5 8 2 9 1 7.",
                (
                    "A: Thank you. The old SIM is blocked and the new one will be active in ten "
                    "minutes."
                ),
                "C: Thanks so much.",
            ),
        ),
    ),
}


def wav(seed: int, seconds: int = SECONDS) -> bytes:
    """A short telephone-quality WAV that sounds like speech-shaped tones (not silence)."""
    t = np.arange(RATE * seconds) / RATE
    syllable = 0.5 + 0.5 * np.sin(2 * np.pi * (3.1 + seed % 3 * 0.4) * t)
    pitch = (140 + seed % 80) * (1 + 0.08 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    voice = 0.6 * np.sin(phase) + 0.3 * np.sin(2.02 * phase) + 0.1 * np.sin(3.1 * phase)
    samples = (syllable * voice * 9000).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _transcript(script: Script, call: Call, *, chinese: bool) -> str:
    agent = call.agent or "—"
    names = {"A": "客服", "C": "客户"} if chinese else {"A": "Agent", "C": "Customer"}
    lines = []
    for line in script.lines:
        who, _sep, text = line.partition(": ")
        lines.append(f"{names[who]}: {text.format(agent=agent)}")
    return "\n".join(lines) + "\n"


def _calls_to_record(client: Client, queue: str, count: int) -> list[Call]:
    """Answered calls of a few minutes in the main queue: the latest, and one a week older."""
    answered = Call.objects.filter(
        client=client,
        outcome=Outcome.ANSWERED,
        queue=queue,
        talk_seconds__gte=150,
        talk_seconds__lte=600,
        case__isnull=True,
    ).order_by("-entered_at", "call_id")
    chosen: list[Call] = []
    latest = answered.first()
    if latest is None or latest.entered_at is None:
        return chosen
    chosen.append(latest)
    earlier = (
        answered.filter(entered_at__lte=latest.entered_at - timedelta(days=6)).first()
        or answered.exclude(pk=latest.pk).first()
    )
    if earlier is not None:
        chosen.append(earlier)
    return chosen[:count]


def _record(client: Client, call: Call, script: Script) -> Case:
    agent = agent_of(client)
    assert call.answered_at is not None and call.ended_at is not None  # noqa: S101
    answered, ended = call.answered_at, call.ended_at
    contact = None
    if call.caller_number:
        contact = contact_find_or_create(
            actor=agent, client=client, phone=call.caller_number, now=answered
        ).contact
    version = agreement_version_in_force(client, answered)
    case = case_open(
        actor=agent,
        client=client,
        channel="phone",
        priority=default_priority(version.terms if version is not None else None),
        subject=script.subject,
        category=script.category,
        queue=call.queue,
        status="open",
        contact=contact,
        at=answered,
        now=answered,
    )
    case_note(actor=agent, case=case, body=script.note, at=ended, now=ended)
    case = case_resolve(actor=agent, case=case, at=ended, now=ended)
    call_link_case(actor=agent, call=call, case=case, now=ended)
    return case


def demo_recordings_load(*, clients: list[Client], now: datetime) -> list[str]:
    """Record two calls per client (once) and have the first client's manager ask for one."""
    lines = []
    for client in clients:
        version = agreement_version_in_force(client, now)
        scripts = SCRIPTS.get(version.agreement.reference, ()) if version else ()
        if not scripts or version is None:
            continue
        recorded = Recording.objects.filter(client=client, case__channel="phone")
        cases = set(recorded.values_list("case_id", flat=True))
        created = 0
        if len(cases) < len(scripts):
            queue = _main_queue(list(service_types(version.terms)))
            chinese = serves_language(version.terms, "zh-Hans")
            for index, call in enumerate(
                _calls_to_record(client, queue, len(scripts) - len(cases))
            ):
                script = scripts[(len(cases) + index) % len(scripts)]
                case = _record(client, call, script)
                ended = call.ended_at or now
                agent = agent_of(client)
                recording_attach(
                    actor=agent,
                    case=case,
                    kind=RecordingKind.RECORDING,
                    name=f"{call.call_id}.wav",
                    content=wav(int(call.call_id.split(".")[0]) % 997),
                    content_type="audio/wav",
                    source=f"queue_log {call.call_id}",
                    now=ended + timedelta(seconds=30),
                )
                recording_attach(
                    actor=agent,
                    case=case,
                    kind=RecordingKind.TRANSCRIPT,
                    name=f"{call.call_id}.txt",
                    content=_transcript(script, call, chinese=chinese).encode(),
                    content_type="text/plain; charset=utf-8",
                    source=f"queue_log {call.call_id}",
                    now=ended + timedelta(minutes=5),
                )
                created += 1
        lines.append(
            _("recordings: %(client)s: %(created)d call(s) recorded, %(there)d already there")
            % {"client": client.name, "created": created, "there": len(cases)}
        )
    lines += _material_request(now)
    return lines


def _main_queue(services: list[str]) -> str:
    for service in services:
        if service in SERVICE_QUEUES:
            return SERVICE_QUEUES[service][0]
    return "support"


def _material_request(now: datetime) -> list[str]:
    """The client manager asks for a recording of their client; a supervisor approves it."""
    manager = next((u for u in DEMO_USERS if u.username == "client-manager"), None)
    if manager is None or manager.client is None:
        return []
    recording = (
        Recording.objects.filter(client__code=manager.client, kind=RecordingKind.RECORDING)
        .order_by("created_at", "id")
        .first()
    )
    if recording is None:
        return []
    requester = persona(manager.username)
    if MaterialRequest.objects.filter(
        recording=recording, requested_by_user_id=requester.user_id
    ).exists():
        return [_("recordings: the client's request is already there")]
    version = agreement_version_in_force(recording.client, now)
    chinese = version is not None and serves_language(version.terms, "zh-Hans")
    request = material_request(
        actor=requester,
        recording=recording,
        reason="客户投诉复核，需要复听该通话录音。"
        if chinese
        else "Quality review of a customer complaint about this call.",
        now=now - timedelta(hours=3),
    )
    material_decide(
        actor=persona("supervisor"),
        request=request,
        approve=True,
        note="已核实，可提供给甲方质检使用。"
        if chinese
        else "Approved for the client's quality review.",
        valid_hours=72,
        now=now - timedelta(hours=2),
    )
    return [_("recordings: a client request for a recording, approved by the provider")]
