"""Role holders the tests need before they put agreements in force."""

from __future__ import annotations

from django.contrib.auth.models import User

from pactline.tenancy.models import Client, Membership, Role


def hold_escalation_roles(client: Client) -> None:
    """Someone supervises the client, so a version whose escalations hand cases to the
    supervisor can be put in force (activation refuses a role nobody holds)."""
    user, _ = User.objects.get_or_create(username=f"lead-{client.code}")
    Membership.objects.get_or_create(user=user, client=client, role=Role.SUPERVISOR)
