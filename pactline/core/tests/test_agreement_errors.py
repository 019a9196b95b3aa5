"""Bad agreements are rejected with every problem, its exact path, code, message and line."""

from __future__ import annotations

import json
import pickle
import re
from collections import defaultdict

import pytest

from pactline.core.agreement import (
    MESSAGES,
    AgreementDocument,
    AgreementError,
    AgreementInvalid,
    agreement_from_data,
    agreement_to_data,
    dump_agreement_yaml,
    parse_agreement,
)
from pactline.core.tests.agreement_samples import MINIMAL, brief, edit, errors_of, line_of


def only(text: str) -> AgreementError:
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


def test_unknown_time_zone() -> None:
    text = edit(MINIMAL, "timezone: Europe/London", "timezone: Europe/Atlantis")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "calendars.main.timezone",
        "timezone",
        line_of(text, "Atlantis"),
    )
    assert error.message == "unknown time zone 'Europe/Atlantis'"
    assert error.params == {"value": "Europe/Atlantis"}


def test_invalid_interval_hour() -> None:
    text = edit(MINIMAL, 'mon: ["09:00-17:00"]', 'mon: ["25:00-26:00"]')
    error = only(text)
    assert str(error) == (
        "calendars.main.hours.mon.0: invalid time interval '25:00-26:00': hour must be 00-24"
        f" (line {line_of(text, '25:00')})"
    )
    assert error.code == "interval_hour"


@pytest.mark.parametrize(
    ("interval", "code", "message"),
    [
        (
            "9:00-17:00",
            "interval_format",
            "invalid time interval '9:00-17:00': expected HH:MM-HH:MM",
        ),
        (
            "09:60-17:00",
            "interval_minute",
            "invalid time interval '09:60-17:00': minutes must be 00-59",
        ),
        (
            "24:00-02:00",
            "interval_24",
            "invalid time interval '24:00-02:00': 24:00 is only allowed as the end of an interval",
        ),
        (
            "09:00-24:30",
            "interval_24",
            "invalid time interval '09:00-24:30': 24:00 is only allowed as the end of an interval",
        ),
        (
            "09:00-09:00",
            "interval_empty",
            "invalid time interval '09:00-09:00': start and end are the same time",
        ),
    ],
)
def test_invalid_intervals(interval: str, code: str, message: str) -> None:
    text = edit(MINIMAL, 'tue: ["09:00-17:00"]', f'tue: ["09:00-12:00", "{interval}"]')
    error = only(text)
    assert (error.path, error.code, error.message) == ("calendars.main.hours.tue.1", code, message)
    assert error.line == line_of(text, "tue:")


def test_overlapping_intervals_of_a_day_and_across_midnight() -> None:
    text = edit(
        MINIMAL,
        'tue: ["09:00-17:00"]',
        'tue: ["09:00-17:00", "16:00-18:00"]\n      sun: ["20:00-03:00"]',
    )
    text = edit(text, 'mon: ["09:00-17:00"]', 'mon: ["02:00-17:00"]')
    assert brief(errors_of(text)) == [
        ("calendars.main.hours.mon.0", "interval_overlap", line_of(text, "mon:")),
        ("calendars.main.hours.tue.1", "interval_overlap", line_of(text, "tue:")),
    ]
    assert [e.message for e in errors_of(text)] == [
        "time interval '02:00-17:00' overlaps '20:00-03:00'",
        "time interval '16:00-18:00' overlaps '09:00-17:00'",
    ]


def test_weekly_calendar_without_hours() -> None:
    text = edit(
        MINIMAL, 'hours:\n      mon: ["09:00-17:00"]\n      tue: ["09:00-17:00"]', "hours: {}"
    )
    assert brief(errors_of(text)) == [
        ("calendars.main.hours", "never_open", line_of(text, "hours: {}"))
    ]


def test_hours_must_be_247_or_weekdays() -> None:
    text = edit(MINIMAL, "hours: 24/7", "hours: 24x7")
    error = only(text)
    assert (error.path, error.code) == ("calendars.always.hours", "hours")


def test_unknown_weekday() -> None:
    text = edit(MINIMAL, 'tue: ["09:00-17:00"]', 'tues: ["09:00-17:00"]')
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "calendars.main.hours.tues",
        "choice",
        line_of(text, "tues"),
    )
    assert error.message == "must be one of: mon, tue, wed, thu, fri, sat, sun"


