"""Card data out of text before it is stored or indexed (PCI DSS: no sensitive
authentication data after authorisation; PAN shown at most as BIN + last 4).

`redact_card_data` finds Luhn-valid card numbers of 13-19 digits (optionally grouped by spaces
or hyphens), security codes (CVV/CVC/CID, 安全码) and expiry dates announced as such, and
replaces them. Numbers that fail the Luhn check (order numbers, phone numbers) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

PanDisplay = Literal["last4", "bin_last4", "none"]

# 13-19 digits, single spaces or hyphens allowed between digits, not glued to other digits.
_PAN = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
_CVV = re.compile(
    r"(?i)\b(cvv2?|cvc2?|cid|csc|security\s+code|card\s+code)\b(\s*(?:is|:|=|#)?\s*)(\d{3,4})\b"
    r"|(安全码|验证码|背面三位数)(\s*(?:是|为|:|：)?\s*)(\d{3,4})"
)
_EXPIRY = re.compile(
    r"(?i)\b(exp(?:iry|iration)?(?:\s+date)?|valid\s+(?:thru|through|until)|expires)\b"
    r"(\s*(?:is|on|:|=)?\s*)(0[1-9]|1[0-2])\s*[/-]\s*(\d{4}|\d{2})\b"
    r"|(有效期(?:至|到)?)(\s*(?:是|为|:|：)?\s*)(0[1-9]|1[0-2])\s*[/-]\s*(\d{4}|\d{2})"
)


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


def redact_card_data(text: str, *, display: PanDisplay = "last4") -> Redaction:
    cards = 0

    def card(match: re.Match[str]) -> str:
        nonlocal cards
        digits = re.sub(r"[ -]", "", match.group(0))
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
            return match.group(0)
        cards += 1
        return mask_pan(digits, display)

    redacted = _PAN.sub(card, text)
    redacted, codes = _CVV.subn(_keep_label("[security code removed]"), redacted)
    redacted, expiries = _EXPIRY.subn(_keep_label("[expiry removed]"), redacted)
    return Redaction(redacted, cards, codes, expiries)


def _keep_label(replacement: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        groups = match.groups()
        # Two alternatives (English, Chinese); keep whichever label and separator matched.
        half = len(groups) // 2
        label, separator = (groups[0], groups[1]) if groups[0] else (groups[half], groups[half + 1])
        return f"{label}{separator}{replacement}"

    return replace
