"""Fetch-and-authorize for calls: one NotFound for "missing" and "not yours"."""

from __future__ import annotations

from pactline.channels.voice.models import Call
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor, Permission, require


def access_call(actor: Actor, call_pk: int, *, for_write: bool = False) -> Call:
    """The call, if the actor may see its client's cases (or work them, `for_write`)."""
    call = Call.objects.select_related("client").filter(pk=call_pk).first()
    if call is None:
        raise NotFound
    require(actor, Permission.CASE_WORK if for_write else Permission.CASE_VIEW, call.client_id)
    return call