def test_duplicate_weekday_reports_the_second_occurrence() -> None:
    text = edit(MINIMAL, 'tue: ["09:00-17:00"]', 'mon: ["10:00-12:00"]')
    assert brief(errors_of(text)) == [
        ("calendars.main.hours.mon", "duplicate_key", line_of(text, "10:00-12:00"))
    ]
    assert (
        str(errors_of(text)[0])
        == f"calendars.main.hours.mon: duplicate key (line {line_of(text, '10:00-12:00')})"
    )


def test_duplicate_key_in_json() -> None:
    data = json.loads(json.dumps(agreement_to_data(parse_agreement(MINIMAL))))
    text = json.dumps(data, indent=2).replace(
        '"title": "Test agreement",', '"title": "Test agreement",\n  "title": "Again",'
    )
    assert brief(errors_of(text)) == [("title", "duplicate_key", line_of(text, '"Again"'))]


def test_holidays_country_and_subdivision() -> None:
    text = edit(
        MINIMAL, "timezone: UTC\n", "timezone: UTC\n    holidays: {country: GB, subdivision: XX}\n"
    )
    error = only(text)
    assert (error.path, error.code) == ("calendars.always.holidays.subdivision", "subdivision")
    assert error.message == "'XX' is not a subdivision of GB; known: ENG, NIR, SCT, WLS"
    text = edit(MINIMAL, "timezone: UTC\n", "timezone: UTC\n    holidays: {country: QQ}\n")
    assert brief(errors_of(text)) == [
        ("calendars.always.holidays.country", "holiday_country", line_of(text, "QQ"))
    ]


def test_service_level_on_a_channel_the_agreement_does_not_have() -> None:
    text = edit(MINIMAL, "  email:\n    first_response:", "  chat:\n    first_response:")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "service_levels.chat",
        "channel_not_in_agreement",
        line_of(text, "  chat:"),
    )
    assert error.message == "channel 'chat' is not part of this agreement"


def test_percentage_over_100() -> None:
    text = edit(MINIMAL, "target_percent: 80", "target_percent: 180")
    error = only(text)
    assert (
        str(error)
        == f"service_levels.phone.answer_within.target_percent: must be at most 100 (line {line_of(text, '180')})"
    )
    assert (error.code, error.params) == ("le", {"limit": "100"})


def test_negative_price() -> None:
    text = edit(MINIMAL, "rate: 1.25", "rate: -1.25")
    error = only(text)
    assert str(error) == f"pricing.items.0.rate: must be at least 0 (line {line_of(text, '-1.25')})"
    assert error.code == "ge"


def test_missing_required_section() -> None:
    text = edit(MINIMAL, "service_levels:", "service_levelz:")
    # The allocation naming phone.answer_within is not checked: service_levels is unknown.
    assert brief(errors_of(text)) == [
        ("service_levels", "required_section", 1),
        ("service_levelz", "unknown_field", line_of(text, "service_levelz")),
    ]
    assert errors_of(text)[0].message == "this section is required"


def test_missing_scalar_and_nested_field() -> None:
    text = edit(MINIMAL, "reference: T-1\n", "")
    text = edit(text, "      threshold_seconds: 20\n", "")
    assert brief(errors_of(text)) == [
        ("reference", "required", 1),
        (
            "service_levels.phone.answer_within.threshold_seconds",
            "required",
            line_of(text, "answer_within:"),
        ),
    ]
    assert [e.message for e in errors_of(text)] == ["is required", "is required"]


def test_unknown_field() -> None:
    text = edit(MINIMAL, "  start: 2026-01-01\n", "  start: 2026-01-01\n  colour: blue\n")
    assert brief(errors_of(text)) == [("term.colour", "unknown_field", line_of(text, "colour"))]


def test_syntax_error_with_line() -> None:
    text = edit(MINIMAL, "title: Test agreement", "title: [Test agreement")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "(document)",
        "syntax",
        line_of(text, "language: en"),
    )
    assert error.message.startswith("invalid YAML: ")


def test_json_syntax_error_with_line() -> None:
    error = only('{\n  "schema_version": 1,\n  "title": oops\n}')
    assert (error.path, error.code, error.line) == ("(document)", "syntax", 3)
    assert error.message == "invalid JSON: Expecting value"


