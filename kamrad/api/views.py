"""The REST API: thin views over kamrad.clients.services, with the pages' access rules.

Every queryset goes through `access.scope`, so another manager's client and everything
hanging off it answers 404 here as on the pages. `access_policy` on each class (read by
`KamradApiPermission`) keeps viewers from writing (403). Serializers validate; the services
write. Versioned records (organizations, contacts, relationships, events, products) take the
version the client read, in the body or an `If-Match` header, and refuse a stale one with 409.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from django.contrib.auth import authenticate
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from kamrad.api import serializers as s
from kamrad.api import services as api_services
from kamrad.api.exceptions import (
    ErrorSerializer,
    FieldErrorsSerializer,
    StaleEditSerializer,
    VersionRequired,
    etag,
    handle,
)
from kamrad.clients import services
from kamrad.clients.models import (
    BankAccount,
    Contact,
    ContactPoint,
    DecisionRole,
    DossierEntry,
    Event,
    Industry,
    Organization,
    Product,
    Region,
    Relationship,
)
from kamrad.clients.search import matching
from kamrad.users import access
from kamrad.users.access import KamradApiPermission, Rule

# --- Common ground ----------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    max_limit = 500
    # Offsets past any real table are clamped rather than handed to the database as is.
    max_offset = 10**9

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), self.max_offset)


class KamradApi:
    """What every API view shares: authentication, the access gate, JSON, the error answers."""

    # Token first, so that a missing or wrong token answers 401 with WWW-Authenticate.
    authentication_classes: ClassVar[list[type]] = [TokenAuthentication, SessionAuthentication]
    permission_classes: ClassVar[list[type]] = [KamradApiPermission]
    renderer_classes: ClassVar[list[type]] = [JSONRenderer]
    parser_classes: ClassVar[list[type]] = [JSONParser]
    access_policy: ClassVar[tuple[Rule, Rule]] = (Rule.SIGNED_IN, Rule.WRITERS)

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return handle


ERRORS = {
    400: OpenApiResponse(
        FieldErrorsSerializer,
        description="Bad input: each field with its messages; `non_field_errors` for the whole.",
    ),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in, or a wrong token."),
    403: OpenApiResponse(
        ErrorSerializer, description="This account may not do this (a viewer only reads)."
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description="No such record, or it belongs to a client that is not yours.",
    ),
    409: OpenApiResponse(
        StaleEditSerializer,
        description=(
            "Someone saved the record after you read it (`current_version` says which version "
            "is saved now); nothing was changed. Or the change collides with a record saved "
            "at the same moment."
        ),
    ),
}

ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The record\'s version, quoted ("3"); send it back in If-Match to save a change.',
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'The version you read, as the ETag gave it ("3"). Instead of the `version` field; one '
        "of the two is required (400 without)."
    ),
)
_IF_MATCH = re.compile(r'\s*"?(\d{1,10})"?\s*')


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


def _id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, description=description)


class CardViewSet(KamradApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet, ABC):
    """A part of the client card: list and read what the user may see; write via services.

    Subclasses say how to reach the organization (`scope_path`), which query parameters
    filter the list (`list_filters`: parameter → lookup), and which services write.
    """

    scope_path: ClassVar[str] = ""
    list_filters: ClassVar[Mapping[str, str]] = {}
    versioned: ClassVar[bool] = False
    output_serializer_class: ClassVar[type[BaseSerializer]]
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Any]:
        return access.scope(super().get_queryset(), self.request.user, self.scope_path)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        errors: dict[str, list[str]] = {}
        for param, lookup in self.list_filters.items():
            raw = self.request.query_params.get(param)
            if raw in (None, ""):
                continue
            field = serializers.IntegerField(min_value=1, max_value=s.MAX_ID)
            try:
                queryset = queryset.filter(**{lookup: field.run_validation(raw)})
            except serializers.ValidationError as error:
                errors[param] = error.detail  # type: ignore[assignment]
        if errors:
            raise serializers.ValidationError(errors)
        return queryset

    def output(self, obj: Model) -> Response:
        """The record as the client reads it, with its version as the ETag."""
        data = self.output_serializer_class(obj, context=self.get_serializer_context()).data
        headers = {"ETag": etag(obj.version)} if self.versioned else {}  # type: ignore[attr-defined]
        return Response(data, headers=headers)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.output(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = self.output(self.create_object(dict(serializer.validated_data)))
        response.status_code = status.HTTP_201_CREATED
        return response

    @abstractmethod
    def create_object(self, data: dict[str, Any]) -> Model:
        """Create through the service of the part of the card this endpoint serves."""

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.output_serializer_class


class Removable(ABC):
    """A part of the card that may be deleted (organizations and people may not)."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.remove_object(self.get_object())  # type: ignore[attr-defined]
        return Response(status=status.HTTP_204_NO_CONTENT)

    @abstractmethod
    def remove_object(self, obj: Any) -> None:
        """Delete through the service, which records who did it."""


