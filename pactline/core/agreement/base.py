"""The base model and the small validated types every section uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from pactline.core.agreement.errors import TAG_PREFIX, Issue, Path, custom_error, fail, fail_many


class Model(BaseModel):
    """Every part of an agreement: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    def _issues(self) -> Iterator[Issue]:
        """Checks across the fields of this model (paths relative to it)."""
        return iter(())

    @model_validator(mode="after")
    def check_semantics(self) -> Self:
        found = list(self._issues())
        if found:
            fail_many(found)
        return self


def tag(value: str) -> str:
    """The union tag of a member; the error converter drops it from paths."""
    return TAG_PREFIX + value


def tag_of(key: str, choices: Sequence[str]) -> Callable[[Any], str | None]:
    """A discriminator for unions of models selected by the string field ``key``."""

    def discriminate(value: Any) -> str | None:
        found = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        return tag(found) if isinstance(found, str) and found in choices else None

    return discriminate


def check_tag(key: str, choices: Sequence[str]) -> Callable[[Any], Any]:
    """A before-validator reporting a missing or unknown discriminator at ``<path>.<key>``."""

    def check(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value
        if not isinstance(value, dict):
            fail("type_mapping")
        if key not in value:
            fail("required", at=(key,))
        if value[key] not in choices:
            fail("choice", at=(key,), choices=", ".join(choices))
        return value

    return check


def literal_values(literal: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in get_args(literal))


# --- Collections -----------------------------------------------------------------------


def _unique[T](values: tuple[T, ...]) -> tuple[T, ...]:
    issues = [
        Issue((index,), "duplicate", {"value": value})
        for index, value in enumerate(values)
        if value in values[:index]
    ]
    if issues:
        fail_many(issues)
    return values


Unique = AfterValidator(_unique)


def duplicates(values: Sequence[object], field: str) -> Iterator[Issue]:
    """Issues at ``<index>.<field>`` for values seen before."""
    seen: set[object] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield Issue((index, field), "duplicate", {"value": value})
        seen.add(value)


def exactly_one(model: BaseModel, fields: Sequence[str], at: Path = ()) -> Iterator[Issue]:
    given = [name for name in fields if getattr(model, name) is not None]
    if len(given) != 1:
        yield Issue(at, "exactly_one", {"fields": ", ".join(fields)})


# --- Text -------------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


def _pattern(code: str, regex: str, *, flags: int = 0) -> AfterValidator:
    compiled = re.compile(regex, flags)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise custom_error(code, value=value)
        return value

    return AfterValidator(check)


Identifier = Annotated[str, _pattern("identifier", r"[a-z][a-z0-9_-]{0,39}")]
ClientCode = Annotated[str, _pattern("client_code", r"[a-z0-9][a-z0-9-]{1,39}")]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    _pattern("email", r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+"),
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True), _pattern("phone", r"\+[1-9](?:[ -]?[0-9]){6,14}")
]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True), _pattern("url", r"https?://[^\s/$.?#][^\s]*")
]
Currency = Annotated[str, _pattern("currency", r"[A-Z]{3}")]
CountryCode = Annotated[str, _pattern("country", r"[A-Z]{2}")]
LanguageTag = Annotated[str, _pattern("language_tag", r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")]
SOCIAL_ACCOUNT = re.compile(r"(?:[a-z][a-z0-9_-]*:\S.*|https?://\S+)")
PHONE_NUMBER = re.compile(r"\+[1-9](?:[ -]?[0-9]){6,14}")
EMAIL_ADDRESS = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")
HTTP_URL = re.compile(r"https?://[^\s/$.?#][^\s]*")


def phone_key(number: str) -> str:
    """``number`` as its digits after a leading '+': the key under which the agreement and the
    telephony data name the same number ('+61 1300 555 010' and '+611300555010' are one)."""
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


# --- Numbers ----------------------------------------------------------------------------

Seconds = Annotated[int, Field(ge=0)]
PositiveSeconds = Annotated[int, Field(gt=0)]
Days = Annotated[int, Field(ge=0)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, allow_inf_nan=False)]

# --- Shared vocabularies (stable codes) ---------------------------------------------------

Language = Literal["en", "zh-Hans"]
ChannelKind = Literal["phone", "email", "chat", "social", "web"]
TierName = Literal["basic", "standard", "premium", "enterprise"]
TimeBasis = Literal["business", "calendar"]
ServiceType = Literal[
    "inbound_support",
    "outbound_calling",
    "virtual_assistance",
    "complaint_handling",
    "troubleshooting",
    "technical_support",
    "billing_inquiry",
    "service_activation",
    "follow_up",
    "satisfaction_survey",
    "proactive_outreach",
]
CaseCategory = Literal[
    "inquiry",
    "complaint",
    "support_request",
    "feedback",
    "troubleshooting",
    "technical_support",
    "billing_inquiry",
    "service_activation",
    "other",
]

CHANNEL_KINDS = literal_values(ChannelKind)
SERVICE_TYPES = literal_values(ServiceType)
CASE_CATEGORIES = literal_values(CaseCategory)
LANGUAGES = literal_values(Language)
TIER_NAMES = literal_values(TierName)
DEFAULT_PRIORITIES = ("critical", "high", "normal", "low")

# The statuses a case can have (``pactline.cases.models.CaseStatus``; a test keeps them equal).
CASE_STATUSES = (
    "new",
    "open",
    "pending_customer",
    "pending_client",
    "escalated",
    "resolved",
    "closed",
)
# A clock may pause only on a status a case can hold while the clock runs: resolving or
# closing a case stops its clocks, so pausing on those would never happen.
PAUSE_STATUSES = tuple(status for status in CASE_STATUSES if status not in ("resolved", "closed"))
# The provider roles an escalation can hand a case to: the roles that work cases
# (``pactline.tenancy.models.Role``; a test keeps them known and allowed to work cases).
ESCALATION_ROLES = ("supervisor", "agent", "provider_admin")


def _check_pause_status(value: str) -> str:
    if value not in PAUSE_STATUSES:
        raise custom_error("pause_status", value=value, choices=", ".join(PAUSE_STATUSES))
    return value


def _check_escalation_role(value: str) -> str:
    if value not in ESCALATION_ROLES:
        raise custom_error("escalation_role", value=value, choices=", ".join(ESCALATION_ROLES))
    return value


PauseStatus = Annotated[str, AfterValidator(_check_pause_status)]
EscalationRole = Annotated[str, AfterValidator(_check_escalation_role)]
