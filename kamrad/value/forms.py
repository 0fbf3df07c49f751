"""Forms of the work-history pages: typed amounts in major units, as people write them.

The forms check the shape of what was typed; the services convert amounts and currencies
(and report a missing exchange rate or too many decimals on the field).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kamrad.clients.forms import DateInput, VersionedForm
from kamrad.clients.models import Product
from kamrad.lib import money
from kamrad.value.models import AccountMonth, Claim, Payment, Sale, ServiceCost
from kamrad.value.rates import base_currency
from kamrad.value.services import MONEY


def _amount(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class RecordForm(VersionedForm):
    """A record's form: amounts shown in major units, currency defaulting to the base."""

    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = MONEY[self._meta.model]
        if not spec:
            del self.fields["currency"]
            return
        instance = self.instance
        if instance.pk and not self.is_bound:
            for name, (minor_col, _base) in spec.items():
                if name in self.fields:
                    value = money.to_major(getattr(instance, minor_col), instance.currency)
                    self.fields[name].initial = value
        elif not self.is_bound:
            self.fields["currency"].initial = base_currency()

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        for name in (*MONEY[self._meta.model], "currency"):
            if name in self.cleaned_data:
                data[name] = self.cleaned_data[name]
        return data


class SaleForm(RecordForm):
    amount = _amount(_("Amount"))
    cost = _amount(_("Cost of sales"), required=False)

    class Meta:
        model = Sale
        fields = ["date", "product", "product_line", "description", "quantity"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_ours=True)  # type: ignore[attr-defined]
        self.fields["product_line"].help_text = _("Taken from the product when left empty.")
        self.order_fields(["date", "product", "product_line", "description", "quantity"])


class PaymentForm(RecordForm):
    amount = _amount(_("Amount"))

    class Meta:
        model = Payment
        fields = ["due_date", "paid_date", "method", "description"]
        widgets = {"due_date": DateInput(), "paid_date": DateInput()}


class ClaimForm(RecordForm):
    class Meta:
        model = Claim
        fields = ["date", "subject", "description", "resolved_on"]
        widgets = {
            "date": DateInput(),
            "resolved_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


class ServiceCostForm(RecordForm):
    amount = _amount(_("Amount"))

    class Meta:
        model = ServiceCost
        fields = ["date", "description"]
        widgets = {"date": DateInput()}


class AccountMonthForm(RecordForm):
    turnover = _amount(_("Turnover"), required=False)
    average_balance = _amount(_("Average daily balance"), required=False)
    exports = _amount(_("Exports"), required=False)

    class Meta:
        model = AccountMonth
        fields = ["month"]
        widgets = {"month": DateInput()}


FORMS: dict[str, type[RecordForm]] = {
    "sales": SaleForm,
    "payments": PaymentForm,
    "claims": ClaimForm,
    "costs": ServiceCostForm,
    "accounts": AccountMonthForm,
}


class RateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    date = forms.DateField(label=_("From"), widget=DateInput())
    rate = forms.CharField(
        label=_("Rate"),
        max_length=30,
        help_text=_("Base-currency units for one unit of the currency."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()
