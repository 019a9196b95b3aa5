"""Forms of the outbound pages. They check shapes; the services check meaning."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pactline.channels.outbound.models import CampaignKind, Disposition
from pactline.common.errors import ValidationFailed
from pactline.common.uploads import CsvUploadForm

NOTES_MAX = 4000
MAX_RETRY_MINUTES = 7 * 24 * 60


def _region(value: str) -> str | None:
    region = value.strip().upper()
    if not region:
        return None
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise forms.ValidationError(_("'%(value)s' is not a country code"), params={"value": value})
    return region


class RegionField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=gettext_lazy("Country of national numbers"),
            help_text=gettext_lazy(
                "Two letters, e.g. US or CN; leave empty if every number starts with +."
            ),
            required=False,
            max_length=2,
            **kwargs,
        )

    def clean(self, value: Any) -> str | None:
        return _region(super().clean(value))


class CampaignForm(forms.Form):
    client = forms.ChoiceField(label=gettext_lazy("Client"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CampaignKind.choices)
    calendar = forms.CharField(
        label=gettext_lazy("Calling window (calendar)"),
        help_text=gettext_lazy(
            "A calendar of the agreement; empty for its outbound calendar or the phone hours."
        ),
        required=False,
        max_length=60,
    )
    max_attempts = forms.IntegerField(
        label=gettext_lazy("Attempts per number"), min_value=1, max_value=20, initial=3
    )
    retry_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes between attempts"),
        min_value=1,
        max_value=MAX_RETRY_MINUTES,
        initial=120,
    )

    def __init__(self, *args: Any, clients: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = clients  # type: ignore[attr-defined]


class CallListForm(CsvUploadForm):
    region = RegionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["placeholder"] = "phone,name,email,case"


class AttemptForm(forms.Form):
    disposition = forms.ChoiceField(label=gettext_lazy("Disposition"), choices=Disposition.choices)
    survey_score = forms.IntegerField(
        label=gettext_lazy("Survey score (0–10)"), required=False, min_value=0, max_value=10
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DoNotCallForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Phone number"), max_length=40)
    region = RegionField()


def add_service_errors(form: forms.Form, failed: ValidationFailed) -> None:
    """Put a service's field errors on the form's fields, the rest above the form."""
    for error in failed.errors:
        form.add_error(error.path if error.path in form.fields else None, error.message)
