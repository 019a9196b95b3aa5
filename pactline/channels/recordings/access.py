"""Fetch-and-authorize for recordings: one NotFound for "missing" and "not yours", Forbidden when
the client is visible but the role lacks the permission."""

from __future__ import annotations

from pactline.channels.recordings.models import Recording
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor, Permission, require


def access_recording(actor: Actor, recording_id: int, *, permission: Permission) -> Recording:
    recording = Recording.objects.select_related("client", "case").filter(id=recording_id).first()
    if recording is None:
        raise NotFound
    require(actor, permission, recording.client_id)
    return recording
