"""One keyed chain per client: every existing event is given its position in its client's
chain (the provider chain for events of no client) and a MAC under PACTLINE_AUDIT_KEY, in the
order it was written. The unkeyed chain is checked first: a log that does not verify is not
re-chained (that would launder the edit), unless PACTLINE_AUDIT_RECHAIN_BROKEN=1 says to."""

import hashlib
import json
import os
from datetime import UTC

import django.db.models.functions.comparison
from django.db import migrations, models

from pactline.audit.chain import GENESIS_HASH, audit_key, event_mac


def _unkeyed_hash(event, prev_hash):
    material = json.dumps(
        [
            prev_hash,
            event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            event.actor_label,
            event.actor_user_id,
            event.client_id,
            event.action,
            event.object_type,
            event.object_id,
            event.payload,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _check_unkeyed(events) -> None:
    if os.environ.get("PACTLINE_AUDIT_RECHAIN_BROKEN") == "1":
        return
    prev = GENESIS_HASH
    for event in events.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or _unkeyed_hash(event, prev) != event.hash:
            raise RuntimeError(
                f"the audit log does not verify at event #{event.pk}: not re-chained. "
                "Investigate, then set PACTLINE_AUDIT_RECHAIN_BROKEN=1 to re-chain it as it is."
            )
        prev = event.hash


def rechain(apps, schema_editor) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    _check_unkeyed(AuditEvent.objects.all())
    key = audit_key()
    heads: dict = {}
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        sequence, prev = heads.get(event.client_id, (0, GENESIS_HASH))[:2]
        sequence += 1
        mac = event_mac(
            key,
            client_id=event.client_id,
            sequence=sequence,
            prev_hash=prev,
            occurred_at=event.occurred_at,
            actor_label=event.actor_label,
            actor_user_id=event.actor_user_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            payload=event.payload,
        )
        AuditEvent.objects.filter(pk=event.pk).update(sequence=sequence, prev_hash=prev, hash=mac)
        heads[event.client_id] = (sequence, mac, event.pk)
    AuditChainHead.objects.bulk_create(
        AuditChainHead(client_id=client_id, sequence=sequence, last_hash=mac, last_event_id=pk)
        for client_id, (sequence, mac, pk) in heads.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(null=True),
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client_id", models.BigIntegerField(blank=True, null=True)),
                ("sequence", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default="0" * 64, max_length=64)),
                ("last_event_id", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.comparison.Coalesce(
                            "client_id", models.Value(0)
                        ),
                        name="audit_head_one_per_chain",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("sequence", models.BigIntegerField()),
                ("mac", models.CharField(max_length=64)),
                ("published_in", models.CharField(max_length=200)),
                ("published_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(
            name="AuditHead",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce("client_id", models.Value(0)),
                models.F("sequence"),
                name="audit_event_chain_position",
            ),
        ),
    ]
