"""Questionnaires over the API: the templates with their sections and questions, the published
versions meetings keep (with their frozen structure), the quality checks of our services, and
publishing for the program head. Editing the sections and questions is done on the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
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


class SectionWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "template", "position", "title", "intro", "purpose", "minutes"]
        read_only_fields = ["position"]


class QuestionWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "section",
            "position",
            "key",
            "text",
            "hint",
            "kind",
            "unit",
            "choices",
            "required",
        ]
        read_only_fields = ["position"]


class _EditedByTheHead(
    ReferenceViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin
):
    """Sections and questions: everyone reads them; the head adds, changes and removes them
    (publish the questionnaire afterwards for meetings to use the change)."""

    access_policy = (Rule.SIGNED_IN, Rule.HEAD)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: Any) -> None:
        services.item_delete(user=self.request.user, item=instance)


@extend_schema_view(
    list=extend_schema(responses={200: SectionWriteSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: SectionWriteSerializer, **_errors(401, 403, 404)}),
    create=extend_schema(responses={201: SectionWriteSerializer, **_errors(400, 401, 403)}),
    partial_update=extend_schema(
        responses={200: SectionWriteSerializer, **_errors(400, 401, 403, 404)}
    ),
    destroy=extend_schema(responses={204: None, **_errors(401, 403, 404)}),
)
class SectionViewSet(_EditedByTheHead):
    queryset = Section.objects.order_by("template_id", "position", "id")
    serializer_class = SectionWriteSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        template = data.pop("template")
        serializer.instance = services.section_save(
            user=self.request.user, template=template, data=data
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("template", None)  # a section stays in its questionnaire
        serializer.instance = services.section_save(
            user=self.request.user,
            template=serializer.instance.template,
            data=data,
            section=serializer.instance,
        )


@extend_schema_view(
    list=extend_schema(responses={200: QuestionWriteSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: QuestionWriteSerializer, **_errors(401, 403, 404)}),
    create=extend_schema(responses={201: QuestionWriteSerializer, **_errors(400, 401, 403)}),
    partial_update=extend_schema(
        responses={200: QuestionWriteSerializer, **_errors(400, 401, 403, 404)}
    ),
    destroy=extend_schema(responses={204: None, **_errors(401, 403, 404)}),
)
class QuestionViewSet(_EditedByTheHead):
    queryset = Question.objects.select_related("section__template").order_by(
        "section_id", "position", "id"
    )
    serializer_class = QuestionWriteSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        section = data.pop("section")
        serializer.instance = services.question_save(
            user=self.request.user, section=section, data=data
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("section", None)
        current = serializer.instance
        merged = {
            name: data.get(name, getattr(current, name))
            for name in ("key", "text", "hint", "kind", "unit", "choices", "required")
        }
        serializer.instance = services.question_save(
            user=self.request.user, section=current.section, data=merged, question=current
        )


def register(router: SimpleRouter) -> None:
    """Add this app's API collections to the API's router."""
    router.register("questionnaires", TemplateViewSet, basename="api-questionnaire")
    router.register("questionnaire-versions", VersionViewSet, basename="api-questionnaire-version")
    router.register("quality-checks", QualityCheckViewSet, basename="api-quality-check")
    router.register("questionnaire-sections", SectionViewSet, basename="api-questionnaire-section")
    router.register("questions", QuestionViewSet, basename="api-question")