def test_reference_to_a_missing_calendar() -> None:
    text = edit(MINIMAL, "critical_calendar: always", "critical_calendar: nights")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "channels.phone.critical_calendar",
        "unknown_calendar",
        line_of(text, "nights"),
    )
    assert error.message == "calendar 'nights' is not defined under calendars"


def test_credit_allocation_naming_a_missing_service_level() -> None:
    text = edit(MINIMAL, "service_level: phone.answer_within", "service_level: phone.asa")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "service_credits.allocations.0.service_level",
        "unknown_service_level",
        line_of(text, "phone.asa"),
    )
    assert error.message == "service level 'phone.asa' is not defined under service_levels"


def test_priority_not_in_priorities() -> None:
    text = edit(MINIMAL, "{critical: 3600, normal: 28800}", "{critical: 3600, urgent: 28800}")
    assert brief(errors_of(text)) == [
        (
            "service_levels.email.first_response.target_seconds.urgent",
            "priority_not_in_agreement",
            line_of(text, "urgent"),
        ),
    ]


def test_unknown_metric_kind_and_missing_kind() -> None:
    text = edit(MINIMAL, "kind: service_level", "kind: speed")
    error = only(text)
    assert (error.path, error.code) == ("service_levels.phone.answer_within.kind", "choice")
    assert error.message.startswith(
        "must be one of: service_level, abandon_rate, asa, aht, fcr, first_response"
    )
    text = edit(MINIMAL, "      kind: service_level\n", "")
    assert brief(errors_of(text)) == [
        ("service_levels.phone.answer_within.kind", "required", line_of(text, "answer_within:")),
    ]


def test_rules_inside_sections() -> None:
    text = edit(MINIMAL, "variant: SL-A", "variant: SL-C")
    text = edit(text, "  start: 2026-01-01\n", "  start: 2026-01-01\n  end: 2025-12-31\n")
    text = edit(
        text,
        "      rate: 1.25",
        "      rate: 1.25\n      tiers: [{up_to: 100, rate: 1}, {up_to: 50, rate: 0.5}]",
    )
    errors = errors_of(text)
    assert brief(errors) == [
        ("term.end", "date_order", line_of(text, "end: 2025")),
        (
            "service_levels.phone.answer_within.short_abandon_seconds",
            "required_when",
            line_of(text, "answer_within:"),
        ),
        ("pricing.items.0", "exactly_one", line_of(text, "model: per_call")),
        ("pricing.items.0.tier_mode", "required_when", line_of(text, "model: per_call")),
        ("pricing.items.0.tiers.1.up_to", "last_not_open", line_of(text, "tiers:")),
        ("pricing.items.0.tiers.1.up_to", "not_increasing", line_of(text, "tiers:")),
    ]
    assert [e.message for e in errors] == [
        "must be after start (2026-01-01)",
        "is required when variant is SL-C",
        "give exactly one of: rate, tiers",
        "is required when tiers is given",
        "the last entry must be open-ended (up_to: null)",
        "must be greater than the previous one (100)",
    ]


def test_effective_date_outside_the_term() -> None:
    text = edit(MINIMAL, "effective_from: 2026-01-01", "effective_from: 2025-06-01")
    error = only(text)
    assert (error.path, error.code, error.line) == (
        "effective_from",
        "outside_term",
        line_of(text, "effective_from"),
    )
    assert error.message == "must fall within the term (2026-01-01 to -)"


def test_allocations_over_the_pool() -> None:
    text = edit(
        MINIMAL,
        "allocation_percent: 50",
        "allocation_percent: 60\n    - service_level: email.first_response\n      allocation_percent: 60",
    )
    error = only(text)
    assert (error.path, error.code) == ("service_credits.allocations", "allocation_total")
    assert error.message == "the allocations add up to 120%, more than the pool of 100%"


LADDER = """escalation:
  ladders:
    - name: main
      applies_to: {channels: [web], metrics: [nope], priorities: [p9]}
      levels:
        - level: 1
          trigger: {after_breach_seconds: 0}
          actions: [{type: notify_client_contacts, roles: [CEO]}, {type: raise_priority, priority: top}]
        - level: 2
          trigger: {after_breach_seconds: 60}
          actions: [{type: notify_email, to: [lead@provider.example]}]
"""


