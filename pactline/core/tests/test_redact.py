from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from pactline.core.redact import luhn_valid, mask_pan, redact_card_data


def _with_check_digit(body: str) -> str:
    for digit in "0123456789":
        if luhn_valid(body + digit):
            return body + digit
    raise AssertionError("unreachable")


def test_known_test_cards_are_masked_to_last_four() -> None:
    result = redact_card_data(
        "Card 4111 1111 1111 1111, also 5500-0000-0000-0004 and 340000000000009."
    )
    assert result.text == "Card [card …1111], also [card …0004] and [card …0009]."
    assert result.cards == 3


def test_bin_and_last_four_at_most() -> None:
    assert redact_card_data("4111111111111111", display="bin_last4").text == "[card 411111…1111]"
    assert mask_pan("4111111111111111", "none") == "[card]"


def test_numbers_failing_luhn_and_phone_numbers_are_kept() -> None:
    text = "Order 4111111111111112, call +1 212 555 0175 or 400-820-8820, ticket 1234567890123"
    assert redact_card_data(text).text == text
    assert not redact_card_data(text).changed


def test_security_codes_and_expiry_are_removed_in_english_and_chinese() -> None:
    result = redact_card_data("CVV: 123, expiry 09/27. 安全码是 456，有效期至 11/2028")
    assert result.text == (
        "CVV: [security code removed], expiry [expiry removed]. "
        "安全码是 [security code removed]，有效期至 [expiry removed]"
    )
    assert (result.security_codes, result.expiry_dates) == (2, 2)


def test_plain_three_digit_numbers_are_not_codes() -> None:
    text = "Room 123, 3 items at 09/12 delivery"
    assert redact_card_data(text).text == text


@given(
    length=st.integers(min_value=13, max_value=19),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    prefix=st.text(alphabet="abc xyz,.:", max_size=20),
    suffix=st.text(alphabet="abc xyz,.:", max_size=20),
    grouped=st.booleans(),
)
def test_any_luhn_valid_number_never_survives(
    length: int, seed: int, prefix: str, suffix: str, grouped: bool
) -> None:
    rng = random.Random(seed)
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(length - 2))
    pan = _with_check_digit(body)
    shown = " ".join(pan[i : i + 4] for i in range(0, len(pan), 4)) if grouped else pan
    result = redact_card_data(f"{prefix} {shown} {suffix}")
    assert pan not in result.text.replace(" ", "")
    assert result.text.count(f"…{pan[-4:]}]") == 1
