from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pactline.tenancy.models import TokenScope


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
