"""Data protection, change control and termination duties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from pactline.core.agreement.base import CountryCode, Days, Model, Text, Unique
from pactline.core.agreement.errors import Issue


class RetentionDays(Model):
    """Days each class of data is kept before it is purged (0 = not kept)."""

    recordings: Days
    transcripts: Days
    call_records: Days
    messages: Days
    qa_evaluations: Days
    case_records: Days | None = None
    attachments: Days | None = None
    survey_responses: Days | None = None


class CardData(Model):
    """Card data is never stored (or is redacted before storage); PAN display masking."""

    policy: Literal["never_store", "redact"] = "never_store"
    pan_display: Literal["last4", "bin_last4"] = "last4"


class SubProcessor(Model):
    name: Text
    purpose: Text
    country: CountryCode
    approved: bool


class CrossBorderTransfer(Model):
    """How personal data may leave the client's jurisdiction (SCCs, PRC standard contract...)."""

    mechanism: Literal[
        "none", "adequacy", "scc", "cn_standard_contract", "cac_assessment", "certification"
    ]
    destinations: Annotated[tuple[CountryCode, ...], Unique] = ()

    def _issues(self) -> Iterator[Issue]:
        if self.mechanism == "none" and self.destinations:
            yield Issue(
                ("destinations",), "not_applicable", {"field": "mechanism", "value": "none"}
            )


class AccessOnRequest(Model):
    """Recordings and transcripts the client may request, delivered within the hours given."""

    recordings: bool = False
    transcripts: bool = False
    fulfilment_hours: Annotated[int, Field(gt=0, le=720)] = 48


class DataProtection(Model):
    retention_days: RetentionDays
    card_data: CardData = CardData()
    breach_notice_hours: Annotated[int, Field(gt=0, le=720)]
    sub_processors: tuple[SubProcessor, ...] = ()
    confidentiality_agreement_required: bool = True
    cross_border_transfer: CrossBorderTransfer | None = None
    access_on_request: AccessOnRequest | None = None


class ChangeControl(Model):
    """Changes take effect no earlier than ``notice_days`` after written notice.

    With ``requires_written_acceptance`` a change is put in force only once the client has
    accepted it; ``provider_override_permitted`` lets the provider put it in force without
    that acceptance, giving a written reason.
    """

    notice_days: Days = 30
    requires_written_acceptance: bool = True
    provider_override_permitted: bool = False


DataFormat = Literal["csv", "json", "xlsx", "pdf", "xml", "wav", "mp3", "eml"]


class Termination(Model):
    notice_days: Days
    transition_days: Days
    data_return_format: Annotated[tuple[DataFormat, ...], Field(min_length=1), Unique]
    data_return_days: Days | None = None
    deletion_certificate: bool = True
