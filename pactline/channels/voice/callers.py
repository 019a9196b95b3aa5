"""Calls matched to the client's contacts and cases by the caller's number.

An inbound call whose `caller_number` (E.164) is a phone of one of the client's contacts gets
that contact (`Call.contact`), and, unless it is already linked to a case, that contact's most
recent open case (not resolved or closed). Matching happens as calls are written, set-based
per batch: one blind-index query for every number of the batch and one query for the open
cases of the contacts found, never a query per call and never a decryption. Only calls being
written (new or changed, so with a fresh `change_seq`) are matched, so re-importing unchanged
calls still writes nothing; a link, once made, is never undone by an import. Always within one
client: a number of client A never finds a contact of client B."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pactline.cases.contacts import contacts_by_phones
from pactline.cases.selectors import open_cases_of_contacts
from pactline.channels.voice.models import Direction

_INBOUND = Direction.INBOUND.value


def link_callers(client_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Set `contact_id` (and `case_id` where it is empty) on call rows about to be written.
    Each row has the call fields and the stored links (`contact_id`, `case_id`, None for a
    new call). Outbound calls are not matched: their caller is the provider's own line."""
    by_number = [
        row
        for row in rows
        if row["contact_id"] is None and row["caller_number"] and row["direction"] == _INBOUND
    ]
    contacts = (
        contacts_by_phones(client_id=client_id, phones={row["caller_number"] for row in by_number})
        if by_number
        else {}
    )
    for row in by_number:
        row["contact_id"] = contacts.get(row["caller_number"])
    caseless = [row for row in rows if row["case_id"] is None and row["contact_id"] is not None]
    if not caseless:
        return
    cases = open_cases_of_contacts(
        client_id=client_id, contact_ids={row["contact_id"] for row in caseless}
    )
    for row in caseless:
        row["case_id"] = cases.get(row["contact_id"])
