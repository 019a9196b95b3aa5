"""Caller numbers to E.164: the shape shortcut gives exactly what `phonenumbers` gives."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from pactline.channels.voice import phones
from pactline.channels.voice.phones import region_for_timezone, to_e164


def _library(raw: str, region: str | None) -> str:
    """The plain library answer, number by number."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    for candidate in [text] if text.startswith("+") else [text, "+" + text]:
        default = None if candidate.startswith("+") else region
        if default is None and not candidate.startswith("+"):
            continue
        try:
            number = phonenumbers.parse(candidate, default)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ""


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("15551234567", "US", "+15551234567"),
        ("5551234567", "US", "+15551234567"),
        ("+8613800138000", None, "+8613800138000"),
        ("13800138000", "CN", "+8613800138000"),
        ("02112345678", "CN", "+862112345678"),
        ("8613800138000", "CN", "+8613800138000"),
        ("004420718387500", "GB", ""),
        ("00442071838750", "US", "+442071838750"),
        ("+44 20 7183 8750", None, "+442071838750"),
        ("6001", "US", ""),
        ("anonymous", "US", ""),
        ("", "US", ""),
        ("15551234567", None, "+15551234567"),
    ],
)
def test_examples(raw: str, region: str | None, e164: str) -> None:
    assert to_e164(raw, region) == e164


def test_the_shape_shortcut_agrees_with_the_library() -> None:
    rng = random.Random(7)
    regions = ["US", "CN", "GB", "DE", "FR", "IN", "AR", "MX", "BR", "JP", "IT", "AU", None]
    phones._SHAPES.clear()
    for _ in range(4000):
        region = rng.choice(regions)
        prefix = rng.choice(["", "+", "00", "0", "1", "86", "44", "54", "39", "0039", "91"])
        raw = prefix + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 13)))
        assert to_e164(raw, region) == _library(raw, region), (raw, region)


def test_region_from_time_zone() -> None:
    assert region_for_timezone("America/New_York") == "US"
    assert region_for_timezone("Asia/Shanghai") == "CN"
    assert region_for_timezone("Europe/London") == "GB"
    assert region_for_timezone("UTC") is None