class VersionedViewSet(CardViewSet):
    """A record people edit: PUT/PATCH need the version the client read."""

    versioned = True
    update_serializer_class: ClassVar[type[BaseSerializer]]

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action in {"update", "partial_update"}:
            return self.update_serializer_class
        return self.output_serializer_class

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(
            instance, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = self.expected_version(data.pop("version", None))
        return self.output(self.update_object(instance, data, expected))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def expected_version(self, from_body: int | None) -> int:
        header = self.request.headers.get("If-Match")
        from_header = None
        if header is not None:
            found = _IF_MATCH.fullmatch(header)
            if not found:
                raise serializers.ValidationError(
                    {"version": [_('If-Match takes the version you read, quoted: "3".')]}
                )
            from_header = int(found[1])
        if from_body is not None and from_header is not None and from_body != from_header:
            raise serializers.ValidationError(
                {"version": [_("The version field and the If-Match header disagree.")]}
            )
        version = from_body if from_body is not None else from_header
        if version is None:
            raise VersionRequired()
        return version

    @abstractmethod
    def update_object(self, instance: Any, data: dict[str, Any], expected_version: int) -> Model:
        """Update through the service, which refuses a stale version."""


def card_schema(
    serializer: type[BaseSerializer],
    *,
    update_serializer: type[BaseSerializer] | None = None,
    filters: Sequence[Any] = (),
    deletable: bool = False,
) -> Callable[[type], type]:
    """The documented answers of a card view set, errors included."""
    views = {
        "list": extend_schema(
            parameters=list(filters),
            responses={200: serializer(many=True), **_errors(400, 401, 403)},
        ),
        "retrieve": extend_schema(
            parameters=[ETAG_HEADER] if update_serializer else [],
            responses={200: serializer, **_errors(401, 403, 404)},
        ),
        "create": extend_schema(
            parameters=[ETAG_HEADER] if update_serializer else [],
            responses={201: serializer, **_errors(400, 401, 403, 409)},
        ),
    }
    if update_serializer is not None:
        for action in ("update", "partial_update"):
            views[action] = extend_schema(
                request=update_serializer,
                parameters=[IF_MATCH_HEADER, ETAG_HEADER],
                responses={200: serializer, **_errors(400, 401, 403, 404, 409)},
            )
    if deletable:
        views["destroy"] = extend_schema(responses={204: None, **_errors(401, 403, 404)})
    return extend_schema_view(**views)


# --- Reference lists --------------------------------------------------------------------


class ReferenceViewSet(KamradApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    pagination_class = Pagination


@extend_schema_view(
    list=extend_schema(responses={200: s.IndustrySerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: s.IndustrySerializer, **_errors(401, 403, 404)}),
)
class IndustryViewSet(ReferenceViewSet):
    """Industries, to choose an organization's industry by id."""

    queryset = Industry.objects.all()
    serializer_class = s.IndustrySerializer


@extend_schema_view(
    list=extend_schema(responses={200: s.RegionSerializer(many=True), **_errors(401, 403)}),
    retrieve=extend_schema(responses={200: s.RegionSerializer, **_errors(401, 403, 404)}),
)
class RegionViewSet(ReferenceViewSet):
    """Regions, to choose an organization's region by id."""

    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer


# --- Organizations ----------------------------------------------------------------------

ORGANIZATION_ORDERINGS = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]


class OrganizationQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_(
            "Search: name, legal name, tax or registration number, a contact person's name, "
            "a phone (any spacing) or an e-mail. Every word must match."
        ),
    )
    kind = serializers.ChoiceField(choices=Organization.Kind.choices, required=False)
    account_manager = serializers.IntegerField(required=False, min_value=1, max_value=s.MAX_ID)
    region = serializers.IntegerField(required=False, min_value=1, max_value=s.MAX_ID)
    industry = serializers.IntegerField(required=False, min_value=1, max_value=s.MAX_ID)
    is_private = serializers.BooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(
        choices=ORGANIZATION_ORDERINGS,
        required=False,
        help_text=_("Sort by this field; a leading minus sorts in descending order."),
    )


