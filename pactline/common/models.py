"""Base model pieces shared by every app."""

from __future__ import annotations

from django.db import models


class ClientOwned(models.Model):
    """A row that belongs to one client; `client_id` is never null (isolation and shard key)."""

    client = models.ForeignKey("tenancy.Client", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
