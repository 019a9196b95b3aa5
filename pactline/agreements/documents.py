"""The bridge between stored versions and the agreement schema in `pactline.core`."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.json_input import json_problems
from pactline.core.agreement import (
    MESSAGES,
    AgreementDocument,
    AgreementError,
    AgreementInvalid,
    agreement_to_data,
    dump_agreement_json,
    dump_agreement_yaml,
    parse_agreement,
)

Format = Literal["yaml", "json"]


def translated(error: AgreementError) -> FieldError:
    """The error in the active language (core messages are marked for extraction with N_)."""
    template = MESSAGES.get(error.code)
    message = gettext(template) % error.params if template else error.message
    return FieldError(error.path, message, error.line)


UNBOUNDED_DEPTH = 10_000  # the loader bounds a document's nesting itself


def document_parse(text: str | bytes, fmt: Format | None = None) -> AgreementDocument:
    try:
        document = parse_agreement(text, fmt=fmt)
    except AgreementInvalid as invalid:
        raise ValidationFailed([translated(error) for error in invalid.errors]) from None
    # Text that cannot be stored (NUL, which PostgreSQL refuses; unpaired surrogates), anywhere.
    problems = json_problems(agreement_to_data(document), max_depth=UNBOUNDED_DEPTH)
    if problems:
        raise ValidationFailed(problems)
    return document


def document_data(document: AgreementDocument) -> dict[str, Any]:
    return agreement_to_data(document)


def document_hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def document_from_data(data: dict[str, Any]) -> AgreementDocument:
    return AgreementDocument.model_validate(data)


def start_of_day(day: date, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))


def document_export(data: dict[str, Any], fmt: Format) -> tuple[str, str]:
    """A stored version's document as text, with its content type."""
    document = document_from_data(data)
    if fmt == "json":
        return dump_agreement_json(document), "application/json; charset=utf-8"
    return dump_agreement_yaml(document), "application/yaml; charset=utf-8"
