"""The agreement document: schema (pydantic), validation, loading and export.

An agreement is a YAML or JSON document. :func:`parse_agreement` returns an immutable
:class:`AgreementDocument` or raises :class:`AgreementInvalid` listing every problem with
its dotted path, stable code, English message (``MESSAGES[code] % params``) and line.
"""

from pactline.core.agreement.base import (
    CASE_CATEGORIES,
    CHANNEL_KINDS,
    DEFAULT_PRIORITIES,
    LANGUAGES,
    SERVICE_TYPES,
    TIER_NAMES,
)
from pactline.core.agreement.calendar import WEEKDAYS, CalendarSpec, HolidaySpec, Interval
from pactline.core.agreement.commercial import (
    CreditAllocation,
    CreditBand,
    PerCall,
    PerFte,
    PerHour,
    PerMinute,
    PerTicket,
    PriceTier,
    Pricing,
    ServiceCredits,
)
from pactline.core.agreement.document import AgreementDocument
from pactline.core.agreement.errors import AgreementError, AgreementInvalid
from pactline.core.agreement.export import (
    agreement_to_data,
    dump_agreement_json,
    dump_agreement_yaml,
)
from pactline.core.agreement.loader import agreement_from_data, parse_agreement
from pactline.core.agreement.messages import MESSAGES
from pactline.core.agreement.operations import EscalationLevel, Ladder, Report
from pactline.core.agreement.parties import ChannelSpec, Contact, Scope, ServiceMap, TierSpec
from pactline.core.agreement.service_levels import (
    METRIC_KINDS,
    ClockMetric,
    Metric,
    ServiceLevelMetric,
)
from pactline.core.agreement.services import service_type_of

__all__ = [
    "CASE_CATEGORIES",
    "CHANNEL_KINDS",
    "DEFAULT_PRIORITIES",
    "LANGUAGES",
    "MESSAGES",
    "METRIC_KINDS",
    "SERVICE_TYPES",
    "TIER_NAMES",
    "WEEKDAYS",
    "AgreementDocument",
    "AgreementError",
    "AgreementInvalid",
    "CalendarSpec",
    "ChannelSpec",
    "ClockMetric",
    "Contact",
    "CreditAllocation",
    "CreditBand",
    "EscalationLevel",
    "HolidaySpec",
    "Interval",
    "Ladder",
    "Metric",
    "PerCall",
    "PerFte",
    "PerHour",
    "PerMinute",
    "PerTicket",
    "PriceTier",
    "Pricing",
    "Report",
    "Scope",
    "ServiceCredits",
    "ServiceLevelMetric",
    "ServiceMap",
    "TierSpec",
    "agreement_from_data",
    "agreement_to_data",
    "dump_agreement_json",
    "dump_agreement_yaml",
    "parse_agreement",
    "service_type_of",
]
