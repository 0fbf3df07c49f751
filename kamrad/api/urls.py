from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from kamrad.users.access import Rule

schema_view = SpectacularAPIView.as_view()
schema_view.cls.access_policy = (Rule.SIGNED_IN, Rule.SIGNED_IN)

urlpatterns = [
    path("schema/", schema_view, name="api-schema"),
]
