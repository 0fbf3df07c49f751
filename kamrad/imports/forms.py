from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kamrad.imports.kinds import KINDS, Kind

ENCODINGS = (
    ("", _("Detect")),
    ("utf-8", "UTF-8"),
    ("cp1251", "Windows-1251"),
)
DELIMITERS = (
    ("", _("Detect")),
    (";", _("Semicolon ;")),
    (",", _("Comma ,")),
    ("tab", _("Tab")),
    ("|", _("Vertical bar |")),
)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=[(k.name, k.label) for k in KINDS.values()]
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or XLSX, with the column names in the first line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODINGS, required=False)
    delimiter = forms.ChoiceField(label=_("Delimiter"), choices=DELIMITERS, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.KAMRAD_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB, the most an import takes.")
                % {"limit": f"{limit / 2**20:g}"}
            )
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file: which field it fills, or none."""

    def __init__(
        self,
        *args: Any,
        kind: Kind,
        header: list[str],
        mapping: dict[int, str],
        samples: list[list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— skip this column —"))] + [
            (f.name, f"{f.label}{' *' if f.required else ''}") for f in kind.fields
        ]
        for index, title in enumerate(header):
            example = ", ".join(s[index] for s in samples or [] if index < len(s) and s[index])
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=title or _("Column %(n)s") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=mapping.get(index, ""),
                help_text=example[:80],
            )

    def mapping(self) -> dict[int, str]:
        return {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }


class RunForm(forms.Form):
    good_rows_only = forms.BooleanField(
        label=_("Import the good rows only, leaving out the rejected ones"), required=False
    )
