from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.redact import find_card_numbers, luhn_valid, mask_pan, redact_card_data


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
    text = "Order 4111111111111113, call +1 212 555 0175 or 400-820-8820, ticket 1234567890123"
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
    assert find_card_numbers(result.text) == []
    # Grouped, a 16-digit card number followed by a 3-digit group reads as card + security code
    # (how `4111 1111 1111 1111 737` is written), so the card shown may be a shorter window.
    assert result.cards == 1


# --- card numbers as people write them -------------------------------------------------------

VISA = "4111111111111111"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111 1111 1111 1111 737", "[card …1111] [security code removed]"),
        ("4111 1111 1111 1111 12/27", "[card …1111] [expiry removed]"),
        ("4111 1111 1111 1111 0927", "[card …1111] [expiry removed]"),
        ("order 55 4111 1111 1111 1111", "order 55 [card …1111]"),
        ("4111.1111.1111.1111", "[card …1111]"),
        ("4111  1111  1111  1111", "[card …1111]"),
        ("4111\u00a01111\u00a01111\u00a01111", "[card …1111]"),
        ("4111\u202f1111\u202f1111\u202f1111", "[card …1111]"),
        ("4111–1111–1111–1111", "[card …1111]"),
        ("4111—1111—1111—1111", "[card …1111]"),
        ("卡号４１１１ １１１１ １１１１ １１１１", "卡号[card …1111]"),
        ("card4111111111111111.", "card[card …1111]."),
        ("4111111111111111737", "[card …1111]"),
        ("4111 1111 1111 1111 5500 0000 0000 0004", "[card …1111] [card …0004]"),
        ("3400 000000 00009, cvv 1234", "[card …0009], cvv [security code removed]"),
    ],
)
def test_card_numbers_in_every_written_form(text: str, expected: str) -> None:
    result = redact_card_data(text)
    assert result.text == expected
    assert find_card_numbers(result.text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CVV number: 737", "CVV number: [security code removed]"),
        ("cvv737", "cvv[security code removed]"),
        ("CVV - 737", "CVV - [security code removed]"),
        ("CVV2 737", "CVV2 [security code removed]"),
        ("CVC is 0737", "CVC is [security code removed]"),
        ("the security code is 737", "the security code is [security code removed]"),
        ("card verification value 737", "card verification value [security code removed]"),
        ("安全码737", "安全码[security code removed]"),
        ("验证码：737", "验证码：[security code removed]"),
        ("CVV2是 737", "CVV2是 [security code removed]"),
        ("卡背后三位是737", "卡背后三位是[security code removed]"),
        ("背面三位数为 ７３７", "背面三位数为 [security code removed]"),
        ("有效期至2028年11月", "有效期至[expiry removed]"),
        ("valid thru 11/28", "valid thru [expiry removed]"),
    ],
)
def test_security_codes_and_expiry_in_every_wording(text: str, expected: str) -> None:
    result = redact_card_data(text)
    assert result.text == expected
    assert result.changed


def test_every_window_of_a_digit_run_is_checked_not_only_the_first_match() -> None:
    # 20 digits: no card at the start, a valid one at offset 4.
    text = f"ref 9999 {VISA}"
    assert redact_card_data(text).text == "ref 9999 [card …1111]"
    assert find_card_numbers(f"ref 9999{VISA}") != []
    assert find_card_numbers(redact_card_data(f"ref 9999{VISA}").text) == []


def test_an_agreed_display_applies_to_every_form() -> None:
    result = redact_card_data("4111.1111.1111.1111 737", display="bin_last4")
    assert result.text == "[card 411111…1111] [security code removed]"
    assert (result.cards, result.security_codes) == (1, 1)


def test_phone_numbers_failing_luhn_are_kept_whatever_their_separators() -> None:
    text = "call +86 138 0013 8001 or 010–8888–6666, order 55, 2026-12-06 23:10"
    assert find_card_numbers(text) == []
    assert redact_card_data(text).text == text


