"""Small presentation helpers shared by every app's templates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@register.simple_tag
def when(value: datetime | None, zone: str = "UTC") -> SafeString:
    """An instant in the agreement's home zone, with the same instant in UTC beside it.

    Both are shown because a client reads its own local time while the provider's engines
    (and the audit log) work in UTC; showing one alone invites off-by-a-zone disputes."""
    if value is None:
        return format_html('<span class="muted">{}</span>', "—")
    utc = value.astimezone(UTC)
    home = _zone(zone)
    stamp = "%Y-%m-%d %H:%M"
    if home.key == "UTC":
        return format_html(
            '<time datetime="{}">{} <span class="zone">UTC</span></time>',
            utc.isoformat(),
            utc.strftime(stamp),
        )
    return format_html(
        '<time datetime="{}">{} <span class="zone">{}</span></time><span class="utc">{} UTC</span>',
        utc.isoformat(),
        value.astimezone(home).strftime(stamp),
        home.key,
        utc.strftime(stamp),
    )
