"""A month of calls for each demo client with a phone channel, through the queue_log importer.

The programme (queues, numbers dialled, service hours, the service-level threshold, the
short-abandon threshold) is read from the agreement version in force; the people and the
volumes come from `PROFILES`. The file is written under `var/demo/` and imported with the
service `pactline import queue-log FILE --client C --timezone TZ` calls. A file the client
has already imported (same SHA-256) is not imported again, so a second run writes nothing; a
later run re-reads the days already there (each day is generated from its own seed, so they
are identical and the importer leaves them alone) and adds the new ones."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from pactline.agreements.models import AgreementVersion
from pactline.agreements.terms import agreement_calendar, channel_spec, service_types
from pactline.channels.voice.importing import ImportOptions, voice_file_import
from pactline.channels.voice.models import ImportFormat, ImportRun, ImportStatus
from pactline.core.agreement import AgreementDocument
from pactline.core.agreement.service_levels import AbandonRateMetric, ServiceLevelMetric
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client
from pactline.web.demo.queue_log import Programme, Queue, Stats, queue_log_write

# Queues by the agreement's service types: (queue, share of calls, median talk in seconds).
SERVICE_QUEUES: dict[str, tuple[str, float, float]] = {
    "inbound_support": ("support", 0.52, 235),
    "billing_inquiry": ("billing", 0.18, 285),
    "troubleshooting": ("faults", 0.14, 320),
    "technical_support": ("tech-support", 0.2, 400),
    "complaint_handling": ("complaints", 0.07, 390),
    "service_activation": ("activation", 0.08, 260),
    "virtual_assistance": ("store-assist", 0.04, 170),
}


def _us(rng: Random) -> str:
    return f"{rng.choice((212, 347, 516, 646, 718, 917, 201, 973))}555{rng.randrange(10_000):04d}"


def _cn(rng: Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _au(rng: Random) -> str:
    return (
        f"04{rng.randrange(10**8):08d}" if rng.random() < 0.8 else f"08{rng.randrange(10**8):08d}"
    )


def _in(rng: Random) -> str:
    return f"{rng.choice('6789')}{rng.randrange(10**9):09d}"


@dataclass(frozen=True)
class CallProfile:
    """The people and volumes of one client's phone programme."""

    agents: tuple[str, ...]
    daily_calls: float
    caller: Callable[[Random], str]
    talk_factor: float = 1.0
    night_agent: str = ""
    critical_daily: float = 0.0
    understaffed: float = 0.08
    surges: dict[tuple[int, int], float] = field(default_factory=dict)  # (month, day) -> factor
    transfer: tuple[str, ...] = ("BLINDTRANSFER", "7002", "from-internal")
    acw: float = 40.0


