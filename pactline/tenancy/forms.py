from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from pactline.tenancy.models import TokenScope

NO_EXPIRY = "none"
ON_A_DATE = "date"


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say what uses the token, e.g. “CRM sync”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    expires_in = forms.ChoiceField(
        label=_("Expires"),
        choices=[
            (NO_EXPIRY, _("Never")),
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In 365 days")),
            (ON_A_DATE, _("On a date")),
        ],
        initial="90",
    )
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("With “On a date”: the token works until the end of that day (UTC)."),
    )

    def __init__(self, *args: object, now: datetime, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.now = now
        self.today = now.astimezone(UTC).date()

    def clean_expires_on(self) -> date | None:
        chosen: date | None = self.cleaned_data.get("expires_on")
        if self.cleaned_data.get("expires_in") == ON_A_DATE:
            if chosen is None:
                raise forms.ValidationError(_("Choose the day the token expires."))
            if chosen < self.today:
                raise forms.ValidationError(_("The expiry date is in the past."))
        return chosen

    def expires_at(self) -> datetime | None:
        """The instant the token stops working, from a valid form (None: never)."""
        choice = self.cleaned_data["expires_in"]
        if choice == NO_EXPIRY:
            return None
        if choice == ON_A_DATE:
            day: date = self.cleaned_data["expires_on"]
            return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=1)
        return self.now + timedelta(days=int(choice))
