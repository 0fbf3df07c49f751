from django.urls import path

from kamrad.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_job, name="job"),
    path("<int:pk>/run/", views.import_run, name="run"),
    path("<int:pk>/problems.csv", views.import_errors, name="errors"),
]
