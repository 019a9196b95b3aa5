"""The client's email change sequence: every stored message, in or out, takes the next number."""

from __future__ import annotations

from django.db.models import F

from pactline.channels.email.models import EmailSequence


def email_next_seq(client_id: int) -> int:
    """The client's next `change_seq`, inside the caller's transaction. The update locks the
    counter row until commit, so sequence numbers become visible in order."""
    EmailSequence.objects.get_or_create(client_id=client_id)
    EmailSequence.objects.filter(client_id=client_id).update(last=F("last") + 1)
    last: int = EmailSequence.objects.values_list("last", flat=True).get(client_id=client_id)
    return last