@card_schema(
    s.OrganizationSerializer,
    update_serializer=s.OrganizationUpdateSerializer,
    filters=[OrganizationQuerySerializer],  # type: ignore[list-item]
)
class OrganizationViewSet(VersionedViewSet):
    """Organizations: clients, prospects, competitors, partners, suppliers, intermediaries.

    Not deleted through the API: a client that is gone stays, for its history.
    """

    queryset = Organization.objects.all()
    output_serializer_class = s.OrganizationSerializer
    update_serializer_class = s.OrganizationUpdateSerializer

    def filter_queryset(self, queryset: QuerySet[Organization]) -> QuerySet[Organization]:
        if self.action != "list":
            return queryset
        query = OrganizationQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params.get("q"):
            queryset = queryset.filter(matching(params["q"]))
        for field in ("kind", "is_private"):
            if params.get(field) is not None:
                queryset = queryset.filter(**{field: params[field]})
        for field in ("account_manager", "region", "industry"):
            if params.get(field) is not None:
                queryset = queryset.filter(**{f"{field}_id": params[field]})
        ordering = params.get("ordering") or "name"
        tie = "-id" if ordering.startswith("-") else "id"
        return queryset.order_by(ordering, tie)

    def create_object(self, data: dict[str, Any]) -> Organization:
        return services.organization_create(user=self.request.user, data=data)

    def update_object(
        self, instance: Organization, data: dict[str, Any], expected_version: int
    ) -> Organization:
        return services.organization_update(
            user=self.request.user,
            organization=instance,
            data=data,
            expected_version=expected_version,
        )


# --- Contact persons --------------------------------------------------------------------


@card_schema(
    s.ContactSerializer,
    update_serializer=s.ContactUpdateSerializer,
    filters=[_id_parameter("organization", "Only the people of this organization.")],
)
class ContactViewSet(VersionedViewSet):
    """Contact persons. One who left is not deleted: PATCH `status=left` with `left_on`."""

    queryset = Contact.objects.prefetch_related("decision_roles", "contact_points")
    scope_path = "organization"
    list_filters = {"organization": "organization_id"}
    output_serializer_class = s.ContactSerializer
    update_serializer_class = s.ContactUpdateSerializer

    @staticmethod
    def _lists(data: dict[str, Any]) -> dict[str, Any]:
        return {key: data.pop(key) for key in ("roles", "phones", "emails") if key in data}

    def create_object(self, data: dict[str, Any]) -> Contact:
        lists = self._lists(data)
        return services.contact_create(
            user=self.request.user, organization=data.pop("organization"), data=data, **lists
        )

    def update_object(
        self, instance: Contact, data: dict[str, Any], expected_version: int
    ) -> Contact:
        lists = self._lists(data)
        return services.contact_update(
            user=self.request.user,
            contact=instance,
            data=data,
            expected_version=expected_version,
            **lists,
        )


