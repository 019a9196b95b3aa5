"""The provider, its clients, who may act for which client in which role, and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVIDER_ADMIN = "provider_admin", _("Provider admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    QA_ANALYST = "qa_analyst", _("QA analyst")
    WORKFORCE_PLANNER = "workforce_planner", _("Workforce planner")
    BILLING = "billing", _("Billing")
    CLIENT_MANAGER = "client_manager", _("Client manager")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")


CLIENT_ROLES = frozenset({Role.CLIENT_MANAGER, Role.CLIENT_VIEWER})


class Provider(models.Model):
    """The one care provider that runs this installation."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="provider_singleton")]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A role a user holds, for one client or (client empty) for every client of the provider."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client", "role"],
                condition=models.Q(client__isnull=False),
                name="membership_unique_per_client",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(client__isnull=True),
                name="membership_unique_provider_wide",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(CLIENT_ROLES)) | models.Q(client__isnull=False),
                name="membership_client_roles_need_client",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]),
                name="membership_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.client or '*'}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class TokenRefusal(models.TextChoices):
    """Why a known token is refused (stored in the audit log: stable codes)."""

    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    CREATOR_INACTIVE = "creator_inactive", _("Creator deactivated")
    MEMBERSHIP_LOST = "membership_lost", _("Creator lost the role")


class ApiToken(models.Model):
    """A client-scoped API credential acting with its creator's roles for that client.

    Only a SHA-256 digest is kept: the token has 256 bits of entropy, so a slow hash adds
    nothing, and a digest lets each request find its token with one indexed lookup.

    A token works only while its creator is active and still holds the membership it was
    issued under (`membership`, emptied when that membership is removed), and until
    `expires_at` when one was chosen."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=8, choices=TokenScope.choices)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("issued under"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def refusal(self, now: datetime) -> TokenRefusal | None:
        """Why the token may not be used at `now`, or None when it may.

        Reads `created_by` and `membership`: select them with the token."""
        if self.revoked_at is not None:
            return TokenRefusal.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return TokenRefusal.EXPIRED
        if not self.created_by.is_active:
            return TokenRefusal.CREATOR_INACTIVE
        membership = self.membership
        if (
            membership is None
            or membership.user_id != self.created_by_id
            or membership.client_id not in (None, self.client_id)
        ):
            return TokenRefusal.MEMBERSHIP_LOST
        return None
