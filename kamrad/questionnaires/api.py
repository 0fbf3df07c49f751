"""Questionnaires over the API: the templates with their sections and questions, the published
versions meetings keep (with their frozen structure), the quality checks of our services, and
publishing for the program head. Editing the sections and questions is done on the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kamrad.api.views import ReferenceViewSet, _errors
from kamrad.questionnaires import services
from kamrad.questionnaires.models import QualityCheck, Question, Section, Template, TemplateVersion
from kamrad.users.access import Rule

# Paths that must come before the router's (a fixed word the router would take for an id).
urlpatterns: list = []


class QuestionSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(
        source="choice_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Question
        fields = ["id", "position", "key", "text", "hint", "kind", "unit", "choices", "required"]


class SectionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["id", "position", "title", "intro", "purpose", "minutes", "questions"]


class TemplateSerializer(serializers.ModelSerializer):
    sections = SectionSerializer(many=True, read_only=True)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = [
            "id",
            "name",
            "language",
            "description",
            "is_default",
            "is_archived",
            "version",
            "latest_version",
            "sections",
        ]

    def get_latest_version(self, template: Template) -> int | None:
        numbers = [v.number for v in template.versions.all()]
        return max(numbers) if numbers else None


class VersionSerializer(serializers.ModelSerializer):
    structure = serializers.JSONField(read_only=True)

    class Meta:
        model = TemplateVersion
        fields = ["id", "template", "number", "structure", "created_at"]


class QualityCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualityCheck
        fields = ["id", "product", "position", "text", "kind", "unit", "promised", "is_active"]


@extend_schema_view(
    list=extend_schema(responses={200: TemplateSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: TemplateSerializer, **_errors(401, 403, 404)}),
)
class TemplateViewSet(ReferenceViewSet):
    """The questionnaires as they stand, with their sections and questions in order."""

    queryset = Template.objects.prefetch_related("sections__questions", "versions").order_by("id")
    serializer_class = TemplateSerializer
    access_policy = (Rule.SIGNED_IN, Rule.HEAD)

    @extend_schema(request=None, responses={200: VersionSerializer, **_errors(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        """Freeze the questionnaire as a new version (the latest one when nothing changed);
        meetings planned from then on use it."""
        version = services.template_publish(user=request.user, template=self.get_object())
        return Response(VersionSerializer(version).data)


@extend_schema_view(
    list=extend_schema(responses={200: VersionSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: VersionSerializer, **_errors(401, 403, 404)}),
)
class VersionViewSet(ReferenceViewSet):
    """Published versions: what a meeting's `questionnaire` names, frozen."""

    queryset = TemplateVersion.objects.order_by("template_id", "-number")
    serializer_class = VersionSerializer


@extend_schema_view(
    list=extend_schema(responses={200: QualityCheckSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: QualityCheckSerializer, **_errors(401, 403, 404)}),
)
class QualityCheckViewSet(ReferenceViewSet):
    """The measurable checks of our services; a service is of quality when every one passes."""

    queryset = QualityCheck.objects.order_by("product_id", "position", "id")
    serializer_class = QualityCheckSerializer


def register(router: SimpleRouter) -> None:
    """Add this app's API collections to the API's router."""
    router.register("questionnaires", TemplateViewSet, basename="api-questionnaire")
    router.register("questionnaire-versions", VersionViewSet, basename="api-questionnaire-version")
    router.register("quality-checks", QualityCheckViewSet, basename="api-quality-check")
