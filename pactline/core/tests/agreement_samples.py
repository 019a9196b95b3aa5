"""Shared documents and helpers for the agreement tests."""

from __future__ import annotations

from pathlib import Path

from pactline.core.agreement import AgreementError, AgreementInvalid, parse_agreement

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples" / "agreements"
EXAMPLE_NAMES = (
    "general-outsourcing.yaml",
    "customer-service-zh.yaml",
    "call-centre-per-minute.yaml",
    "telecom-tiers.yaml",
)

# The smallest complete agreement; tests edit it with ``edit`` and look lines up with ``line_of``.
MINIMAL = """\
schema_version: 1
reference: T-1
title: Test agreement
language: en
effective_from: 2026-01-01
parties:
  provider:
    name: Provider Co
  client:
    code: test-client
    name: Test Client
    contacts:
      - name: Ann Lee
        role: CX Lead
        email: ann@client.example
term:
  start: 2026-01-01
scope:
  service_types: [inbound_support]
  case_categories: [inquiry]
  languages: [en]
calendars:
  main:
    timezone: Europe/London
    hours:
      mon: ["09:00-17:00"]
      tue: ["09:00-17:00"]
  always:
    timezone: UTC
    hours: 24/7
channels:
  phone:
    calendar: main
    critical_calendar: always
  email:
    calendar: main
service_levels:
  phone:
    answer_within:
      kind: service_level
      variant: SL-A
      threshold_seconds: 20
      target_percent: 80
  email:
    first_response:
      kind: first_response
      target_seconds: {critical: 3600, normal: 28800}
      target_percent: 95
pricing:
  currency: GBP
  items:
    - model: per_call
      name: Calls
      rate: 1.25
service_credits:
  at_risk_percent: 10
  scheme: allocation
  allocations:
    - service_level: phone.answer_within
      allocation_percent: 50
data_protection:
  retention_days: {recordings: 90, transcripts: 90, call_records: 365, messages: 365, qa_evaluations: 365}
  breach_notice_hours: 24
termination:
  notice_days: 30
  transition_days: 30
  data_return_format: [csv]
"""


def example_text(name: str) -> str:
    return (EXAMPLES_DIR / name).read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    """Replace the single occurrence of ``old``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the single line containing ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def errors_of(text: str | bytes, fmt: str | None = None) -> list[AgreementError]:
    try:
        parse_agreement(text, fmt=fmt)  # type: ignore[arg-type]
    except AgreementInvalid as invalid:
        return invalid.errors
    raise AssertionError("the document was accepted")


def brief(errors: list[AgreementError]) -> list[tuple[str, str, int | None]]:
    return [(error.path, error.code, error.line) for error in errors]