@card_schema(
    s.DecisionRoleSerializer,
    filters=[_id_parameter("contact", "Only this person's roles.")],
    deletable=True,
)
class DecisionRoleViewSet(Removable, CardViewSet):
    """The parts contact persons play in their organization's decisions."""

    queryset = DecisionRole.objects.all()
    output_serializer_class = s.DecisionRoleSerializer
    scope_path = "contact__organization"
    list_filters = {"contact": "contact_id"}

    def create_object(self, data: dict[str, Any]) -> DecisionRole:
        return services.decision_role_add(user=self.request.user, **data)

    def remove_object(self, obj: DecisionRole) -> None:
        services.decision_role_remove(user=self.request.user, decision_role=obj)


# --- Who knows whom ---------------------------------------------------------------------


@card_schema(
    s.RelationshipSerializer,
    update_serializer=s.RelationshipUpdateSerializer,
    filters=[
        _id_parameter("contact", "Who knows this person."),
        _id_parameter("staff", "Whom this staff member knows."),
    ],
    deletable=True,
)
class RelationshipViewSet(Removable, VersionedViewSet):
    """Who on our side knows whom on theirs, how warmly (1–5), and since when no touch."""

    queryset = Relationship.objects.all()
    scope_path = "contact__organization"
    list_filters = {"contact": "contact_id", "staff": "staff_id"}
    output_serializer_class = s.RelationshipSerializer
    update_serializer_class = s.RelationshipUpdateSerializer

    def create_object(self, data: dict[str, Any]) -> Relationship:
        return services.relationship_create(user=self.request.user, data=data)

    def update_object(
        self, instance: Relationship, data: dict[str, Any], expected_version: int
    ) -> Relationship:
        return services.relationship_update(
            user=self.request.user,
            relationship=instance,
            data=data,
            expected_version=expected_version,
        )

    def remove_object(self, obj: Relationship) -> None:
        services.relationship_remove(user=self.request.user, relationship=obj)


# --- Events -----------------------------------------------------------------------------


@card_schema(
    s.EventSerializer,
    update_serializer=s.EventUpdateSerializer,
    filters=[_id_parameter("organization", "Only this organization's events.")],
    deletable=True,
)
class EventViewSet(Removable, VersionedViewSet):
    """Notable events at a client and important dates (yearly ones feed reminders)."""

    queryset = Event.objects.all()
    scope_path = "organization"
    list_filters = {"organization": "organization_id", "contact": "contact_id"}
    output_serializer_class = s.EventSerializer
    update_serializer_class = s.EventUpdateSerializer

    def create_object(self, data: dict[str, Any]) -> Event:
        return services.event_create(
            user=self.request.user, organization=data.pop("organization"), data=data
        )

    def update_object(self, instance: Event, data: dict[str, Any], expected_version: int) -> Event:
        return services.event_update(
            user=self.request.user, event=instance, data=data, expected_version=expected_version
        )

    def remove_object(self, obj: Event) -> None:
        services.event_remove(user=self.request.user, event=obj)


# --- Dossiers and products --------------------------------------------------------------


@card_schema(
    s.DossierEntrySerializer,
    filters=[
        _id_parameter("organization", "Entries on this organization and its people."),
        _id_parameter("contact", "Entries on this person."),
        _id_parameter("product", "Entries on this product."),
    ],
    deletable=True,
)
class DossierEntryViewSet(Removable, CardViewSet):
    """Dated dossier entries on organizations, persons and products."""

    queryset = DossierEntry.objects.all()
    output_serializer_class = s.DossierEntrySerializer
    scope_path = "organization"
    list_filters = {
        "organization": "organization_id",
        "contact": "contact_id",
        "product": "product_id",
    }

    def get_queryset(self) -> QuerySet[DossierEntry]:
        # A product's entries belong to no client, so everyone who may read sees them.
        product_entries = DossierEntry.objects.filter(organization__isnull=True)
        if not access.role_of(self.request.user):
            product_entries = product_entries.none()
        return super().get_queryset() | product_entries

    def create_object(self, data: dict[str, Any]) -> DossierEntry:
        return services.dossier_add(user=self.request.user, data=data)

    def remove_object(self, obj: DossierEntry) -> None:
        services.dossier_remove(user=self.request.user, entry=obj)


