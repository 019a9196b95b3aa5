"""The API's input types and JSON body limits, without HTTP."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from pactline.common.errors import ValidationFailed
from pactline.common.inputs import INSTANT_MAX, INSTANT_MIN, Day, Instant, QueryInstant, SafeStr
from pactline.common.json_input import MAX_DEPTH, json_loads_checked


class Sample(BaseModel):
    text: SafeStr = ""
    at: QueryInstant | None = None
    aware: Instant | None = None
    day: Day | None = None


def _locs(**data: object) -> list[tuple[object, ...]]:
    with pytest.raises(ValidationError) as raised:
        Sample.model_validate(data)
    return [tuple(error["loc"]) for error in raised.value.errors()]


def test_text_refuses_nul_and_unpaired_surrogates() -> None:
    assert _locs(text="a\x00b") == [("text",)]
    assert _locs(text="\ud800") == [("text",)]
    assert _locs(text="x\udfff") == [("text",)]
    assert Sample(text="华信 😀 ok").text == "华信 😀 ok"


def test_instants_are_bounded_and_given_in_utc() -> None:
    for at in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z",
               "2100-01-01T00:00:00Z", "0001-01-01T00:00:00+20:01", "9999-12-31T23:59:59-20:00"):  # fmt: skip
        assert _locs(at=at) == [("at",)], at
        assert _locs(aware=at) == [("aware",)], at
    sample = Sample.model_validate({"at": "2026-03-02T09:00:00+20:01"})
    assert sample.at == datetime(2026, 3, 1, 12, 59, tzinfo=UTC)
    assert sample.at is not None and sample.at.utcoffset() == timedelta(0)
    assert Sample.model_validate({"at": "2026-03-02T09:00:00"}).at == datetime(
        2026, 3, 2, 9, tzinfo=UTC
    )  # no offset: UTC
    assert _locs(aware="2026-03-02T09:00:00") == [("aware",)]
    assert Sample(at=INSTANT_MIN).at == INSTANT_MIN
    assert _locs(at=INSTANT_MAX) == [("at",)]


@given(st.datetimes(timezones=st.just(timezone(timedelta(hours=23, minutes=59)))))
def test_any_instant_is_either_in_the_window_or_refused(value: datetime) -> None:
    try:
        sample = Sample(at=value)
    except ValidationError as error:
        assert [e["loc"] for e in error.errors()] == [("at",)]
    else:
        assert sample.at is not None
        assert INSTANT_MIN <= sample.at < INSTANT_MAX and sample.at.tzinfo is UTC


def test_days_are_bounded() -> None:
    assert _locs(day="0001-01-01") == [("day",)]
    assert _locs(day="9999-12-31") == [("day",)]
    assert Sample(day=date(2026, 3, 1)).day == date(2026, 3, 1)


def _problems(body: str | bytes) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as raised:
        json_loads_checked(body)
    return [(error.path, error.message) for error in raised.value.errors]


def test_json_depth_is_capped() -> None:
    inside = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert json_loads_checked(inside) is not None
    deeper = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert _problems(deeper) == [("body", "nested more than 64 levels deep")]
    assert _problems("[" * 200_000) == [("body", "nested more than 64 levels deep")]
    nested_objects = '{"a":' * 70 + "1" + "}" * 70
    assert _problems(nested_objects) == [("body", "nested more than 64 levels deep")]


def test_json_text_is_checked_everywhere_with_its_path() -> None:
    body = '{"a": [1, {"b": "\\u0000"}], "c": "\\ud800", "\\udc00": 1, "ok": "\\ud83d\\ude00"}'
    assert [path for path, _message in _problems(body)] == ["body", "a.1.b", "c"]
    assert json_loads_checked('"\\ud83d\\ude00"') == "😀"


def test_not_json_is_named() -> None:
    assert _problems(b"\xff")[0][0] == "body"
    assert _problems("{")[0][0] == "body"


JSON = st.recursive(
    st.none() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(JSON)
def test_json_without_nul_comes_back_unchanged(value: object) -> None:
    """Hypothesis' text has no surrogates; a NUL anywhere (key or value) is refused."""
    text = json.dumps(value)
    if any("\x00" in text for text in _strings(value)):
        with pytest.raises(ValidationFailed):
            json_loads_checked(text)
    else:
        assert json_loads_checked(text) == value


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (key, *_strings(item))]
    return []
