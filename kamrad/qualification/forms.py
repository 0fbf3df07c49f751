"""Forms of the qualification pages. They validate input; services.py writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kamrad.lib import money
from kamrad.qualification.models import AttractionStage, CandidateDecision, Criterion, Measure


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)


class RuleForm(forms.Form):
    min_met = forms.IntegerField(
        label=_("A client qualifies when it meets at least"), min_value=1, max_value=50
    )
    version = _version_field()


class CriterionForm(forms.ModelForm):
    version = _version_field()

    class Meta:
        model = Criterion
        fields = ["code", "kind", "name_en", "name_ru", "help_en", "help_ru", "enabled", "position"]
        widgets = {
            "help_en": forms.Textarea(attrs={"rows": 2}),
            "help_ru": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # What a criterion is (its code, measured or judged) is fixed once it exists.
            del self.fields["code"]
            del self.fields["kind"]
            self.fields["version"].initial = self.instance.version

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class MeasureForm(forms.Form):
    metric = forms.ChoiceField(label=_("Figure"), choices=[("", "—"), *Measure.Metric.choices])
    amount = forms.CharField(
        label=_("Threshold amount"),
        required=False,
        max_length=30,
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3, initial="USD")
    count = forms.IntegerField(label=_("At least this many"), required=False, min_value=1)
    percent = forms.IntegerField(
        label=_("Growth of at least, %"), required=False, min_value=0, max_value=10_000
    )

    @classmethod
    def initial_for(cls, measure: Measure) -> dict[str, Any]:
        amount = (
            money.format_minor(measure.amount_minor, measure.currency or "USD")
            if measure.amount_minor is not None
            else ""
        )
        return {
            "metric": measure.metric,
            "amount": amount,
            "currency": measure.currency,
            "count": measure.count,
            "percent": measure.percent,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        metric = data.get("metric")
        if metric in Measure.MONEY:
            try:
                currency = money.check_currency(data.get("currency") or "")
            except money.MoneyError:
                self.add_error("currency", _("A three-letter currency code, like USD."))
                return data
            try:
                amount = money.to_minor(data.get("amount") or "", currency)
            except money.MoneyError:
                self.add_error("amount", _("Enter an amount, like 5 000 000."))
                return data
            if amount < 0:
                self.add_error("amount", _("A threshold is not negative."))
            data["currency"], data["amount_minor"] = currency, amount
        elif metric == Measure.Metric.PRODUCT_LINES and not data.get("count"):
            self.add_error("count", _("Say how many product lines are needed."))
        elif metric in Measure.GROWTH and data.get("percent") is None:
            self.add_error("percent", _("Say how many percent of growth are needed."))
        return data

    def spec(self) -> dict[str, Any]:
        data, metric = self.cleaned_data, self.cleaned_data["metric"]
        return {
            "metric": metric,
            "amount_minor": data.get("amount_minor") if metric in Measure.MONEY else None,
            "currency": data.get("currency") if metric in Measure.MONEY else "USD",
            "count": data.get("count") if metric == Measure.Metric.PRODUCT_LINES else None,
            "percent": data.get("percent") if metric in Measure.GROWTH else None,
        }


MeasureFormSet = forms.formset_factory(
    MeasureForm, extra=1, can_delete=True, max_num=10, absolute_max=20
)


class JudgedMarkForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    met = forms.TypedChoiceField(
        label=_("Judgement"),
        choices=[("yes", _("Met")), ("no", _("Not met"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the judgement rests on."),
    )
    version = _version_field()


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=CandidateDecision.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = _version_field()


class StageForm(forms.Form):
    stage = forms.TypedChoiceField(
        choices=AttractionStage.Stage.choices, coerce=int, widget=forms.HiddenInput
    )
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = _version_field()
