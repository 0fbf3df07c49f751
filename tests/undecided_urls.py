"""The real URL configuration plus two routes that forgot to say who may use them."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from kamrad.urls import urlpatterns as real_urlpatterns


def undecided_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("anyone?")


class UndecidedApi(APIView):
    def get(self, request: HttpRequest) -> Response:
        return Response({"anyone": True})


urlpatterns = [
    *real_urlpatterns,
    path("undecided-page/", undecided_page),
    path("undecided-api/", UndecidedApi.as_view()),
]
