"""`pactline social_secret CLIENT`: the key a client's social integration signs webhooks with."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pactline.channels.social.signing import HEADER, social_webhook_secret
from pactline.tenancy.models import Client


class Command(BaseCommand):
    help = (
        "Print the webhook secret and URL of a client's social integration (it signs each body "
        f"with HMAC-SHA256 and sends `{HEADER}: sha256=<hex>`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("client", help="the client's code")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(f"no client with code {options['client']!r}")
        self.stdout.write(f"url:    /api/v1/social/{client.code}/messages")
        self.stdout.write(f"secret: {social_webhook_secret(client)}")
