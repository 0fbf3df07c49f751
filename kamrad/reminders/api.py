"""The reminders API: the user's own reminders, Done and Snooze by key, the personal calendar
feed (create / revoke) and the thresholds (the head changes them). A key naming something the
user has no reminder of answers 404."""

from __future__ import annotations

import datetime

from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from kamrad.api.views import KamradApi, _errors
from kamrad.reminders import engine, services
from kamrad.reminders.models import ReminderSettings
from kamrad.users.access import Rule


class ReminderSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=engine.KINDS)
    title = serializers.CharField()
    due = serializers.DateField()
    at = serializers.DateTimeField(allow_null=True)
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField()
    url = serializers.CharField()


class KeySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=120)


class SnoozeSerializer(KeySerializer):
    days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        today = timezone.localdate()
        if attrs.get("days"):
            attrs["until"] = today + datetime.timedelta(days=attrs["days"])
        if not attrs.get("until") or attrs["until"] <= today:
            raise serializers.ValidationError({"until": "Give days or a date after today."})
        return attrs


class MarkSerializer(serializers.Serializer):
    key = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    snoozed_until = serializers.DateField(allow_null=True)


class FeedSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Shown once: only a hash of its secret is kept.")


class SettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReminderSettings
        fields = [
            "meetings_ahead_days",
            "dates_ahead_days",
            "unmet_after_days",
            "untouched_after_days",
        ]


class ReminderListView(KamradApi, APIView):
    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)

    @extend_schema(responses={200: ReminderSerializer(many=True), **_errors(401)})
    def get(self, request: Request) -> Response:
        return Response(ReminderSerializer(engine.reminders_for(request.user), many=True).data)


class DoneView(KamradApi, APIView):
    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)

    @extend_schema(request=KeySerializer, responses={200: MarkSerializer, **_errors(400, 401, 404)})
    def post(self, request: Request) -> Response:
        given = KeySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        mark = services.mark_done(user=request.user, key=given.validated_data["key"])
        return Response(MarkSerializer(mark).data)


class SnoozeView(KamradApi, APIView):
    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)

    @extend_schema(
        request=SnoozeSerializer, responses={200: MarkSerializer, **_errors(400, 401, 404)}
    )
    def post(self, request: Request) -> Response:
        given = SnoozeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        mark = services.snooze(user=request.user, key=data["key"], until=data["until"])
        return Response(MarkSerializer(mark).data)


class FeedView(KamradApi, APIView):
    access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)

    @extend_schema(request=None, responses={201: FeedSerializer, **_errors(401)})
    def post(self, request: Request) -> Response:
        token = services.feed_create(user=request.user)
        url = request.build_absolute_uri(reverse("reminders:feed_ics", args=[token]))
        return Response({"url": url}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **_errors(401)})
    def delete(self, request: Request) -> Response:
        services.feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsView(KamradApi, APIView):
    access_policy = (Rule.SIGNED_IN, Rule.HEAD)

    @extend_schema(responses={200: SettingsSerializer, **_errors(401)})
    def get(self, request: Request) -> Response:
        return Response(SettingsSerializer(ReminderSettings.load()).data)

    @extend_schema(
        request=SettingsSerializer, responses={200: SettingsSerializer, **_errors(400, 401, 403)}
    )
    def put(self, request: Request) -> Response:
        given = SettingsSerializer(ReminderSettings.load(), data=request.data)
        given.is_valid(raise_exception=True)
        given.save()
        return Response(given.data)


# Paths that must come before the router's (a fixed word the router would take for an id).
urlpatterns: list = [
    path("reminders/", ReminderListView.as_view(), name="reminders"),
    path("reminders/done/", DoneView.as_view(), name="reminders-done"),
    path("reminders/snooze/", SnoozeView.as_view(), name="reminders-snooze"),
    path("reminders/feed/", FeedView.as_view(), name="reminders-feed"),
    path("reminders/settings/", SettingsView.as_view(), name="reminders-settings"),
]


def register(router: SimpleRouter) -> None:
    """Add this app's API collections to the API's router."""
