"""Agreements and their effective-dated, immutable-once-active versions."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.agreements.terms import terms_of
from pactline.common.fields import OrderedJSONField
from pactline.common.models import ClientOwned
from pactline.core.agreement import AgreementDocument


class Agreement(ClientOwned):
    reference = models.CharField(_("reference"), max_length=80)
    title = models.CharField(_("title"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "reference"], name="agreement_reference_unique"
            )
        ]
        ordering = ["client_id", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")


ACTIVATED = (VersionStatus.ACTIVE, VersionStatus.SUPERSEDED)
_FROZEN_FIELDS = ("document", "source_text", "content_hash", "requested_effective_on")


class AgreementVersion(ClientOwned):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    document = OrderedJSONField()
    source_text = models.TextField()
    source_format = models.CharField(max_length=4)
    content_hash = models.CharField(max_length=64)
    home_timezone = models.CharField(max_length=64)
    requested_effective_on = models.DateField()
    effective_from = models.DateTimeField(null=True, blank=True)
    notice_days = models.PositiveIntegerField(default=0)
    earliest_effective_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.CharField(max_length=150, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.CharField(max_length=150, blank=True)
    # The change control of the version in force when this one was proposed binds it.
    acceptance_required = models.BooleanField(default=False)
    override_permitted = models.BooleanField(default=False)
    # Set when the provider put the version in force without the client's acceptance.
    acceptance_override_reason = models.TextField(blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.CharField(max_length=150, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "agreement", "number"], name="agreement_version_number_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[s.value for s in ACTIVATED])
                | models.Q(effective_from__isnull=False),
                name="agreement_version_activated_has_effective_from",
            ),
        ]
        indexes = [models.Index(fields=["client", "status", "effective_from"])]
        ordering = ["agreement_id", "number"]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number} ({self.status})"

    @property
    def terms(self) -> AgreementDocument:
        """The validated, typed document (cached per version and content): the only way other
        apps read what the agreement says."""
        return terms_of(self)

    _loaded: dict[str, Any]

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Any, values: Any, **kwargs: Any
    ) -> AgreementVersion:
        instance = super().from_db(db, field_names, values, **kwargs)
        # Deferred fields are absent from __dict__; reading them here would load them.
        instance._loaded = {
            name: instance.__dict__[name]
            for name in ("status", *_FROZEN_FIELDS)
            if name in instance.__dict__
        }
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Guard without I/O: compare with the values this row was loaded with.
        loaded: dict[str, Any] = getattr(self, "_loaded", {})
        if loaded.get("status") in ACTIVATED:
            changed = [
                name
                for name in _FROZEN_FIELDS
                if name in loaded and loaded[name] != self.__dict__.get(name)
            ]
            if changed:
                raise TypeError(
                    f"an activated agreement version is immutable ({', '.join(changed)})"
                )
        super().save(*args, **kwargs)
