"""The reports' filters: a period and, optionally, one member's clients."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kamrad.reports.selectors import BLOCKS
from kamrad.users.models import Role, User


class ReportFilterForm(forms.Form):
    # `from` is a Python keyword: the form's fields are named for the query string.
    from_date = forms.DateField(label=_("From"), required=False)
    to_date = forms.DateField(label=_("To"), required=False)
    member = forms.ModelChoiceField(
        label=_("Member"),
        queryset=User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.HEAD]).order_by(
            "last_name", "first_name", "username"
        ),
        required=False,
        empty_label=_("Everyone"),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = {
                "from_date": data.get("from", ""),
                "to_date": data.get("to", ""),
                "member": data.get("member", ""),
            }
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and start > end:
            self.add_error("to_date", _("The period ends before it starts."))
        return data


class ExportForm(forms.Form):
    block = forms.ChoiceField(choices=[(b, b) for b in BLOCKS], required=False)