def test_escalation_references_must_exist() -> None:
    text = edit(MINIMAL, "pricing:\n", LADDER + "pricing:\n")
    line = line_of(text, "applies_to")
    assert brief(errors_of(text)) == [
        ("escalation.ladders.0.applies_to.channels.0", "channel_not_in_agreement", line),
        ("escalation.ladders.0.applies_to.metrics.0", "unknown_metric", line),
        ("escalation.ladders.0.applies_to.priorities.0", "priority_not_in_agreement", line),
        (
            "escalation.ladders.0.levels.0.actions.0.roles.0",
            "contact_role_not_in_agreement",
            line_of(text, "CEO"),
        ),
        (
            "escalation.ladders.0.levels.0.actions.1.priority",
            "priority_not_in_agreement",
            line_of(text, "CEO"),
        ),
    ]


def test_escalation_levels_and_triggers() -> None:
    base = edit(MINIMAL, "pricing:\n", LADDER + "pricing:\n")
    base = edit(
        base, "applies_to: {channels: [web], metrics: [nope], priorities: [p9]}", "applies_to: {}"
    )
    base = edit(base, "roles: [CEO]}, {type: raise_priority, priority: top}", "roles: [CX Lead]}")
    parse_agreement(base)

    text = edit(base, "- level: 2", "- level: 1")
    error = only(text)
    second = [n for n, line in enumerate(text.splitlines(), 1) if "- level: 1" in line][1]
    assert (error.path, error.code, error.line) == (
        "escalation.ladders.0.levels.1.level",
        "not_increasing",
        second,
    )
    assert error.message == "must be greater than the previous one (1)"

    text = edit(base, "{after_breach_seconds: 60}", "{after_breach_seconds: 60, at_percent: 50}")
    error = only(text)
    at = line_of(text, "after_breach_seconds: 60")
    assert (error.path, error.code, error.line) == (
        "escalation.ladders.0.levels.1.trigger",
        "exactly_one",
        at,
    )
    assert (
        error.message
        == "give exactly one of: after_breach_seconds, before_breach_seconds, at_percent"
    )

    text = edit(base, "{type: notify_email, to: [lead@provider.example]}", "{type: notify_email}")
    error = only(text)
    assert (error.path, error.code) == (
        "escalation.ladders.0.levels.1.actions.0.to",
        "recipients_required",
    )


def test_several_problems_are_all_reported_in_line_order() -> None:
    text = MINIMAL
    text = edit(text, "timezone: Europe/London", "timezone: Mars/Olympus")  # 1
    text = edit(text, 'tue: ["09:00-17:00"]', 'tue: ["25:00-26:00"]')  # 2
    text = edit(text, "critical_calendar: always", "critical_calendar: nights")  # 3
    text = edit(text, "  email:\n    first_response:", "  chat:\n    first_response:")  # 4
    text = edit(text, "target_percent: 80", "target_percent: 101")  # 5
    text = edit(text, "rate: 1.25", "rate: -1")  # 6
    text = edit(text, "service_level: phone.answer_within", "service_level: chat.aht")  # 7
    text = edit(
        text,
        "  breach_notice_hours: 24\n",
        "  breach_notice_hours: 24\n  breach_notice_hours: 12\n",
    )  # 8
    text = edit(text, "  start: 2026-01-01\n", "  start: 2026-01-01\n  colour: blue\n")  # 9
    text = text[: text.index("termination:")]  # 10: a required section missing
    errors = errors_of(text)
    assert brief(errors) == [
        ("termination", "required_section", 1),
        ("term.colour", "unknown_field", line_of(text, "colour")),
        ("calendars.main.timezone", "timezone", line_of(text, "Mars")),
        ("calendars.main.hours.tue.0", "interval_hour", line_of(text, "25:00")),
        ("channels.phone.critical_calendar", "unknown_calendar", line_of(text, "nights")),
        ("service_levels.phone.answer_within.target_percent", "le", line_of(text, "101")),
        ("service_levels.chat", "channel_not_in_agreement", line_of(text, "  chat:")),
        ("pricing.items.0.rate", "ge", line_of(text, "rate: -1")),
        (
            "service_credits.allocations.0.service_level",
            "unknown_service_level",
            line_of(text, "chat.aht"),
        ),
        (
            "data_protection.breach_notice_hours",
            "duplicate_key",
            line_of(text, "breach_notice_hours: 12"),
        ),
    ]
    assert len(errors) == 10


def test_not_a_mapping_and_empty_document() -> None:
    assert brief(errors_of("- a\n- b\n")) == [("(document)", "not_a_mapping", 1)]
    assert brief(errors_of("")) == [("(document)", "not_a_mapping", 1)]
    assert brief(errors_of("[1, 2]", fmt="json")) == [("(document)", "not_a_mapping", 1)]


