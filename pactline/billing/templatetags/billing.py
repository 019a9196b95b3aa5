"""Money and credit reasons on billing pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from pactline.billing.presentation import EXCLUSION_KINDS, money_text, translated

register = template.Library()


@register.filter
def money(value: Decimal | int | str | None, currency: str = "") -> str:
    return money_text(value, currency)


@register.simple_tag
def reason(template_text: str, params: dict[str, Any]) -> str:
    return translated(template_text, params)


@register.filter
def exclusion_kind(kind: str) -> str:
    return str(EXCLUSION_KINDS.get(kind, kind))