PROFILES: dict[str, CallProfile] = {
    "NWR-CC-2026-001": CallProfile(
        agents=(
            "Ana Torres", "Marcus Bell", "Priya Nair", "Jordan Kim", "Lucia Ferreira",
            "Devon Brooks", "Hannah Weiss", "Carlos Mendoza", "Grace Liu", "Omar Haddad",
            "Tessa Quinn", "Luis Ortega",
        ),
        daily_calls=280,
        caller=_us,
        night_agent="Sam Rivera",
        critical_daily=4,
        understaffed=0.1,
        surges={(11, 30): 1.5, (12, 1): 1.3},  # Cyber Monday
    ),
    "HX-KF-2026-018": CallProfile(
        agents=("王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄婷", "周杰", "吴倩"),
        daily_calls=230,
        caller=_cn,
        talk_factor=0.85,
        understaffed=0.06,
        surges={(11, 11): 1.9, (11, 12): 1.5, (6, 18): 1.6},  # 双十一 and 618
        acw=35.0,
    ),
    "KE-CALL-2026-07": CallProfile(
        agents=(
            "Olivia Brown", "Jack Wilson", "Chloe Taylor", "Liam Murphy", "Mia Nguyen",
            "Noah Smith", "Ella Martin", "Lucas White", "Zoe Clarke",
        ),
        daily_calls=180,
        caller=_au,
        talk_factor=1.1,
        night_agent="Riley Evans",
        critical_daily=12,
        understaffed=0.14,
        # Callers asking for the duty manager are forwarded to the client's mobile: the
        # diversion the agreement charges against its prepayment.
        transfer=("BLINDTRANSFER", "0412555019", "from-internal"),
        acw=55.0,
    ),
    "MT-CS-2026-042": CallProfile(
        agents=(
            "Aarav Sharma", "Diya Patel", "Rohan Gupta", "Ananya Iyer", "Vikram Rao",
            "Sneha Reddy", "Arjun Nair", "Kavya Menon", "Rahul Verma", "Pooja Das",
            "Karan Mehta", "Nisha Pillai", "Siddharth Bose", "Meera Krishnan",
        ),
        daily_calls=330,
        caller=_in,
        night_agent="Farhan Qureshi",
        critical_daily=9,
        understaffed=0.08,
        transfer=("ATTENDEDTRANSFER", "BRIDGE", "tier2-technical"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class PhoneSetup:
    programme: Programme
    threshold: int
    zone: str


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


def _phone_levels(terms: AgreementDocument) -> tuple[int, int]:
    """The service level's threshold (the metric for every priority) and the short-abandon
    threshold, from the agreement's phone service levels."""
    levels = terms.service_levels.get("phone") or {}
    threshold, short = 20, 5
    for metric in levels.values():
        if isinstance(metric, ServiceLevelMetric) and not metric.applies_to_priorities:
            threshold = int(metric.threshold_seconds)
            if metric.short_abandon_seconds is not None:
                short = int(metric.short_abandon_seconds)
            break
    for metric in levels.values():
        if isinstance(metric, AbandonRateMetric) and metric.short_abandon_seconds:
            short = int(metric.short_abandon_seconds)
    return threshold, short


def phone_setup(client: Client, version: AgreementVersion) -> PhoneSetup | None:
    """The client's phone programme under `version`, or None (no phone channel, no profile)."""
    terms = version.terms
    phone = channel_spec(terms, "phone")
    profile = PROFILES.get(version.agreement.reference)
    if phone is None or profile is None:
        return None
    calendar = agreement_calendar(version, phone.calendar)
    queues = []
    for service in service_types(terms):
        if service in SERVICE_QUEUES:
            name, share, talk = SERVICE_QUEUES[service]
            queues.append(Queue(name, share, talk * profile.talk_factor))
    if not queues:
        queues.append(Queue("support", 1.0, 240 * profile.talk_factor))
    critical_name = phone.critical_calendar
    critical = agreement_calendar(version, critical_name) if critical_name else None
    threshold, short = _phone_levels(terms)
    programme = Programme(
        code=client.code,
        calendar=calendar,
        queues=tuple(queues),
        agents=profile.agents,
        dids=tuple(_digits(str(a)) for a in phone.addresses) or ("1000",),
        caller=profile.caller,
        daily_calls=profile.daily_calls,
        critical=critical,
        critical_queue=Queue(str(critical_name), 0, 300 * profile.talk_factor)
        if critical_name and profile.critical_daily
        else None,
        critical_daily=profile.critical_daily,
        night_agent=profile.night_agent,
        short_abandon=short,
        understaffed=profile.understaffed,
        surges=profile.surges,
        transfer=profile.transfer,
        acw=profile.acw,
    )
    return PhoneSetup(programme, threshold, calendar.timezone)


def call_window(zone: str, now: datetime, days: int | None) -> tuple[date, date]:
    """The last full calendar month and this month to date, in the client's time zone; or the
    last `days` days up to today."""
    today = now.astimezone(ZoneInfo(zone)).date()
    if days is not None:
        return today - timedelta(days=max(1, days) - 1), today
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return last_month_end.replace(day=1), today


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Loaded:
    client: Client
    stats: Stats
    run: ImportRun | None  # None: this very file was imported before
    threshold: int
    first: date
    last: date


def demo_calls_load(
    *,
    actor: Actor,
    client: Client,
    version: AgreementVersion,
    now: datetime,
    days: int | None = None,
    scale: float = 1.0,
) -> Loaded | None:
    """Generate the client's queue_log and import it; None when it has no phone programme."""
    setup = phone_setup(client, version)
    if setup is None:
        return None
    first, last = call_window(setup.zone, now, days)
    path = Path(settings.VAR_DIR) / "demo" / f"queue_log-{client.code}"
    stats = queue_log_write(
        setup.programme,
        path,
        first=first,
        last=last,
        now=now,
        threshold=setup.threshold,
        scale=scale,
    )
    done = ImportRun.objects.filter(
        client=client, sha256=_sha256(path), status=ImportStatus.FINISHED
    ).exists()
    run = None
    if not done:
        options = ImportOptions(path=path, format=ImportFormat.QUEUE_LOG, timezone=setup.zone)
        run = voice_file_import(actor=actor, client=client, options=options, now=now)
    return Loaded(client, stats, run, setup.threshold, first, last)


def loaded_line(loaded: Loaded) -> str:
    stats = loaded.stats
    share = 100 * stats.within / stats.answered if stats.answered else 0.0
    values = {
        "client": loaded.client.name,
        "calls": stats.calls,
        "days": stats.days,
        "first": loaded.first.isoformat(),
        "last": loaded.last.isoformat(),
        "share": f"{share:.1f}",
        "threshold": loaded.threshold,
        "abandoned": stats.abandoned,
    }
    line = (
        _(
            "calls: %(client)s: %(calls)d calls on %(days)d open days (%(first)s to %(last)s), "
            "%(share)s%% answered within %(threshold)d s, %(abandoned)d abandoned"
        )
        % values
    )
    if loaded.run is None:
        return line + "; " + _("already imported")
    counts = loaded.run.counts or {}
    calls = counts.get("calls", {})
    states = counts.get("agent_states", {})
    return (
        line
        + "; "
        + _(
            "imported: %(calls)d new calls, %(states)d new agent state changes, %(unchanged)d "
            "unchanged"
        )
        % {
            "calls": calls.get("created", 0),
            "states": states.get("created", 0),
            "unchanged": loaded.run.duplicates,
        }
    )
