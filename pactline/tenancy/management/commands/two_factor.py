from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from pactline.tenancy.access import system_actor
from pactline.tenancy.two_factor import totp_reset


class Command(BaseCommand):
    help = (
        "Two-factor sign-in. `two_factor reset USERNAME` removes the user's authenticator "
        "(a lost phone), audited; they set up a new one at their next sign-in."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["reset"])
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        removed = totp_reset(actor=system_actor("two_factor"), user=user)
        if removed:
            self.stdout.write(f"{user.username}: two-factor sign-in reset")
        else:
            self.stdout.write(f"{user.username}: had no authenticator (nothing changed)")
