from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class GenerateForm(forms.Form):
    report_name = forms.ChoiceField(label=_("Report"))
    period_start = forms.DateField(
        label=_("First day of the period"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, report_names: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["report_name"].choices = [(name, name) for name in report_names]  # type: ignore[attr-defined]
