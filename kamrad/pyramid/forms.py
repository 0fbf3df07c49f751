"""Forms of the pyramid pages: the settings (the head's), the tier list's and moves' filters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamrad.pyramid.models import PyramidSettings, Tier


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PyramidSettings
        fields = ["top_share_percent", "cv_threshold_percent", "quarters", "stable_band_percent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}

    def expected_version(self) -> int:
        return self.cleaned_data.get("version") or 0


class TierFilterForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices]
    )
    start = forms.DateField(label=_("Period from"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Period to"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The period ends before it starts."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is ignored (its error is shown beside it)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if self.errors.get("end"):
            data = {**data, "end": None}
        return {"tier": data.get("tier") or "", "start": data.get("start"), "end": data.get("end")}


class MovesForm(forms.Form):
    since = forms.DateField(label=_("Moves since"), required=False, widget=DateInput)
    falls = forms.BooleanField(label=_("Falls only"), required=False)

    def filters(self) -> tuple[date, bool]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        since = data.get("since") or timezone.localdate() - timedelta(days=90)
        return since, bool(data.get("falls"))
