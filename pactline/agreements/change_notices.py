"""The written notice of a proposed change, emailed to the client's designated contacts.

The recipients are the client's contacts named in the version in force (the contract being
changed), those with an email address. The message is in the agreement's language, text and
HTML, lists what changes (`agreement_diff`), and is marked `Auto-Submitted: auto-generated`
so that auto-responders stay silent.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from pactline.agreements.diff import agreement_diff
from pactline.agreements.documents import document_from_data
from pactline.agreements.models import AgreementVersion
from pactline.core.agreement import AgreementDocument

logger = logging.getLogger(__name__)

# The agreement's language -> Django's language code.
_LANGUAGE_CODES = {"en": "en", "zh-Hans": "zh-hans"}


def change_notice_recipients(governing: AgreementDocument) -> list[str]:
    """The client's designated contacts in the agreement in force, each address once."""
    return list(
        dict.fromkeys(
            contact.email for contact in governing.parties.client.contacts if contact.email
        )
    )


def _context(
    version: AgreementVersion, document: AgreementDocument, lines: list[str]
) -> dict[str, Any]:
    path = reverse("agreements:version", kwargs={"version_id": version.pk})
    notice_on = (
        version.earliest_effective_at.astimezone(ZoneInfo(version.home_timezone)).date()
        if version.earliest_effective_at is not None
        else None
    )
    return {
        "version": version,
        "reference": document.reference,
        "title": document.title,
        "client_name": document.parties.client.name,
        "provider_name": document.parties.provider.name,
        "effective_on": version.requested_effective_on.isoformat(),
        "notice_on": notice_on.isoformat() if notice_on else "",
        "notice_days": version.notice_days,
        "acceptance_required": version.acceptance_required,
        "lines": lines,
        "version_url": f"{settings.SITE_URL.rstrip('/')}{path}",
    }


def change_notice_email(
    version: AgreementVersion, governing: AgreementVersion
) -> EmailMultiAlternatives | None:
    """The notice of `version` replacing `governing`, not yet sent; None without recipients."""
    old = document_from_data(governing.document)
    new = document_from_data(version.document)
    recipients = change_notice_recipients(old)
    if not recipients:
        return None
    with translation.override(_LANGUAGE_CODES.get(new.language, settings.LANGUAGE_CODE)):
        context = _context(version, new, agreement_diff(old, new))
        subject = render_to_string("agreements/email/change_subject.txt", context)
        text = render_to_string("agreements/email/change_body.txt", context)
        html = render_to_string("agreements/email/change_body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text.strip() + "\n",
        to=recipients,
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Pactline-Agreement": f"{new.reference}/v{version.number}",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def change_notice_send(version_id: int, governing_id: int) -> None:
    """Send the notice after the proposal is committed. A mail failure is logged, never
    undoes the proposal: the version page shows the client the same changes."""
    versions = AgreementVersion.objects.select_related("agreement").in_bulk(
        [version_id, governing_id]
    )
    version, governing = versions.get(version_id), versions.get(governing_id)
    if version is None or governing is None:
        return
    message = change_notice_email(version, governing)
    if message is None:
        logger.warning(
            "no client contact with an email address for the change notice of %s v%s",
            version.agreement.reference,
            version.number,
        )
        return
    try:
        message.send()
    except Exception:
        logger.exception(
            "the change notice of %s v%s could not be sent",
            version.agreement.reference,
            version.number,
        )
