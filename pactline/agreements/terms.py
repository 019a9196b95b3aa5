"""The one reader of agreements: what a stored version's document means, as typed accessors.

Every other app reads an agreement through `AgreementVersion.terms` (the validated
`AgreementDocument`, cached per version and content) and the small functions here, so the
defaults and interpretations of the schema live in one place."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from email.utils import parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pactline.agreements.documents import document_from_data
from pactline.agreements.execution import executes
from pactline.core.agreement import DEFAULT_PRIORITIES, AgreementDocument, CalendarSpec, ChannelSpec
from pactline.core.agreement.policies import CardData
from pactline.core.agreement.service_levels import FcrMetric
from pactline.core.calendar import BusinessCalendar

if TYPE_CHECKING:
    from pactline.agreements.models import AgreementVersion

# The calendar engine runs on these; the channel switch is read by every channel.
executes(
    "calendars.*.timezone",
    "calendars.*.hours",
    "calendars.*.holidays",
    "calendars.*.overrides",
    "channels.*.enabled",
)

DEFAULT_FCR_WINDOW_DAYS = 7  # the common BPO repeat-contact window
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$")


# --- The typed document, cached ---------------------------------------------------------------


@lru_cache(maxsize=512)
def _document(version_id: int, content_hash: str) -> AgreementDocument:
    from pactline.agreements.models import AgreementVersion  # models reach terms through .terms

    data = AgreementVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return document_from_data(data)


@lru_cache(maxsize=512)
def _calendar(version_id: int, content_hash: str, name: str) -> BusinessCalendar:
    # Built once per pinned version: holiday tables and interval grids are the costly part.
    return BusinessCalendar.from_spec(_document(version_id, content_hash).calendars[name])


def terms_of(version: AgreementVersion) -> AgreementDocument:
    """The validated document of a version; an unsaved version is parsed, not cached."""
    if version.pk is None:
        return document_from_data(version.document)
    return _document(version.pk, version.content_hash)


def terms_by_key(version_id: int, content_hash: str) -> AgreementDocument:
    """`terms_of` for callers that cache by the version's key themselves."""
    return _document(version_id, content_hash)


def calendar_by_key(version_id: int, content_hash: str, name: str) -> BusinessCalendar:
    return _calendar(version_id, content_hash, name)


def agreement_calendar(version: AgreementVersion, name: str) -> BusinessCalendar:
    """The business calendar `name` of a version (cached per version)."""
    return _calendar(version.pk, version.content_hash, name)


# --- Calendars --------------------------------------------------------------------------------


def calendar_name_for(terms: AgreementDocument, channel: str, priority: str) -> str | None:
    """The calendar a case on `channel` at `priority` runs on (the critical calendar for the
    priorities the agreement puts on it); None without that channel."""
    return terms.calendar_name(channel, priority)


def calendar_spec(terms: AgreementDocument, name: str) -> CalendarSpec | None:
    return terms.calendars.get(name)


def has_calendar(terms: AgreementDocument, name: str) -> bool:
    return name in terms.calendars


def home_timezone(terms: AgreementDocument) -> str:
    """The zone in which the agreement's dates (effective dates, periods) are read."""
    for calendar in terms.calendars.values():
        return str(calendar.timezone)
    return "UTC"


def effective_from(terms: AgreementDocument) -> date:
    return terms.effective_from


# --- Priorities -------------------------------------------------------------------------------


def priorities(terms: AgreementDocument | None) -> tuple[str, ...]:
    """The agreement's priorities, most urgent first."""
    return tuple(terms.priorities) if terms is not None else DEFAULT_PRIORITIES


def default_priority(terms: AgreementDocument | None) -> str:
    """The priority a new inbound contact starts at: "normal" where the agreement has it, else
    its least urgent (agreements list priorities most urgent first)."""
    known = priorities(terms)
    return "normal" if "normal" in known else str(known[-1])


def top_priority(terms: AgreementDocument | None) -> str:
    """The most urgent priority the agreement names."""
    return priorities(terms)[0]


