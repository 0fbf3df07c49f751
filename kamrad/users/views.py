from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.i18n import set_language

from kamrad.users.access import Rule, policy


@policy(read=Rule.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    return redirect("clients:list")


# Django's LoginView rotates the session key at login (auth.login cycles it).
login_view = policy(read=Rule.PUBLIC, write=Rule.PUBLIC)(
    auth_views.LoginView.as_view(redirect_authenticated_user=True)
)


@policy(read=Rule.PUBLIC, write=Rule.PUBLIC)
def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (English, Russian) for this browser."""
    return set_language(request)
