"""Admin for workforce records. Every save goes through the services (audited, idempotent);
nothing is deleted here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pactline.common.admin import ReadOnlyAdmin
from pactline.common.errors import DomainError
from pactline.tenancy.access import Actor, actor_for_user
from pactline.workforce.access import agents_of, can_manage
from pactline.workforce.models import (
    AgentCertification,
    AgentRoutingState,
    ConfidentialityAgreement,
)
from pactline.workforce.services import (
    agent_certification_revoke,
    agent_certify,
    confidentiality_agreement_record,
)


class _ActorForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that knows who saves it and checks the client and agent up front."""

    actor: Actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        client = data.get("client") or getattr(self.instance, "client", None)
        if client is not None and not can_manage(self.actor, client.id):
            self.add_error(None, _("You may not manage this client's workforce records."))
        user = data.get("user")
        if (
            client is not None
            and user is not None
            and not agents_of(client).filter(pk=user.pk).exists()
        ):
            self.add_error("user", _("This user is not an agent of the client."))
        return data


class _ServiceAdmin[M: Model](admin.ModelAdmin[M]):
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = actor_for_user(request.user)  # type: ignore[attr-defined] # a fresh class
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["client", "user"] if obj is not None else []

    @staticmethod
    def _adopt(obj: Model, saved: Model) -> None:
        """Point the admin's object at the row the service wrote (for the redirect)."""
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(AgentCertification)
class AgentCertificationAdmin(_ServiceAdmin[AgentCertification]):
    form = _ActorForm
    fields = ["client", "user", "certified_on", "expires_on"]
    list_display = ["user", "client", "certified_on", "expires_on", "revoked_at"]
    list_filter = ["client"]
    actions = ["revoke"]

    def save_model(
        self, request: HttpRequest, obj: AgentCertification, form: ModelForm[Any], change: bool
    ) -> None:
        saved = agent_certify(
            actor=actor_for_user(request.user),
            client=obj.client,
            user=obj.user,
            certified_on=obj.certified_on,
            expires_on=obj.expires_on,
        )
        self._adopt(obj, saved)

    @admin.action(description=gettext_lazy("Revoke the selected certifications"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AgentCertification]) -> None:
        actor = actor_for_user(request.user)
        done = 0
        for certification in queryset.select_related("user"):
            try:
                agent_certification_revoke(actor=actor, certification=certification)
            except DomainError:
                messages.error(request, _("Not revoked: %(name)s") % {"name": certification})
            else:
                done += 1
        messages.success(request, _("%(n)d certifications revoked.") % {"n": done})


@admin.register(ConfidentialityAgreement)
class ConfidentialityAgreementAdmin(_ServiceAdmin[ConfidentialityAgreement]):
    form = _ActorForm
    fields = ["client", "user", "document_version", "signed_on", "expires_on"]
    list_display = ["user", "client", "document_version", "signed_on", "expires_on"]
    list_filter = ["client"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["client", "user", "document_version"] if obj is not None else []

    def save_model(
        self,
        request: HttpRequest,
        obj: ConfidentialityAgreement,
        form: ModelForm[Any],
        change: bool,
    ) -> None:
        saved = confidentiality_agreement_record(
            actor=actor_for_user(request.user),
            client=obj.client,
            user=obj.user,
            signed_on=obj.signed_on,
            document_version=obj.document_version,
            expires_on=obj.expires_on,
        )
        self._adopt(obj, saved)


@admin.register(AgentRoutingState)
class AgentRoutingStateAdmin(ReadOnlyAdmin[AgentRoutingState]):
    list_display = ["user", "client", "last_assigned_at", "assignments"]
    list_filter = ["client"]
