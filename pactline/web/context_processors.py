from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pactline.billing.access import can_manage_billing, can_view_billing
from pactline.cases.access import can_read_cases, can_watch_at_risk
from pactline.channels.chat.access import can_use_chat_desk
from pactline.metrics.access import can_watch_wallboard
from pactline.privacy.access import can_use_materials_desk
from pactline.tenancy.access import (
    Permission,
    has_permission,
    is_client_side,
    is_provider_admin,
)
from pactline.tenancy.http import request_actor
from pactline.tenancy.selectors import client_list
from pactline.web.console.access import can_use_console, can_watch_queues


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu offers a page only when the check that page's view makes lets the user in: each
    `nav_can_*` is the same access function the view calls, so the two cannot disagree."""
    actor = request_actor(request)
    client_side = is_client_side(actor)
    # Portal users normally act for one client: link straight to it instead of a one-row list.
    nav_client = None
    if client_side:
        clients = list(client_list(actor=actor)[:2])
        nav_client = clients[0] if len(clients) == 1 else None
    return {
        "actor": actor,
        "nav_is_client_side": client_side,
        "nav_is_provider_admin": is_provider_admin(actor),
        # Cases and campaigns: not for billing, nor for anyone without a role (e.g. an agent not
        # yet cleared for any client).
        "nav_can_read_cases": can_read_cases(actor),
        "nav_can_watch_at_risk": can_watch_at_risk(actor),
        "nav_can_watch_queues": can_watch_queues(actor),
        "nav_can_use_console": can_use_console(actor),
        "nav_can_use_chat_desk": can_use_chat_desk(actor),
        "nav_can_use_materials_desk": can_use_materials_desk(actor),
        "nav_can_watch_wallboard": can_watch_wallboard(actor),
        "nav_client": nav_client,
        # Billing: the workspace for those who close months, the client's billing otherwise.
        "nav_can_manage_billing": can_manage_billing(actor),
        "nav_can_view_client_billing": nav_client is not None
        and has_permission(actor, Permission.BILLING_VIEW, nav_client.id),
        "nav_can_view_billing": can_view_billing(actor),
        "nav_can_manage_tokens": nav_client is not None
        and has_permission(actor, Permission.TOKEN_MANAGE, nav_client.id),
    }