def test_unsafe_yaml_tags_are_refused() -> None:
    error = only("!!python/object/apply:os.system ['true']\n")
    assert (error.code, error.line) == ("syntax", 1)


def test_yaml_1_1_surprises_stay_strings() -> None:
    text = edit(
        MINIMAL, "timezone: UTC\n", "timezone: UTC\n    holidays: {country: NO}\n"
    )  # Norway
    text = edit(text, "reference: T-1", "reference: 0089")
    text = edit(text, "name: Provider Co", "name: on")
    doc = parse_agreement(text)
    assert doc.calendars["always"].holidays is not None
    assert doc.calendars["always"].holidays.country == "NO"
    assert doc.reference == "0089"
    assert doc.parties.provider.name == "on"
    assert parse_agreement(dump_agreement_yaml(doc)) == doc


def test_bytes_that_are_not_utf8() -> None:
    assert brief(errors_of(b"title: ok\nname: \xff\n")) == [("(document)", "encoding", 2)]


def test_alias_bombs_and_deep_nesting_are_refused() -> None:
    rows = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert brief(errors_of("\n".join(rows))) == [("(document)", "too_complex", None)]
    assert brief(errors_of("a: &a [*a]\n")) == [("(document)", "too_complex", None)]
    assert brief(errors_of("a: " + "[" * 100 + "]" * 100)) == [("(document)", "too_complex", None)]


def test_direct_validation_reports_reference_errors() -> None:
    data = agreement_to_data(parse_agreement(MINIMAL))
    data["channels"]["email"]["calendar"] = "nights"
    with pytest.raises(AgreementInvalid) as caught:
        agreement_from_data(data)
    assert brief(caught.value.errors) == [("channels.email.calendar", "unknown_calendar", None)]
    with pytest.raises(ValueError, match="calendar 'nights' is not defined under calendars"):
        AgreementDocument.model_validate(data)


def test_every_message_formats_with_its_params() -> None:
    params: defaultdict[str, str] = defaultdict(lambda: "x")
    for code, template in MESSAGES.items():
        message = template % params
        assert "%" not in message.replace("x%", ""), code
        assert set(re.findall(r"%\((\w+)\)s", template)) <= {
            "format",
            "detail",
            "limit",
            "choices",
            "value",
            "country",
            "other",
            "fields",
            "field",
            "previous",
            "total",
            "pool",
            "start",
            "end",
            "name",
            "channel",
            "priority",
            "role",
        }, code


def test_no_pydantic_wording_leaks() -> None:
    text = edit(MINIMAL, "threshold_seconds: 20", "threshold_seconds: soon")
    text = edit(text, "breach_notice_hours: 24", "breach_notice_hours: [24]")
    text = edit(text, "  start: 2026-01-01\n", "  start: someday\n")
    errors = errors_of(text)
    assert [(e.path, e.code, e.message) for e in errors] == [
        ("term.start", "type_date", "must be a date (YYYY-MM-DD)"),
        (
            "service_levels.phone.answer_within.threshold_seconds",
            "type_integer",
            "must be a whole number",
        ),
        ("data_protection.breach_notice_hours", "type_integer", "must be a whole number"),
    ]


def test_json_errors_have_lines() -> None:
    data = agreement_to_data(parse_agreement(MINIMAL))
    data["pricing"]["items"][0]["rate"] = "-2"
    data["calendars"]["main"]["timezone"] = "Nowhere/Town"
    del data["termination"]
    text = json.dumps(data, indent=2)
    assert brief(errors_of(text)) == [
        ("termination", "required_section", 1),
        ("calendars.main.timezone", "timezone", line_of(text, "Nowhere/Town")),
        ("pricing.items.0.rate", "ge", line_of(text, '"-2"')),
    ]


def test_agreement_invalid_pickles_and_prints() -> None:
    invalid = AgreementInvalid(errors_of(edit(MINIMAL, "rate: 1.25", "rate: -1")))
    copy = pickle.loads(pickle.dumps(invalid))  # noqa: S301 - our own bytes
    assert copy.errors == invalid.errors
    assert (
        str(copy)
        == f"1 problem(s) in the agreement:\n  pricing.items.0.rate: must be at least 0 (line {line_of(MINIMAL, 'rate: 1.25')})"
    )