def pause_statuses(terms: AgreementDocument) -> frozenset[str]:
    """Every status any clock of the agreement pauses on."""
    return frozenset(
        str(status)
        for metrics in terms.service_levels.values()
        for metric in metrics.values()
        for status in getattr(metric, "pause_statuses", ())
    )


# --- Channels ---------------------------------------------------------------------------------


def channel_spec(terms: AgreementDocument, channel: str) -> ChannelSpec | None:
    """The agreement's channel of that kind, enabled or not."""
    return terms.channels.get(channel)  # type: ignore[call-overload,no-any-return]


def has_channel(terms: AgreementDocument, channel: str) -> bool:
    return channel_spec(terms, channel) is not None


def enabled_channel(terms: AgreementDocument | None, channel: str) -> ChannelSpec | None:
    """The agreement's channel of that kind if it has one that is enabled."""
    spec = channel_spec(terms, channel) if terms is not None else None
    return spec if spec is not None and spec.enabled else None


def chat_channel(terms: AgreementDocument | None) -> ChannelSpec | None:
    return enabled_channel(terms, "chat")


def email_addresses(terms: AgreementDocument | None) -> list[str]:
    """The email channel's support addresses, lower-case, in order."""
    spec = enabled_channel(terms, "email")
    found = []
    for entry in spec.addresses if spec is not None else ():
        address = parseaddr(str(entry))[1] or str(entry)
        if "@" in address:
            found.append(address.strip().lower())
    return list(dict.fromkeys(found))


def social_accounts(terms: AgreementDocument | None) -> list[str]:
    """The social channel's accounts (`channels.social.addresses`, e.g. "wechat:华信家居服务号")."""
    spec = enabled_channel(terms, "social")
    return [str(address).strip() for address in spec.addresses] if spec is not None else []


def chat_frame_origins(terms: AgreementDocument | None) -> list[str]:
    """The origins of the client's chat page URLs (`channels.chat.addresses`), which may embed
    the customer chat page in a frame. Anything that is not an http(s) URL is ignored, and the
    host is checked strictly so an address cannot add directives to the CSP header."""
    spec = chat_channel(terms)
    origins = []
    for address in spec.addresses if spec is not None else ():
        parts = urlsplit(str(address).strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            continue
        netloc = f"{host}:{parts.port}" if parts.port else host
        if _HOST.match(netloc):
            origins.append(f"{parts.scheme}://{netloc}")
    return list(dict.fromkeys(origins))


# --- Scope, language --------------------------------------------------------------------------


def language(terms: AgreementDocument) -> str:
    return str(terms.language)


def service_types(terms: AgreementDocument) -> tuple[str, ...]:
    return tuple(terms.scope.service_types)


def serves_language(terms: AgreementDocument, tag: str) -> bool:
    """Whether the scope lists the language `tag` (e.g. "zh-Hans")."""
    return tag in terms.scope.languages


# --- Data protection, clearance ---------------------------------------------------------------


def confidentiality_required(terms: AgreementDocument | None) -> bool:
    """Whether agents must be bound by a confidentiality agreement; without an agreement the
    stricter reading holds (the schema's default: required)."""
    if terms is None:
        return True
    return bool(terms.data_protection.confidentiality_agreement_required)


def card_data(terms: AgreementDocument) -> CardData:
    return terms.data_protection.card_data


# --- Measurement ------------------------------------------------------------------------------


def fcr_window_days(terms: AgreementDocument, channel: str) -> int:
    """The repeat-contact window of the channel's FCR metric; else the agreement's first
    repeat-contact window on any channel; else 7 days."""

    def windows(metrics: Iterable[object]) -> list[int]:
        return [
            int(metric.window_days)
            for metric in metrics
            if isinstance(metric, FcrMetric) and metric.window_days
        ]

    levels = terms.service_levels
    own = windows((levels.get(channel) or {}).values())  # type: ignore[call-overload]
    if own:
        return own[0]
    anywhere = windows(metric for metrics in levels.values() for metric in metrics.values())
    return anywhere[0] if anywhere else DEFAULT_FCR_WINDOW_DAYS
