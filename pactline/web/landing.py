"""Where each role lands after signing in: on its work, not on a page of everything.

A supervisor watches the wallboard, an agent works its queue, billing closes months; the
provider's admin, the client's users (their portal) and those whose work has no page of its
own start on the home page. The checks are the same access functions the pages call."""

from __future__ import annotations

from django.urls import reverse

from pactline.billing.access import can_manage_billing
from pactline.metrics.access import can_watch_wallboard
from pactline.tenancy.access import Actor, is_client_side, is_provider_admin
from pactline.web.console.access import can_use_console


def landing_url(actor: Actor) -> str:
    if is_provider_admin(actor) or is_client_side(actor):
        return reverse("home")
    if can_watch_wallboard(actor):
        return reverse("metrics:wallboard-overview")
    if can_use_console(actor):
        return reverse("console:queue")
    if can_manage_billing(actor):
        return reverse("billing:workspace")
    return reverse("home")
