"""Forms of the statement pages: issue a statement (frequency and period), reissue one (reason).

The services judge the request (period ended, reason given); the forms only check the shape,
and the bounds of a date that date arithmetic could not handle."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.inputs import validate_text
from pactline.metrics.models import Frequency
from pactline.metrics.statements import REASON_MAX

# Periods are dates in the past; these bounds keep period arithmetic (a quarter's end, a
# week's Monday) inside what `date` can hold, whatever is typed or posted.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def check_period_day(day: date) -> None:
    """A `ValidationFailed` on `period` for a day no statement can cover."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationFailed(
            [
                FieldError(
                    "period",
                    _("choose a day from %(first)s to %(last)s")
                    % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
                )
            ]
        )


def default_period_day(today: date) -> date:
    """A day of last month: the period most often issued."""
    return today.replace(day=1) - timedelta(days=1)


class StatementIssueForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    period = forms.DateField(
        label=gettext_lazy("Period"),
        help_text=gettext_lazy(
            "Any day of the period, in the client's time zone: the statement covers the whole "
            "day, week, month or quarter that holds it. The period must have ended."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_period(self) -> date:
        day: date = self.cleaned_data["period"]
        try:
            check_period_day(day)
        except ValidationFailed as failed:
            raise forms.ValidationError(failed.errors[0].message) from None
        return day

    def add_service_errors(self, failed: ValidationFailed) -> None:
        for error in failed.errors:
            self.add_error(error.path if error.path in self.fields else None, error.message)


class StatementReissueForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reissue"),
        max_length=REASON_MAX,
        validators=[validate_text],
        help_text=gettext_lazy(
            "Say why the period is measured again (a late call file, a corrected record…). "
            "The reason is shown with the new revision."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def add_service_errors(self, failed: ValidationFailed) -> None:
        for error in failed.errors:
            self.add_error(error.path if error.path in self.fields else None, error.message)
