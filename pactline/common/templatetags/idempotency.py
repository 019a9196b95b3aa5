"""`{% idempotency_key %}`: the hidden field that makes a form's double submit change nothing.

A builtin (settings `TEMPLATES`), so a form needs no `{% load %}`: put it beside
`{% csrf_token %}` in every state-changing form. Each rendering gets a fresh key; sending the
same rendered form twice sends the same key (`pactline.common.idempotency`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pactline.common.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag
def idempotency_key() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
