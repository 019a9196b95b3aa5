"""Caller numbers to E.164 with `phonenumbers`, and a default region from the PBX time zone."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import phonenumbers

_E164 = phonenumbers.PhoneNumberFormat.E164


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country, from the tz database's `zone.tab` (shipped by `tzdata`)."""
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    countries: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                countries[fields[2]] = fields[0]
    return countries


def region_for_timezone(zone: str) -> str | None:
    """The country a PBX in `zone` most likely dials in (`America/New_York` -> `US`), or None
    for zones of no country (UTC)."""
    return _zone_countries().get(zone)


# (region, "+" or "", digits count, first digits) -> (country code, digits to drop) or None
_Shape = tuple[str | None, str, int, str]
_SHAPES: dict[_Shape, tuple[str, int] | None] = {}
_SHAPES_MAX = 20_000
_SHAPE_HEAD = 5


def to_e164(raw: str, region: str | None) -> str:
    """`raw` as E.164 (`+15551234567`), or "" when it is not a possible phone number
    (anonymous callers, internal extensions). Numbers without `+` are read in `region`;
    `00` is the international prefix.

    `phonenumbers.parse` costs ~25 µs, and a month of calls holds hundreds of thousands of
    distinct callers. Its decisions for a plain digit string (which country code, which
    national prefix to drop, whether the length is possible) depend on the region, the
    length and the leading digits only, so the library parses the first number of each such
    shape and the rest reuse its decision: the national significant number is the tail of
    the digits. Anything else (spaces, letters, extensions) goes to the library every time."""
    plus = raw.startswith("+")
    digits = raw[1:] if plus else raw
    if not digits.isdigit() or not 4 <= len(digits) <= 17 or digits.startswith("00"):
        return _parse(raw, region)
    shape = (None if plus else region, "+" if plus else "", len(digits), digits[:_SHAPE_HEAD])
    if shape not in _SHAPES:
        if len(_SHAPES) >= _SHAPES_MAX:
            _SHAPES.clear()
        _SHAPES[shape] = _shape_rule(raw, digits, region)
    rule = _SHAPES[shape]
    if rule is None:
        return ""
    country, drop = rule
    if not country:
        return _parse(raw, region)
    return f"+{country}{digits[drop:]}"


def _shape_rule(raw: str, digits: str, region: str | None) -> tuple[str, int] | None:
    """What the library did with `raw`: (country code, leading digits dropped); None when
    the number is not possible; ("", 0) when its result is not a tail of the digits."""
    number = _number(raw, region)
    if number is None:
        return None
    country = str(number.country_code)
    national = phonenumbers.format_number(number, _E164)[1 + len(country) :]
    if not digits.endswith(national):
        return ("", 0)
    return (country, len(digits) - len(national))


@lru_cache(maxsize=4096)
def _parse(raw: str, region: str | None) -> str:
    number = _number(raw, region)
    return "" if number is None else phonenumbers.format_number(number, _E164)


def _number(raw: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    text = raw.strip()
    if not text or not any(ch.isdigit() for ch in text):
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    candidates = [text] if text.startswith("+") else [text, "+" + text]
    for candidate in candidates:
        default = None if candidate.startswith("+") else region
        if default is None and not candidate.startswith("+"):
            continue
        try:
            number = phonenumbers.parse(candidate, default)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return number
    return None
