"""How the API answers when a request cannot be served: always JSON, never a 500 for bad input.

- bad input (the serializer's or the model's validation) → 400 `{field: [messages]}`;
- not signed in or a wrong token → 401; a viewer's write → 403;
- another manager's client, or anything that does not exist → 404 (the same answer, so
  the existence of someone else's client does not leak);
- an edit based on a stale version → 409 `{detail, current_version}` and the current `ETag`;
- a write that collides with a row saved at the same moment → 409 `{detail}`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

from kamrad.clients.services import StaleEdit


class VersionRequired(exceptions.ValidationError):
    """An edit of a versioned record came without the version the client read."""

    def __init__(self) -> None:
        super().__init__(
            {
                "version": [
                    _(
                        "Send the version you read (the 'version' field or an "
                        "If-Match header), so that nobody's change is overwritten."
                    )
                ]
            }
        )


def etag(version: int) -> str:
    return f'"{version}"'


def _field_errors(error: DjangoValidationError) -> Any:
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in error.message_dict.items()
    }


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, plus the errors Kamrad's services raise."""
    if isinstance(exc, StaleEdit):
        set_rollback()
        version = exc.current.version  # type: ignore[attr-defined]
        return Response(
            {"detail": str(exc), "current_version": version},
            status=status.HTTP_409_CONFLICT,
            headers={"ETag": etag(version)},
        )
    if isinstance(exc, DjangoValidationError):
        # The model's full_clean() in a service: the same field errors a serializer gives.
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, IntegrityError):
        set_rollback()
        return Response(
            {"detail": str(_("This change conflicts with data saved at the same moment."))},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, Http404):
        # The access helpers name the object in their message; the client gets none of it.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)


# --- Shapes of the error answers, for the schema ----------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class StaleEditSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField(
        required=False, help_text="The version saved now; reload the record to see it."
    )


class FieldErrorsSerializer(serializers.Serializer):
    """Field name → list of messages; `non_field_errors` for errors about the whole record."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
