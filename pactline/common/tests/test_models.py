"""Rules every model of the project keeps, checked over the app registry: uniqueness on client
data includes the client (the isolation rule and the distribution key), and the guarded records
are append-only through the one mixin."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from pactline.common.models import AppendOnly

# A unique value on client data that is not per client, with the reason.
NOT_PER_CLIENT = {
    # A request is matched to its token by the digest alone, before its client is known; the
    # digest of 256 random bits never repeats.
    ("tenancy.ApiToken", "digest"),
}

GUARDED = {
    "audit.AuditEvent",
    "cases.TimelineEntry",
    "channels_chat.ChatMessage",
    "channels_email.EmailAttachment",
    "channels_email.EmailMessage",
    "metrics.Statement",
    "reports.GeneratedReport",
    "reports.GeneratedReportFile",
}


def is_client_owned(model: type[models.Model]) -> bool:
    """A `client` that is a required reference to tenancy.Client (a nullable one marks
    provider-level rows, such as provider-wide memberships and unrouted mail)."""
    try:
        field = model._meta.get_field("client")
    except Exception:
        return False
    return (
        field.is_relation
        and field.related_model is apps.get_model("tenancy", "Client")
        and not field.null
    )


def unique_sets(model: type[models.Model]) -> dict[str, tuple[str, ...]]:
    """Every uniqueness rule of the model: its name -> the fields it covers."""
    found: dict[str, tuple[str, ...]] = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names = tuple(constraint.fields) + tuple(
                ref for expression in constraint.expressions for ref in _refs(expression)
            )
            found[constraint.name] = names
    for together in model._meta.unique_together:
        found["unique_together " + "+".join(together)] = tuple(together)
    for field in model._meta.local_fields:
        if field.unique and not field.primary_key:
            found[field.name] = (field.name,)
    return found


def _refs(expression: object) -> list[str]:
    if isinstance(expression, models.F):
        return [expression.name]
    return [
        ref
        for inner in getattr(expression, "get_source_expressions", list)()
        for ref in _refs(inner)
    ]


def test_every_unique_rule_on_client_data_includes_the_client() -> None:
    owned = [model for model in apps.get_models() if is_client_owned(model)]
    assert len(owned) > 40  # the walk sees the project's models
    missing = sorted(
        f"{model._meta.label}: {name} {fields}"
        for model in owned
        for name, fields in unique_sets(model).items()
        if not {"client", "client_id"} & set(fields)
        and (model._meta.label, name) not in NOT_PER_CLIENT
    )
    assert missing == []


def test_the_rule_reads_constraints_fields_and_the_exceptions_are_real() -> None:
    sla_event = apps.get_model("cases", "SlaEvent")
    assert unique_sets(sla_event)["sla_event_once"] == ("client", "clock", "kind", "level", "cycle")
    action = apps.get_model("cases", "EscalationAction")
    assert unique_sets(action)["escalation_action_once"] == ("client", "event", "action_index")
    assert unique_sets(apps.get_model("metrics", "Statement"))[
        "metrics_statement_superseded_once"
    ] == ("client", "superseded_by")
    # Provider-level rows are not client data; a rule without the client is found on them.
    membership = apps.get_model("tenancy", "Membership")
    assert not is_client_owned(membership)
    assert unique_sets(membership)["membership_unique_provider_wide"] == ("user", "role")
    for label, name in NOT_PER_CLIENT:
        model = apps.get_model(label)
        assert is_client_owned(model) and name in unique_sets(model)


def test_the_guarded_records_are_the_append_only_ones() -> None:
    assert {
        model._meta.label for model in apps.get_models() if issubclass(model, AppendOnly)
    } == GUARDED


@pytest.mark.parametrize("label", sorted(GUARDED))
def test_a_stored_guarded_record_refuses_update_and_delete(label: str) -> None:
    model = apps.get_model(label)
    row = model()
    with pytest.raises(TypeError):  # not stored yet: refused only once it is
        row.delete()
    row._state.adding = False  # as loaded from the database
    with pytest.raises(
        TypeError, match=f"^{model.__name__} rows are append-only: write a new row$"
    ):
        row.save()
    with pytest.raises(TypeError, match=r"append-only: they are never deleted$"):
        row.delete()
