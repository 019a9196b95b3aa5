"""The raw source as stored: card data out of every text part and header, in any charset and
transfer encoding, and otherwise the same message."""

from __future__ import annotations

import base64
import quopri

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.channels.email.parsing import parse_email
from pactline.channels.email.redaction import redact_source
from pactline.core.redact import luhn_valid, redact_card_data

WORDS = st.text(
    alphabet=st.sampled_from("abcdefghij klmnop 退款订单 éàü,."), min_size=0, max_size=40
)


def _pan(prefix: str) -> str:
    """A Luhn-valid 16-digit number starting with `prefix` (padded with zeros)."""
    body = (prefix + "0" * 15)[:15]
    check = next(digit for digit in "0123456789" if luhn_valid(body + digit))
    return body + check


def _message(subject: str, text: str, charset: str, cte: str) -> bytes:
    data = text.encode(charset)
    if cte == "base64":
        payload = base64.encodebytes(data)
    elif cte == "quoted-printable":
        payload = quopri.encodestring(data)
    else:
        payload = data
    return (
        b"From: Maria <maria@example.com>\r\n"
        b"To: care@northwind-retail.example\r\n"
        b"Subject: " + subject.encode("ascii") + b"\r\n"
        b"Message-ID: <p-1@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\n"
        b'Content-Type: text/plain; charset="' + charset.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + payload + b"\r\n"
        b"--b\r\n"
        b"Content-Type: image/png\r\n"
        b'Content-Disposition: attachment; filename="x.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"iVBORw0KGgo=\r\n"
        b"--b--\r\n"
    )


@settings(max_examples=60, deadline=None)
@given(
    before=WORDS,
    after=WORDS,
    prefix=st.sampled_from(["4", "51", "37", "6011"]),
    grouped=st.booleans(),
    charset_cte=st.sampled_from(
        [
            ("utf-8", "quoted-printable"),
            ("utf-8", "base64"),
            ("utf-8", "8bit"),
            ("gb18030", "base64"),
        ]
    ),
)
def test_no_card_number_or_security_code_survives_in_any_encoding(
    before: str, after: str, prefix: str, grouped: bool, charset_cte: tuple[str, str]
) -> None:
    pan = _pan(prefix)
    written = " ".join(pan[i : i + 4] for i in range(0, 16, 4)) if grouped else pan
    text = f"{before} card {written} CVV 737 {after}"
    raw = _message(f"Card {written}", text, *charset_cte)

    stored = redact_source(raw)

    assert stored.found >= 3
    parsed = parse_email(stored.content)
    for value in (parsed.subject, parsed.text, stored.content.decode("latin-1")):
        assert pan not in value.replace(" ", "").replace("\r\n", "")
        assert "CVV 737" not in value
    assert "card [card …" + pan[-4:] + "] CVV [security code removed]" in parsed.text
    assert parsed.text == redact_card_data(parse_email(raw).text).text
    assert parsed.subject == f"Card [card …{pan[-4:]}]"
    assert parsed.message_id == "p-1@example.com"
    assert [item.content for item in parsed.attachments] == [
        item.content for item in parse_email(raw).attachments
    ]


@pytest.mark.parametrize("raw", [b"", b"\x00\xff not mail", b"Subject: hello\r\n\r\nno card\r\n"])
def test_a_source_without_card_data_is_returned_unchanged(raw: bytes) -> None:
    assert redact_source(raw).content == raw
    assert redact_source(raw).found == 0


def test_bytes_that_are_not_mime_are_still_redacted_as_text() -> None:
    raw = b"\x00\x01 garbage 4111 1111 1111 1111 CVV 737 \xff\xfe\r\n"
    stored = redact_source(raw)
    assert b"4111 1111 1111 1111" not in stored.content and b"737" not in stored.content
    assert stored.content.startswith(b"\x00\x01 garbage [card") and stored.content.endswith(
        b"\xff\xfe\r\n"
    )
