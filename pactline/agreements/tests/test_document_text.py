"""A document whose text cannot be stored (NUL; an unpaired surrogate) is refused by field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pactline.agreements.documents import document_parse
from pactline.common.errors import ValidationFailed

EXAMPLE = (
    Path(__file__).resolve().parents[3] / "examples" / "agreements" / "general-outsourcing.yaml"
)


@pytest.mark.parametrize("value", ['"a\\u0000b"', '"a\\0b"', '"\\ud800"'])
def test_unstorable_text_is_refused_naming_the_field(value: str) -> None:
    text = re.sub(
        r"^title: .*$", lambda _m: "title: " + value, EXAMPLE.read_text(), count=1, flags=re.M
    )
    with pytest.raises(ValidationFailed) as refused:
        document_parse(text, "yaml")
    assert [error.path for error in refused.value.errors] == ["title"]


def test_the_example_itself_is_read() -> None:
    assert document_parse(EXAMPLE.read_text(), "yaml").title
