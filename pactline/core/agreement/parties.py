"""Who signs, for how long, what is served and on which channels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from pactline.core.agreement.base import (
    CaseCategory,
    ChannelKind,
    ClientCode,
    Email,
    Identifier,
    LanguageTag,
    LongText,
    Model,
    Phone,
    ServiceType,
    Text,
    Unique,
    phone_key,
)
from pactline.core.agreement.errors import Issue

# The longest queue name the telephony data keeps (``pactline.channels.voice.models.Call``).
QueueName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class Contact(Model):
    name: Text
    role: Text
    email: Email | None = None
    phone: Phone | None = None


class Provider(Model):
    """The provider (乙方) running the service; ``tax_id`` (ABN, GSTIN, 统一社会信用代码) is
    printed on its invoices, as is the client's."""

    name: Text
    legal_name: Text | None = None
    address: Text | None = None
    tax_id: Text | None = None
    contacts: tuple[Contact, ...] = ()


class Client(Model):
    """The client (甲方); ``code`` is its stable key in Pactline."""

    code: ClientCode
    name: Text
    legal_name: Text | None = None
    address: Text | None = None
    tax_id: Text | None = None
    contacts: tuple[Contact, ...] = ()


class Parties(Model):
    provider: Provider
    client: Client


class Term(Model):
    start: date
    end: date | None = None
    renewal: Literal["none", "auto"] = "none"
    renewal_months: Annotated[int, Field(gt=0, le=120)] | None = None

    def _issues(self) -> Iterator[Issue]:
        if self.end is not None and self.end <= self.start:
            yield Issue(("end",), "date_order", {"field": "start", "other": self.start})
        if self.renewal == "auto" and self.renewal_months is None:
            yield Issue(("renewal_months",), "required_when", {"field": "renewal", "value": "auto"})
        if self.renewal == "none" and self.renewal_months is not None:
            yield Issue(
                ("renewal_months",), "not_applicable", {"field": "renewal", "value": "none"}
            )


class TierSpec(Model):
    """Privileges of an end-customer tier (e.g. a telecom's Basic/Premium/Enterprise plans).

    ``response_factor`` scales every response and resolution target for cases of the tier
    (0.5 halves them); ``minimum_priority`` raises lower priorities to it; ``priority_routing``
    puts the tier's contacts ahead of lower tiers in queues.
    """

    description: Text | None = None
    response_factor: Annotated[Decimal, Field(gt=0, le=1, decimal_places=4)] = Decimal(1)
    minimum_priority: Identifier | None = None
    priority_routing: bool = False
    dedicated_account_manager: bool = False
    account_manager: Contact | None = None
    channels: Annotated[tuple[ChannelKind, ...], Unique] = ()

    def _issues(self) -> Iterator[Issue]:
        if self.account_manager is not None and not self.dedicated_account_manager:
            yield Issue(
                ("account_manager",),
                "not_applicable",
                {"field": "dedicated_account_manager", "value": "false"},
            )


class ServiceMap(Model):
    """Which service type a call, case or agent hour belongs to, so prices by service type
    can bill it: by the provider's queue, the number the customer dialled, the case category;
    ``outbound`` for an outbound call no queue maps, ``default`` for anything else.

    ``numbers`` are matched on their digits (``phone_key``): spaces and dashes do not count.
    """

    queues: dict[QueueName, ServiceType] = Field(default_factory=dict)
    numbers: dict[Phone, ServiceType] = Field(default_factory=dict)
    categories: dict[CaseCategory, ServiceType] = Field(default_factory=dict)
    outbound: ServiceType | None = None
    default: ServiceType | None = None

    def _issues(self) -> Iterator[Issue]:
        seen: set[str] = set()
        for number in self.numbers:
            if phone_key(number) in seen:
                yield Issue(("numbers", number), "duplicate", {"value": number})
            seen.add(phone_key(number))

    def by_number(self, number: str) -> str | None:
        """The service type of calls to ``number`` (written in any spacing), or None."""
        key = phone_key(number)
        return next((s for n, s in self.numbers.items() if phone_key(n) == key), None)

    def entries(self) -> Iterator[tuple[str, str, str]]:
        """(part, key, service type) of every mapping, in the order precedence applies."""
        for part in ("queues", "numbers", "categories"):
            for key, service in getattr(self, part).items():
                yield part, key, service
        for part in ("outbound", "default"):
            service = getattr(self, part)
            if service is not None:
                yield part, "", service


class Scope(Model):
    """What the provider serves. ``service_map`` tells which of ``service_types`` a call, case
    or agent hour is (see ``pactline.core.agreement.services``)."""

    service_types: Annotated[tuple[ServiceType, ...], Field(min_length=1), Unique]
    case_categories: Annotated[tuple[CaseCategory, ...], Field(min_length=1), Unique]
    languages: Annotated[tuple[LanguageTag, ...], Field(min_length=1), Unique]
    description: LongText | None = None
    service_map: ServiceMap | None = None

    def _issues(self) -> Iterator[Issue]:
        if self.service_map is None:
            return
        services = ", ".join(self.service_types)
        categories = ", ".join(self.case_categories)
        for part, key, service in self.service_map.entries():
            at: tuple[str, ...] = ("service_map", part, key) if key else ("service_map", part)
            if part == "categories" and key not in self.case_categories:
                yield Issue(at, "case_category_not_in_scope", {"value": key, "choices": categories})
            if service not in self.service_types:
                yield Issue(
                    at, "service_type_not_in_scope", {"value": service, "choices": services}
                )


class ChannelSpec(Model):
    """A channel the provider serves; ``addresses`` are numbers, mailboxes, accounts or URLs.

    ``critical_calendar`` (e.g. 24/7) serves the cases of ``critical_calendar_priorities``;
    without that list, the agreement's most urgent priority (the first of ``priorities``).
    """

    enabled: bool = True
    calendar: Identifier
    critical_calendar: Identifier | None = None
    critical_calendar_priorities: (
        Annotated[tuple[Identifier, ...], Field(min_length=1), Unique] | None
    ) = None
    addresses: Annotated[tuple[Text, ...], Unique] = ()
    description: Text | None = None

    def _issues(self) -> Iterator[Issue]:
        if self.critical_calendar_priorities is not None and self.critical_calendar is None:
            yield Issue(
                ("critical_calendar_priorities",),
                "not_applicable",
                {"field": "critical_calendar", "value": "absent"},
            )
