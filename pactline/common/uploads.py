"""A CSV given to a form: an uploaded file or pasted text, read as UTF-8 (a byte-order mark
allowed) or GB 18030, so a list saved by a Chinese spreadsheet reads as it was written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CSV_MAX_BYTES = 10 * 1024 * 1024
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class CsvUploadForm(forms.Form):
    """`cleaned_data["csv_text"]` is the file's text, else the pasted text."""

    file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("…or paste the list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload: UploadedFile[bytes] | None = data.get("file")
        text: str = data.get("text") or ""
        if upload is not None:
            text = self._read(upload)
        if not text.strip() and not self.errors:
            raise forms.ValidationError(_("Choose a CSV file or paste the list."))
        data["csv_text"] = text
        return data

    def _read(self, upload: UploadedFile[bytes]) -> str:
        if (upload.size or 0) > CSV_MAX_BYTES:
            self.add_error("file", _("The file is larger than 10 MB."))
            return ""
        raw = upload.read()
        for encoding in CSV_ENCODINGS:
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        self.add_error("file", _("The file is not UTF-8 or GB 18030 text."))
        return ""
