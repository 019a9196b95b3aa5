"""Forms of the billing pages. They check the shape (a positive amount with at most the
currency's decimals, a date inside the window Pactline serves, a known exclusion kind); the
services judge the rest and their `ValidationFailed` is shown on the field it names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pactline.common.errors import ValidationFailed
from pactline.common.inputs import DAY_MAX, DAY_MIN, validate_text
from pactline.core.credits.model import EXCLUSION_KINDS

AMOUNT_MAX = Decimal("99999999999999")
REFERENCE_MAX = 100  # Payment.reference
LEVEL_MAX = 80  # CreditExclusion.reference, VolumeForecast.reference
REASON_MAX = 2000


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _in_window(day: date) -> date:
    if not DAY_MIN <= day <= DAY_MAX:
        raise forms.ValidationError(
            _("choose a day from %(first)s to %(last)s")
            % {"first": DAY_MIN.isoformat(), "last": DAY_MAX.isoformat()}
        )
    return day


class ServiceErrors(forms.Form):
    def add_service_errors(self, failed: ValidationFailed) -> None:
        """The service's refusal on the field it names (else above the form)."""
        for error in failed.errors:
            self.add_error(error.path if error.path in self.fields else None, error.message)


class AmountField(forms.DecimalField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            max_digits=20,
            decimal_places=2,
            min_value=Decimal("0.01"),
            max_value=AMOUNT_MAX,
            **kwargs,  # type: ignore[arg-type]
        )


class MonthField(forms.DateField):
    """Any day of a month; the month's first day is what is kept."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(widget=_date_widget(), **kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> date | None:
        day = super().clean(value)
        return None if day is None else _in_window(day).replace(day=1)


class CloseForm(ServiceErrors):
    period = MonthField(
        label=gettext_lazy("Month"),
        help_text=gettext_lazy("Any day of the month to close, in the client's time zone."),
    )


class PaymentForm(ServiceErrors):
    amount = AmountField(label=gettext_lazy("Amount"))
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=_date_widget())
    reference = forms.CharField(
        label=gettext_lazy("Payment reference"),
        max_length=REFERENCE_MAX,
        validators=[validate_text],
        help_text=gettext_lazy("The bank's reference: the same reference is recorded once."),
    )

    def clean_received_on(self) -> date:
        return _in_window(self.cleaned_data["received_on"])


class TopUpForm(ServiceErrors):
    amount = AmountField(label=gettext_lazy("Amount"))
    reference = forms.CharField(
        label=gettext_lazy("Payment reference"),
        max_length=REFERENCE_MAX,
        validators=[validate_text],
        help_text=gettext_lazy("The bank's reference: the same reference is recorded once."),
    )


def _exclusion_kinds() -> list[tuple[str, str]]:
    names = {
        "client_caused": gettext_lazy("Caused by the client"),
        "force_majeure": gettext_lazy("Force majeure"),
        "forecast_variance": gettext_lazy("Volume beyond the forecast"),
    }
    return [(kind, str(names.get(kind, kind))) for kind in EXCLUSION_KINDS]


class ExclusionForm(ServiceErrors):
    month = MonthField(label=gettext_lazy("Month"))
    reference = forms.CharField(
        label=gettext_lazy("Service level"),
        max_length=LEVEL_MAX,
        validators=[validate_text],
        help_text=gettext_lazy("The level as channel.metric, e.g. phone.answer_within."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=_exclusion_kinds)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    approved_by = forms.CharField(
        label=gettext_lazy("Approved by (the client)"),
        max_length=150,
        validators=[validate_text],
        help_text=gettext_lazy("The person at the client who approved the exclusion."),
    )


class ForecastForm(ServiceErrors):
    month = MonthField(label=gettext_lazy("Month"))
    reference = forms.CharField(
        label=gettext_lazy("Channel or service level"),
        max_length=LEVEL_MAX,
        validators=[validate_text],
        help_text=gettext_lazy("A channel (phone) or a level (phone.answer_within)."),
    )
    forecast = forms.IntegerField(
        label=gettext_lazy("Forecast volume"), min_value=0, max_value=2_000_000_000
    )
