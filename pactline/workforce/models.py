"""Workforce records: who may work which client's programme.

Dates that bound a record (`certified_on`, `signed_on`, `expires_on`) are days of the client's
home time zone (the agreement in force says which); `expires_on` is the first day on which the
record no longer holds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.common.models import ClientOwned


class AgentCertification(ClientOwned):
    """An agent is trained and certified for one client's programme.

    One row per (client, agent): renewing updates the dates, revoking stamps `revoked_at`;
    the history is in the audit log."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_certifications",
        verbose_name=_("agent"),
    )
    certified_on = models.DateField(_("certified on"))
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("The first day it no longer holds.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="agent_certification_unique"),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("certified_on")),
                name="agent_certification_expires_after_start",
            ),
        ]
        ordering = ["client_id", "user_id"]
        verbose_name = _("agent certification")
        verbose_name_plural = _("agent certifications")

    def __str__(self) -> str:
        return f"{self.user} · {self.client}"


class ConfidentialityAgreement(ClientOwned):
    """An agent's signed confidentiality agreement (NDA) for a client, per document version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="confidentiality_agreements",
        verbose_name=_("agent"),
    )
    signed_on = models.DateField(_("signed on"))
    document_version = models.CharField(_("document version"), max_length=60)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("The first day it no longer holds.")
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "user", "document_version"],
                name="confidentiality_agreement_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("signed_on")),
                name="confidentiality_agreement_expires_after_signing",
            ),
        ]
        ordering = ["client_id", "user_id", "-signed_on"]
        verbose_name = _("confidentiality agreement")
        verbose_name_plural = _("confidentiality agreements")

    def __str__(self) -> str:
        return f"{self.user} · {self.client} · {self.document_version}"


class AgentRoutingState(ClientOwned):
    """When an agent was last given one of the client's cases: the round-robin pointer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_assigned_at = models.DateTimeField()
    assignments = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="agent_routing_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.client} · {self.last_assigned_at}"