@card_schema(s.ProductSerializer, update_serializer=s.ProductUpdateSerializer)
class ProductViewSet(VersionedViewSet):
    """Products and services: ours and others', with analogues and substitutes.

    Products belong to no client, so every signed-in user sees them all.
    """

    queryset = Product.objects.prefetch_related("analogues", "substitutes")
    output_serializer_class = s.ProductSerializer
    update_serializer_class = s.ProductUpdateSerializer

    def get_queryset(self) -> QuerySet[Product]:
        # No path leads from a product to one client; only signing in matters.
        queryset = Product.objects.prefetch_related("analogues", "substitutes")
        return queryset if access.role_of(self.request.user) else queryset.none()

    def create_object(self, data: dict[str, Any]) -> Product:
        return services.product_create(user=self.request.user, data=data)

    def update_object(
        self, instance: Product, data: dict[str, Any], expected_version: int
    ) -> Product:
        return services.product_update(
            user=self.request.user, product=instance, data=data, expected_version=expected_version
        )


# --- Phones, e-mails, bank accounts -----------------------------------------------------


@card_schema(
    s.ContactPointSerializer,
    filters=[
        _id_parameter("organization", "This organization's phones and e-mails (its people's too)."),
        _id_parameter("contact", "This person's phones and e-mails."),
    ],
    deletable=True,
)
class ContactPointViewSet(Removable, CardViewSet):
    """Phones and e-mails of organizations and their people."""

    queryset = ContactPoint.objects.all()
    output_serializer_class = s.ContactPointSerializer
    scope_path = "organization"
    list_filters = {"organization": "organization_id", "contact": "contact_id"}

    def create_object(self, data: dict[str, Any]) -> ContactPoint:
        return services.contact_point_add(user=self.request.user, **data)

    def remove_object(self, obj: ContactPoint) -> None:
        services.contact_point_remove(user=self.request.user, point=obj)


@card_schema(
    s.BankAccountSerializer,
    filters=[_id_parameter("organization", "This organization's accounts.")],
    deletable=True,
)
class BankAccountViewSet(Removable, CardViewSet):
    """Organizations' bank accounts."""

    queryset = BankAccount.objects.all()
    output_serializer_class = s.BankAccountSerializer
    scope_path = "organization"
    list_filters = {"organization": "organization_id"}

    def create_object(self, data: dict[str, Any]) -> BankAccount:
        return services.bank_account_add(
            user=self.request.user, organization=data.pop("organization"), data=data
        )

    def remove_object(self, obj: BankAccount) -> None:
        services.bank_account_remove(user=self.request.user, account=obj)


# --- Tokens, schema, docs ---------------------------------------------------------------


class TokenView(KamradApi, APIView):
    """Exchange a username and password for an API token.

    Failed attempts count towards the same lockout as the sign-in page.
    """

    authentication_classes: ClassVar[list[type]] = []
    access_policy = (Rule.PUBLIC, Rule.PUBLIC)

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: ERRORS[400],
            429: OpenApiResponse(
                ErrorSerializer, description="Too many failed attempts: locked out for a while."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = s.TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # The request goes along so that django-axes counts failures and enforces lockout.
        user = authenticate(request, **credentials.validated_data)
        if getattr(request, "axes_locked_out", False):
            return Response(
                {"detail": str(_("Too many failed attempts. Try again later."))},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Wrong username or password.")]}
            )
        return Response({"token": api_services.token_issue(user=user).key})


class SchemaView(KamradApi, SpectacularAPIView):
    """The OpenAPI schema, for signed-in users and token holders."""

    renderer_classes = SpectacularAPIView.renderer_classes
    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)


class DocsView(KamradApi, SpectacularSwaggerSplitView):
    """Swagger UI on the schema, served from this server (no CDN, no inline script)."""

    renderer_classes = SpectacularSwaggerSplitView.renderer_classes
    authentication_classes: ClassVar[list[type]] = [SessionAuthentication]
    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)
    url_name = "api-schema"
    template_name = "api/docs.html"
