"""Card data out of text before it is stored or indexed (PCI DSS: no sensitive
authentication data after authorisation; PAN shown at most as BIN + last 4).

`redact_card_data` looks at every *digit run* of the text: digits joined by separators as
people write them (spaces, several spaces, dots, hyphens, en and em dashes, no-break spaces,
full-width digits and spaces). Inside a run every window of 13-19 consecutive digits is
checked with Luhn, not only the first greedy match, so a card number after other digits
(`order 55 4111 1111 1111 1111`) or followed by its security code in the same run
(`4111 1111 1111 1111 737`) is found. A 3-4 digit group or an MM/YY right after a card number
is its security code or expiry and goes with it. Security codes (CVV/CVC/CID, 安全码, 验证码,
卡背后三位 ...) and expiry dates announced as such are removed wherever they are.

Numbers that fail the Luhn check (order numbers, phone numbers) are left alone: that is the
rule; a phone number that happens to pass it is masked like a card number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PanDisplay = Literal["last4", "bin_last4", "none"]

MIN_PAN = 13
MAX_PAN = 19

# Full-width digits read as ASCII digits (one character for one, so positions are kept).
_DIGITS = str.maketrans({chr(0xFF10 + n): str(n) for n in range(10)})
# Characters people put between the digits of one number.
_SEPARATOR = "[ .\\-\u00a0\u2007\u2009\u202f\u2010\u2011\u2012\u2013\u2014\u2212\u3000\uff0d\uff0e]"
_RUN = re.compile(rf"[0-9](?:{_SEPARATOR}{{0,3}}[0-9])*")
# A run long enough to hold a card number: most texts have none and are returned at once.
_LONG_RUN = re.compile(rf"[0-9](?:{_SEPARATOR}{{0,3}}[0-9]){{{MIN_PAN - 1},}}")

# What may follow a card number and belongs to it: its expiry (MM/YY, MM/YYYY, MMYY) or its
# security code (3-4 digits), one or two of them, separated by spaces, commas or slashes.
_TAIL_GAP = rf"(?:{_SEPARATOR}|[,;/，、])"
# Not a security code: a group of 4 or more digits follows (the next card number of a list).
_NOT_BEFORE_GROUP = rf"(?![0-9])(?!{_SEPARATOR}{{1,3}}[0-9]{{4}})"
_TAIL_EXPIRY = re.compile(
    rf"{_TAIL_GAP}{{0,4}}(?:(?:exp\w*|有效期)\s*[:：]?\s*)?"
    r"(0[1-9]|1[0-2])\s*[/-]\s*(?:20)?[0-9]{2}(?![0-9])",
    re.IGNORECASE,
)
_TAIL_CODE = re.compile(
    rf"{_TAIL_GAP}{{0,4}}(?:(?:cvv2?|cvc2?|cid)\s*[:：]?\s*)?([0-9]{{3,4}}){_NOT_BEFORE_GROUP}",
    re.IGNORECASE,
)

_CODE_LABEL = (
    r"(?<![a-z])(?:cvv2?|cvc2?|cav2|cid|csc|security\s+code|card\s+(?:security\s+|verification\s+)?code"
    r"|card\s+verification\s+(?:value|number))(?![a-z])"
    r"|安全码|验证码|校验码|卡背后三位(?:数字|数)?|卡背面三位(?:数字|数)?|背面三位(?:数字|数)?"
    r"|背后三位(?:数字|数)?|背面的三位(?:数字|数)?|卡背三位(?:数字|数)?|末三位(?:数字|数)?"
)
# Between the label and the code: punctuation, dashes, and words such as "number is", 是, 为.
_CODE_JOIN = (
    r"(?:\s|[:：=#\-–—.,，]|(?<![a-z])(?:is|number|no|num|code|digits?|are|of|the)(?![a-z])"
    r"|是|为|為|号码|号|码|数字)*"
)
_CODE = re.compile(
    rf"(?:{_CODE_LABEL}){_CODE_JOIN}?(?<![0-9])([0-9]{{3,4}})(?![0-9])", re.IGNORECASE
)
_EXPIRY = re.compile(
    r"(?:(?<![a-z])(?:exp(?:iry|iration|ires|\.)?(?:\s+date)?|valid\s+(?:thru|through|until))"
    r"(?![a-z])|有效期(?:至|到)?)"
    r"(?:\s|[:：=#\-.]|(?<![a-z])(?:is|on)(?![a-z])|是|为)*"
    r"(?:((?:0?[1-9]|1[0-2])\s*[/-]\s*(?:[0-9]{4}|[0-9]{2}))(?![0-9])"
    r"|([0-9]{4}\s*年\s*[0-9]{1,2}\s*月|[0-9]{2}\s*年\s*[0-9]{1,2}\s*月))",
    re.IGNORECASE,
)

_CODE_REMOVED = "[security code removed]"
_EXPIRY_REMOVED = "[expiry removed]"


@dataclass(frozen=True)
class Redaction:
    text: str
    cards: int = 0
    security_codes: int = 0
    expiry_dates: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.cards or self.security_codes or self.expiry_dates)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a string of digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_pan(digits: str, display: PanDisplay = "last4") -> str:
    """A card number as it may be shown: last 4 by default, BIN (first 6) + last 4 at most."""
    if display == "none":
        return "[card]"
    if display == "bin_last4":
        return f"[card {digits[:6]}…{digits[-4:]}]"
    return f"[card …{digits[-4:]}]"


def find_card_numbers(text: str) -> list[str]:
    """Every Luhn-valid window of 13-19 digits in any digit run of `text` (digits only, in
    order of their start; overlapping windows are all listed). What must never be stored."""
    found: list[str] = []
    for run in _LONG_RUN.finditer(text.translate(_DIGITS)):
        digits = "".join(char for char in run.group(0) if "0" <= char <= "9")
        for start in range(len(digits) - MIN_PAN + 1):
            for length in range(MIN_PAN, min(MAX_PAN, len(digits) - start) + 1):
                window = digits[start : start + length]
                if luhn_valid(window):
                    found.append(window)
    return found


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    replacement: str
    kind: Literal["card", "code", "expiry"]


def redact_card_data(text: str, *, display: PanDisplay = "last4") -> Redaction:
    """`text` with card numbers masked (`mask_pan`) and security codes and expiry dates removed."""
    plain = text.translate(_DIGITS)
    spans: list[_Span] = []
    for run in _LONG_RUN.finditer(plain):
        spans.extend(_cards_in_run(plain, run.start(), run.end(), display))
    _add_labelled(spans, _CODE, plain, _CODE_REMOVED, "code")
    _add_labelled(spans, _EXPIRY, plain, _EXPIRY_REMOVED, "expiry")
    if not spans:
        return Redaction(text)
    spans.sort(key=lambda span: span.start)
    parts: list[str] = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(span.replacement)
        position = span.end
    parts.append(text[position:])
    return Redaction(
        "".join(parts),
        cards=sum(1 for span in spans if span.kind == "card"),
        security_codes=sum(1 for span in spans if span.kind == "code"),
        expiry_dates=sum(1 for span in spans if span.kind == "expiry"),
    )


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


class _Run:
    """One digit run: its digits, where they stand in the text, where its groups start, and
    prefix sums that give the Luhn checksum of any window at once (a long run of digits, such
    as a table pasted into a transcript, is scanned in linear time)."""

    def __init__(self, plain: str, start: int, end: int) -> None:
        self.plain = plain
        self.positions = [index for index in range(start, end) if "0" <= plain[index] <= "9"]
        self.digits = [ord(plain[index]) - 48 for index in self.positions]
        # breaks[k]: a separator stands between digit k-1 and digit k (a group starts at k).
        self.breaks = [
            k == 0 or self.positions[k] != self.positions[k - 1] + 1
            for k in range(len(self.digits))
        ]
        # even[k] / odd[k]: sum over digits before k, doubling those at odd / even indices.
        self.even = [0]
        self.odd = [0]
        for index, digit in enumerate(self.digits):
            plain_value, doubled = digit, _DOUBLED[digit]
            self.even.append(self.even[-1] + (doubled if index % 2 else plain_value))
            self.odd.append(self.odd[-1] + (plain_value if index % 2 else doubled))

    def __len__(self) -> int:
        return len(self.digits)

    def valid(self, first: int, last: int) -> bool:
        """Luhn over digits[first:last]: the last digit is not doubled, every second one
        before it is."""
        sums = self.odd if (last - 1) % 2 else self.even
        return (sums[last] - sums[first]) % 10 == 0

    def text(self, first: int, last: int) -> str:
        return "".join(chr(48 + digit) for digit in self.digits[first:last])

    def end_of(self, last: int) -> int:
        """Where digits[:last] ends in the text."""
        return self.positions[last - 1] + 1


def _cards_in_run(plain: str, start: int, end: int, display: PanDisplay) -> list[_Span]:
    """The card numbers (and the codes and expiry dates right after them) in one digit run."""
    run = _Run(plain, start, end)
    spans: list[_Span] = []
    _scan(run, 0, len(run), display, spans)
    return spans


def _scan(run: _Run, low: int, high: int, display: PanDisplay, spans: list[_Span]) -> None:
    """Mask card-number windows in digits[low:high] from left to right until no Luhn-valid
    window of 13-19 digits is left."""
    while True:
        best = _best_window(run, low, high)
        if best is None:
            return
        first, last = best
        shown = mask_pan(run.text(first, last), display)
        # A window that starts or ends inside a group of digits takes the whole group with it.
        while first > low and not run.breaks[first]:
            first -= 1
        while last < high and not run.breaks[last]:
            last += 1
        # Digits skipped before the chosen window (fewer than 19+19) may still hold one.
        _scan(run, low, first, display, spans)
        text_end = run.end_of(last)
        spans.append(_Span(run.positions[first], text_end, shown, "card"))
        low = last
        # Its expiry and security code, when they follow it.
        for _ in range(2):
            tail = _tail(run.plain, text_end)
            if tail is None:
                break
            spans.append(tail)
            text_end = tail.end
            while low < high and run.positions[low] < text_end:
                low += 1


def _tail(plain: str, end: int) -> _Span | None:
    tail = _TAIL_EXPIRY.match(plain, end) or _TAIL_CODE.match(plain, end)
    if tail is None:
        return None
    value_start = tail.start(1)
    kind: Literal["code", "expiry"] = "expiry" if tail.re is _TAIL_EXPIRY else "code"
    group = plain[value_start : tail.end()]
    labelled = any(char.isalpha() for char in plain[tail.start() : value_start])
    if kind == "code" and not labelled and len(group) == 4 and _looks_like_mmyy(group):
        kind = "expiry"
    replacement = _EXPIRY_REMOVED if kind == "expiry" else _CODE_REMOVED
    return _Span(value_start, tail.end(), replacement, kind)


def _best_window(run: _Run, low: int, high: int) -> tuple[int, int] | None:
    """The window to mask first, among those that start near the earliest valid one.
    Preferred: one written as card numbers are (on group boundaries, a first group of 4
    digits or more, a last group of 4 or more unless it ends the run: `order 55 4111 1111
    1111 1111` keeps the 55); then one on group boundaries; then the earliest; then one
    followed by a security code or expiry (`4111 1111 1111 1111 737` masks 16 digits, not 19);
    then one that leaves no digit of its run behind; then the longest."""
    earliest = next(
        (
            first
            for first in range(low, high - MIN_PAN + 1)
            if any(
                run.valid(first, last)
                for last in range(first + MIN_PAN, min(first + MAX_PAN, high) + 1)
            )
        ),
        None,
    )
    if earliest is None:
        return None
    best: tuple[int, int] | None = None
    best_key: tuple[bool, bool, int, bool, bool, int] | None = None
    breaks = run.breaks
    for first in range(earliest, min(earliest + MAX_PAN, high - MIN_PAN + 1)):
        for last in range(first + MIN_PAN, min(first + MAX_PAN, high) + 1):
            if not run.valid(first, last):
                continue
            aligned = (first == low or breaks[first]) and (last == high or breaks[last])
            first_group = next((k for k in range(first + 1, last) if breaks[k]), last) - first
            last_group = last - next((k for k in range(last - 1, first, -1) if breaks[k]), first)
            well_formed = aligned and first_group >= 4 and (last_group >= 4 or last == high)
            followed = _tail(run.plain, run.end_of(last)) is not None
            key = (well_formed, aligned, -first, followed, last == high, last - first)
            if best_key is None or key > best_key:
                best, best_key = (first, last), key
    return best


def _looks_like_mmyy(group: str) -> bool:
    return 1 <= int(group[:2]) <= 12


def _add_labelled(
    spans: list[_Span],
    pattern: re.Pattern[str],
    plain: str,
    replacement: str,
    kind: Literal["code", "expiry"],
) -> None:
    """The values announced by a label (`CVV: 737`, `有效期至 11/28`); the label is kept."""
    for match in pattern.finditer(plain):
        group = 1 if match.group(1) is not None else 2
        start, end = match.start(group), match.end(group)
        if any(span.start < end and start < span.end for span in spans):
            continue
        spans.append(_Span(start, end, replacement, kind))
