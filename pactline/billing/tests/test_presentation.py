"""Credit reasons as people read them: the core's English template, translated, with the kind
of an approved exclusion named in words."""

from __future__ import annotations

from django.utils import translation

from pactline.billing.presentation import result_text, translated

EXCLUDED = "{level} missed, excluded ({kind}: {why}; approved by {approver}): no credit"
PARAMS = {"level": "phone.answer_within", "kind": "client_caused, force_majeure", "why": "Storm"}


def test_an_exclusion_names_its_kinds_in_words_in_english_and_chinese() -> None:
    params = {**PARAMS, "approver": "client:jane"}
    with translation.override("en"):
        assert translated(EXCLUDED, params) == (
            "phone.answer_within missed, excluded (client-caused, force majeure: Storm;"
            " approved by client:jane): no credit"
        )
    with translation.override("zh-hans"):
        text = translated(EXCLUDED, params)
    assert "客户原因, 不可抗力" in text and "client_caused" not in text


def test_a_result_reads_to_two_decimals_half_up() -> None:
    assert result_text("87.46992411623172311678697020173977") == "87.47"
    assert result_text("71.5") == "71.50"
    assert result_text("2.345") == "2.35"
    assert result_text(None) == ""
