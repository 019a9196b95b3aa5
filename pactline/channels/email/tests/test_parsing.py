"""MIME parsing on bytes: charsets, encoded and raw headers, structure, threading ids."""

from __future__ import annotations

import base64

import pytest

from pactline.channels.email.parsing import (
    UnparseableEmail,
    decode_bytes,
    decode_header_value,
    message_ids,
    parse_email,
)
from pactline.channels.email.tests.conftest import eml


def _b64(text: str, codec: str) -> str:
    return base64.b64encode(text.encode(codec)).decode()


def test_gb2312_labelled_gbk_text_is_decoded_with_the_superset() -> None:
    # 镕 (U+9555) exists in GBK but not in GB2312; strict gb2312 would lose it.
    header = f"=?gb2312?B?{_b64('朱镕基路 88 号', 'gbk')}?="
    assert decode_header_value(header) == "朱镕基路 88 号"
    assert decode_bytes("镕".encode("gbk"), "GB2312") == ("镕", "")


def test_encoded_words_mixed_with_plain_text_and_folded() -> None:
    value = f"Re: =?utf-8?B?{_b64('退款', 'utf-8')}?=\r\n =?utf-8?Q?=E9=97=AE=E9=A2=98?= [Case #12]"
    assert decode_header_value(value) == "Re: 退款问题 [Case #12]"


def test_raw_8bit_gbk_header_bytes_are_recovered() -> None:
    raw = b"From: a@example.cn\r\nTo: care@northwind-retail.example\r\nSubject: "
    raw += "发票抬头修改".encode("gbk") + b"\r\nMessage-ID: <raw8@example.cn>\r\n\r\nbody\r\n"
    assert parse_email(raw).subject == "发票抬头修改"


def test_raw_8bit_utf8_headers_are_utf8() -> None:
    raw = "From: José <jose@example.es>\r\nSubject: Reembolso señor\r\n\r\nhola\r\n".encode()
    parsed = parse_email(raw)
    assert (parsed.subject, parsed.from_name) == ("Reembolso señor", "José")


def test_unknown_charsets_fall_back_and_are_noted() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: x\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\ncaf\xc3\xa9\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text == "café"
    assert "unknown charset 'x-no-such-charset'" in parsed.defects


def test_unlabelled_8bit_body_is_utf8_else_windows_latin() -> None:
    assert decode_bytes("naïve".encode(), None) == ("naïve", "")
    assert decode_bytes("naïve".encode("cp1252"), None) == ("naïve", "")


def test_threading_ids_nearest_first_and_without_brackets() -> None:
    parsed = parse_email(eml("reply_in_reply_to.eml"))
    assert parsed.thread_ids == ("CAF3k9Qp7x2=ord48213@mail.example.com",)
    assert message_ids("<a@x> <b@y>\r\n <c@z>") == ["a@x", "b@y", "c@z"]
    assert message_ids("bare-id@example.com") == ["bare-id@example.com"]
    raw = (
        b"From: a@example.com\r\nMessage-ID: <4@x>\r\nIn-Reply-To: <3@x>\r\n"
        b"References: <1@x> <2@x> <3@x>\r\n\r\nhi\r\n"
    )
    assert parse_email(raw).thread_ids == ("3@x", "2@x", "1@x")


def test_forwarded_messages_stay_whole_as_attachments() -> None:
    inner = eml("plain.eml")
    raw = (
        b"From: a@example.com\r\nSubject: Fwd: lamp\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        b"Content-Type: text/plain\r\n\r\nSee below.\r\n--b1\r\n"
        b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b1--\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text == "See below."
    [forwarded] = parsed.attachments
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "forwarded-1.eml"
    assert b"Order NW-48213 arrived damaged" in forwarded.content


def test_attachment_names_are_decoded_and_stripped_of_paths() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?B?'
        + _b64("..\\..\\发票.pdf", "utf-8").encode()
        + b'?="\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b\r\n'
        b"Content-Type: application/vnd.ms-excel\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"AAEC\r\n--b--\r\n"
    )
    named, unnamed = parse_email(raw).attachments
    assert (named.filename, named.content) == ("发票.pdf", b"\x00\x01\x02")
    assert unnamed.filename == "attachment-2.xls"


def test_auto_replies_are_flagged() -> None:
    raw = b"From: a@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nx\r\n"
    assert parse_email(raw).auto_submitted
    assert not parse_email(eml("plain.eml")).auto_submitted


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty message"),
        (b"\x00\x01binary\r\n", "no message headers"),
        (b"X-Whatever: 1\r\n\r\nbody", "no message headers"),
        (eml("malformed_boundary.eml"), "StartBoundaryNotFoundDefect"),
        (
            b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary given\r\n",
            "NoBoundaryInMultipartDefect",
        ),
    ],
)
def test_what_cannot_be_trusted_is_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(UnparseableEmail) as refused:
        parse_email(raw)
    assert reason in refused.value.detail
