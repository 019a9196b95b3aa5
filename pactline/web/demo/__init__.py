"""Demo data: the example agreements as four clients, a user per role, and every channel at
work: a month of calls imported from generated queue_log files, customer mail received over
SMTP, chats, social messages, call recordings with a client's request for one, and an outbound
survey campaign. Everything goes through the services, as of the moment it happened, so
timelines, clocks and the audit log are real.

`demo_load` is safe to run again: what is there already is left alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.loading import agreement_file_load
from pactline.agreements.selectors import agreement_version_in_force
from pactline.cases.clocks import clocks_fire_due
from pactline.cases.demo import demo_cases
from pactline.tenancy.access import Actor, system_actor
from pactline.tenancy.models import Client
from pactline.tenancy.services import provider_ensure
from pactline.web.demo.billing import demo_billing_load
from pactline.web.demo.chats import demo_chats_load
from pactline.web.demo.mail import demo_mail_load
from pactline.web.demo.measurements import demo_measurements_load, demo_reports_load
from pactline.web.demo.outbound import demo_campaign_load
from pactline.web.demo.recordings import demo_recordings_load
from pactline.web.demo.social import demo_social_load
from pactline.web.demo.users import (
    DEMO_USERS,
    DemoUser,
    demo_agents_certify,
    demo_users_ensure,
)
from pactline.web.demo.voice import demo_calls_load, loaded_line
from pactline.web.serving import serve_url

__all__ = ["DEMO_USERS", "DemoOptions", "DemoUser", "demo_load"]

EXAMPLES_DIR = Path(settings.BASE_DIR) / "examples" / "agreements"


@dataclass(frozen=True)
class DemoOptions:
    """`call_days`: generate only the last N days of calls (None: the last full month and
    this month to date); `call_scale` multiplies the calls per day; `channels=False` loads
    only the agreements, users and cases (quick tests)."""

    now: datetime | None = None
    call_days: int | None = None
    call_scale: float = 1.0
    channels: bool = True


def demo_load(*, actor: Actor | None = None, options: DemoOptions | None = None) -> list[str]:
    """Load the examples, users and demo contacts; returns lines to print. Safe to run again."""
    actor = actor or system_actor("demo")
    options = options or DemoOptions()
    now = options.now or timezone.now()
    provider_ensure(name=settings.PACTLINE_PROVIDER_NAME)
    # The clients come from the agreements and the users' roles are for those clients, while
    # an agreement goes in force only once someone holds the roles its escalations hand cases
    # to: store the agreements, create the users, then put the agreements in force.
    paths = sorted(EXAMPLES_DIR.glob("*.yaml"))
    for path in paths:
        agreement_file_load(actor=actor, path=path, fmt=None, activate=False)
    users = demo_users_ensure(actor=actor, path=Path(settings.VAR_DIR) / "demo-credentials.txt")
    lines = [agreement_file_load(actor=actor, path=path, fmt=None, activate=True) for path in paths]
    demo_agents_certify(actor=actor, now=now)
    lines += demo_cases(now=now, actor=actor)
    if options.channels:
        lines += _channels(actor, now, options)
    lines.append("")
    lines.append(_("Sign in at %(url)s with:") % {"url": f"{serve_url()}login/"})
    for demo, password, scope in users:
        lines.append(f"  {demo.role.value:<18} {demo.username:<15} {password:<14} ({scope})")
    return lines


def _channels(actor: Actor, now: datetime, options: DemoOptions) -> list[str]:
    lines: list[str] = []
    clients = list(Client.objects.order_by("code"))
    for client in clients:
        version = agreement_version_in_force(client, now)
        if version is None:
            continue
        loaded = demo_calls_load(
            actor=actor,
            client=client,
            version=version,
            now=now,
            days=options.call_days,
            scale=options.call_scale,
        )
        if loaded is not None:
            lines.append(loaded_line(loaded))
    lines += demo_recordings_load(clients=clients, now=now)
    lines += demo_mail_load(clients=clients, now=now)
    lines += demo_chats_load(clients=clients, now=now)
    lines += demo_social_load(clients=clients, now=now)
    lines += demo_campaign_load(clients=clients, now=now)
    # What fell due between the last steps and now: what the clock loop does live.
    tick = clocks_fire_due(now=now)
    lines.append(
        _("clocks: %(count)d SLA event(s) recorded up to now") % {"count": len(tick.events)}
    )
    lines += demo_measurements_load(actor=actor, clients=clients, now=now)
    lines += demo_billing_load(actor=actor, clients=clients, now=now)
    lines += demo_reports_load(actor=actor, clients=clients, now=now)
    return lines