# --- properties ------------------------------------------------------------------------------

_SEPARATORS = [" ", "  ", ".", "-", "\u2013", "\u2014", "\u00a0", "\u202f", ""]
_CODE_WORDINGS = [
    "CVV {code}",
    "CVV: {code}",
    "CVV number: {code}",
    "cvv{code}",
    "CVV - {code}",
    "CVV2 {code}",
    "CVC {code}",
    "security code {code}",
    "security code is {code}",
    "安全码{code}",
    "安全码是{code}",
    "验证码：{code}",
    "CVV2为{code}",
    "卡背后三位{code}",
    "卡背后三位是 {code}",
    "背面三位数 {code}",
]
_WORDS = st.sampled_from(
    ["my card", "卡号是", "order 55", "请帮我", "thanks", "号码", "ref 12", "tel 400-820-8820", ""]
)


def _full_width(text: str) -> str:
    return text.translate({ord(str(n)): chr(0xFF10 + n) for n in range(10)})


@st.composite
def _pans(draw: st.DrawFn) -> str:
    length = draw(st.integers(min_value=13, max_value=19))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return _with_check_digit(body)


@st.composite
def _written(draw: st.DrawFn, pan: str) -> str:
    """A card number as someone might write it: grouped by 4 (or 4-6-5), any separator,
    maybe in full-width digits."""
    separator = draw(st.sampled_from(_SEPARATORS))
    if len(pan) == 15 and draw(st.booleans()):
        groups = [pan[:4], pan[4:10], pan[10:]]
    else:
        groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    written = separator.join(groups)
    return _full_width(written) if draw(st.booleans()) else written


@given(data=st.data(), pan=_pans(), code=st.from_regex(r"\A[0-9]{3,4}\Z"))
@settings(max_examples=300)
def test_no_card_number_or_code_survives_in_any_form_or_language(
    data: st.DataObject, pan: str, code: str
) -> None:
    written = data.draw(_written(pan))
    before = data.draw(_WORDS)
    after = data.draw(_WORDS)
    wording = data.draw(st.sampled_from(_CODE_WORDINGS))
    separator = data.draw(st.sampled_from([" ", "  ", "\u00a0", ".", "-"]))
    form = data.draw(st.sampled_from(["glued", "labelled"]))
    if form == "glued":
        # The security code in the same digit run as the card number.
        text = f"{before} {written}{separator}{code} {after}"
    else:
        text = f"{before} {written}，{wording.format(code=code)} {after}"
    result = redact_card_data(text)
    assert find_card_numbers(result.text) == []
    runs = _RUN.findall(result.text.translate(_ASCII))
    assert not any(pan in re.sub(r"[^0-9]", "", run) for run in runs)
    assert result.cards >= 1
    if form == "labelled":
        assert result.security_codes >= 1
        # `cvv2345` may read as label "CVV2" and code 345: either way the code is removed.
        assert "[security code removed]" in result.text


_RUN = re.compile(r"[0-9](?:[^0-9a-z\[\]…卡号,，]{0,3}[0-9])*")
_ASCII = {0xFF10 + n: str(n) for n in range(10)}


@given(
    text=st.text(
        alphabet=st.sampled_from([*"0123456789 .-–\u00a0abc卡号,", "\u202f", "１"]),
        max_size=80,
    )
)
@settings(max_examples=300)
def test_no_luhn_valid_window_survives_any_text(text: str) -> None:
    result = redact_card_data(text)
    assert find_card_numbers(result.text) == []
    # Idempotent: redacting stored text again changes nothing.
    assert redact_card_data(result.text).text == result.text


@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789 .-abc卡号,+()")),
        max_size=60,
    )
)
def test_text_without_a_luhn_valid_window_or_label_is_kept(text: str) -> None:
    if find_card_numbers(text):
        return
    assert redact_card_data(text).text == text
