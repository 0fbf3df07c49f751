from __future__ import annotations

from typing import Any

from django import forms

from kamrad.questionnaires.models import QualityCheck, Question, Section, Template


class TemplateForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Template
        fields = ["name", "language", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "purpose", "minutes", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 2})}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "key", "kind", "unit", "choices", "hint", "required"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}


class QualityCheckForm(forms.ModelForm):
    class Meta:
        model = QualityCheck
        fields = ["text", "kind", "unit", "promised", "is_active"]


def data_of(form: forms.ModelForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}
