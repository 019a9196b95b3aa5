"""Forms of the materials pages; the services validate again (they are the rule)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pactline.channels.recordings.models import RecordingKind
from pactline.privacy.services import LINK_HOURS, TEXT_MAX


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RecordingKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Audio or video of a call, or a chat or call transcript as UTF-8 text. Card numbers, "
            "security codes and expiry dates are removed from transcripts before they are stored."
        ),
    )
    source = forms.CharField(
        label=_("Source reference"),
        required=False,
        max_length=200,
        help_text=_("For example the call's unique id or the chat session id."),
    )


class RequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX)


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_MAX)
    valid_hours = forms.IntegerField(
        label=_("Link valid for (hours)"),
        required=False,
        min_value=LINK_HOURS[0],
        max_value=LINK_HOURS[1],
    )
