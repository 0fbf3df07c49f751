from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kamrad.users import views as user_views
from kamrad.users.access import Rule, policy

urlpatterns = [
    path("", user_views.home, name="home"),
    path("login/", user_views.login_view, name="login"),
    path(
        "logout/",
        policy(read=Rule.SIGNED_IN, write=Rule.SIGNED_IN)(auth_views.LogoutView.as_view()),
        name="logout",
    ),
    path("language/", user_views.language, name="set_language"),
    path("clients/", include("kamrad.clients.urls")),
    path("", include("kamrad.value.urls")),
    path("pyramid/", include("kamrad.pyramid.urls")),
    path("qualification/", include("kamrad.qualification.urls")),
    path("program/", include("kamrad.program.urls")),
    path("imports/", include("kamrad.imports.urls")),
    path("questionnaires/", include("kamrad.questionnaires.urls")),
    path("meetings/", include("kamrad.meetings.urls")),
    path("reminders/", include("kamrad.reminders.urls")),
    path("reports/", include("kamrad.reports.urls")),
    path("api/", include("kamrad.api.urls")),
    path("admin/", admin.site.urls),
]
