"""Property tests: any input is either an agreement or AgreementInvalid; exports round-trip."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pactline.core.agreement import (
    AgreementDocument,
    AgreementInvalid,
    agreement_from_data,
    agreement_to_data,
    dump_agreement_json,
    dump_agreement_yaml,
    parse_agreement,
)
from pactline.core.tests.agreement_samples import EXAMPLE_NAMES, MINIMAL, example_text

# PACTLINE_FUZZ_EXAMPLES=5000 digs deeper; the default keeps the suite fast.
FAST = settings(
    deadline=None,
    database=None,
    max_examples=int(os.environ.get("PACTLINE_FUZZ_EXAMPLES", "80")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
BASE = agreement_to_data(parse_agreement(MINIMAL))
SOURCES = [MINIMAL, *(example_text(name) for name in EXAMPLE_NAMES)]


def parse_or_invalid(text: str | bytes, fmt: Any = None) -> AgreementDocument | None:
    try:
        return parse_agreement(text, fmt=fmt)
    except AgreementInvalid as invalid:
        assert invalid.errors
        for error in invalid.errors:
            assert error.path and error.code and error.message
            assert error.code != "invalid", error  # every pydantic error type is mapped
            assert error.line is None or error.line >= 1
        return None


def assert_round_trips(doc: AgreementDocument) -> None:
    assert parse_agreement(dump_agreement_yaml(doc)) == doc
    assert parse_agreement(dump_agreement_json(doc)) == doc


@FAST
@given(st.binary(max_size=400), st.sampled_from([None, "yaml", "json"]))
def test_random_bytes_only_raise_agreement_invalid(data: bytes, fmt: Any) -> None:
    parse_or_invalid(data, fmt)


@FAST
@given(st.text(max_size=300), st.sampled_from([None, "yaml", "json"]))
def test_random_text_only_raises_agreement_invalid(text: str, fmt: Any) -> None:
    parse_or_invalid(text, fmt)


@FAST
@given(
    st.sampled_from(SOURCES),
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.integers(min_value=0, max_value=12),
            st.sampled_from(
                [
                    "",
                    " ",
                    ":",
                    "-",
                    "\n",
                    "[",
                    "]",
                    "{",
                    "}",
                    "#",
                    "'",
                    '"',
                    "&a",
                    "*a",
                    "!!",
                    "0",
                    "x",
                    "é",
                    "\t",
                ]
            ),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_agreements_are_accepted_or_rejected_cleanly(
    text: str, edits: list[tuple[float, int, str]]
) -> None:
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    doc = parse_or_invalid(text)
    if doc is not None:
        assert_round_trips(doc)


def _day_intervals(points: list[int]) -> list[str]:
    points = sorted(set(points))
    pairs = zip(points[0::2], points[1::2], strict=False)
    return [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in pairs]


week = st.dictionaries(
    st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    st.lists(st.integers(min_value=0, max_value=1440), min_size=2, max_size=8).map(_day_intervals),
    min_size=1,
).filter(lambda hours: any(hours.values()))
money = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40).filter(str.strip)


@FAST
@given(week, money, st.lists(money, min_size=1, max_size=4), text)
def test_generated_agreements_round_trip(
    hours: dict[str, list[str]], rate: Decimal, tier_rates: list[Decimal], title: str
) -> None:
    data: dict[str, Any] = {**BASE, "title": title}
    data["calendars"] = {**BASE["calendars"], "main": {**BASE["calendars"]["main"], "hours": hours}}
    tiers = [{"up_to": 1000 * (i + 1), "rate": str(r)} for i, r in enumerate(tier_rates)]
    tiers[-1].pop("up_to")
    data["pricing"] = {
        **BASE["pricing"],
        "items": [
            {"model": "per_call", "name": "Calls", "rate": str(rate)},
            {"model": "per_ticket", "name": "Tickets", "tiers": tiers, "tier_mode": "all_units"},
        ],
    }
    doc = agreement_from_data(data)
    assert doc.pricing.items[0].rate == rate  # type: ignore[union-attr]
    assert_round_trips(doc)
