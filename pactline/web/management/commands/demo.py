from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pactline.web.demo import demo_load


class Command(BaseCommand):
    help = "Load the example agreements as clients and create one demo user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in demo_load():
            self.stdout.write(line)
