"""The idempotency mechanism's parts: what makes two requests the same, who sent them, how
long answers are kept, and answers that hold a secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.test.client import encode_multipart
from hypothesis import given
from hypothesis import strategies as st

from pactline.common.idempotency import (
    idempotency_purge,
    key_is_valid,
    request_fingerprint,
    request_owner,
)
from pactline.common.models import IdempotencyRecord

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
factory = RequestFactory()


def _multipart(boundary: str, fields: dict[str, str]) -> bytes:
    return encode_multipart(boundary, fields)


def _form_post(boundary: str, fields: dict[str, str], path: str = "/x/") -> str:
    request = factory.post(
        path,
        _multipart(boundary, fields),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    return request_fingerprint(request)


def test_a_form_sent_twice_is_the_same_request_whatever_its_boundary_and_csrf_token() -> None:
    fields = {"body": "Hello", "idempotency_key": "k1"}
    first = _form_post("BoUnDaRyAAA", fields | {"csrfmiddlewaretoken": "one"})
    second = _form_post("other-boundary-42", fields | {"csrfmiddlewaretoken": "two"})
    assert first == second
    assert _form_post("b", fields | {"body": "Hello!"}) != first
    assert _form_post("b", fields, path="/y/") != first
    assert _form_post("b", fields, path="/x/?a=1") != first


FIELD_NAMES = st.sampled_from(["body", "status", "priority", "reason", "first_contact"])
FIELD_VALUES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20)
BOUNDARIES = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=8, max_size=30
)


@given(st.dictionaries(FIELD_NAMES, FIELD_VALUES, min_size=1), BOUNDARIES, BOUNDARIES)
def test_a_form_is_the_same_request_in_any_encoding_and_another_when_a_field_changes(
    fields: dict[str, str], boundary: str, other_boundary: str
) -> None:
    multipart = _form_post(boundary, fields)
    assert _form_post(other_boundary, fields) == multipart
    form_type = "application/x-www-form-urlencoded"
    urlencoded = factory.post("/x/", urlencode(fields), content_type=form_type)
    reordered = urlencode(list(reversed(list(fields.items()))))
    urlencoded_same = factory.post("/x/", reordered, content_type=form_type)
    assert request_fingerprint(urlencoded) == request_fingerprint(urlencoded_same) == multipart
    name = next(iter(fields))
    assert _form_post(boundary, fields | {name: fields[name] + "!"}) != multipart


def test_uploaded_files_count_by_content() -> None:
    def upload(content: bytes) -> str:
        request = factory.post("/upload/", {"file": _file(content), "idempotency_key": "k"})
        return request_fingerprint(request)

    assert upload(b"phone\n+12125550101\n") == upload(b"phone\n+12125550101\n")
    assert upload(b"phone\n+12125550101\n") != upload(b"phone\n+12125550102\n")


def _file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.csv", content, content_type="text/csv")


def test_a_json_body_is_compared_byte_for_byte_with_its_method() -> None:
    post = factory.post("/api/v1/x", b'{"a": 1}', content_type="application/json")
    same = factory.post("/api/v1/x", b'{"a": 1}', content_type="application/json")
    put = factory.put("/api/v1/x", b'{"a": 1}', content_type="application/json")
    other = factory.post("/api/v1/x", b'{"a": 2}', content_type="application/json")
    assert request_fingerprint(post) == request_fingerprint(same)
    assert len({request_fingerprint(r) for r in (post, put, other)}) == 3


@given(st.text(max_size=250))
def test_a_key_is_at_most_200_visible_ascii_characters(key: str) -> None:
    expected = len(key) <= 200 and all(33 <= ord(char) <= 126 for char in key)
    assert key_is_valid(key) is expected


@pytest.mark.django_db
def test_the_sender_is_the_token_the_user_or_the_address() -> None:
    user = User.objects.create_user("someone")
    bearer = factory.post("/api/v1/x", HTTP_AUTHORIZATION="Bearer pl_secret")
    bearer.user = user
    assert request_owner(bearer).startswith("token:")
    assert "pl_secret" not in request_owner(bearer)
    signed_in = factory.post("/x/")
    signed_in.user = user
    assert request_owner(signed_in) == f"user:{user.pk}"
    anonymous = factory.post("/x/", REMOTE_ADDR="203.0.113.9")
    anonymous.user = AnonymousUser()
    assert request_owner(anonymous) == "anon:203.0.113.9"


@pytest.mark.django_db
def test_records_expire_after_a_day_and_secrets_after_five_minutes() -> None:
    def record(key: str, age: timedelta, *, secret: bool = False) -> None:
        IdempotencyRecord.objects.create(
            owner="user:1",
            key=key,
            request_hash="0" * 64,
            created_at=NOW - age,
            status_code=200,
            secret=secret,
        )

    record("fresh", timedelta(hours=23, minutes=59))
    record("old", timedelta(hours=24, seconds=1))
    record("fresh-secret", timedelta(minutes=4), secret=True)
    record("old-secret", timedelta(minutes=6), secret=True)
    assert idempotency_purge(now=NOW) == 2
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == [
        "fresh",
        "fresh-secret",
    ]
