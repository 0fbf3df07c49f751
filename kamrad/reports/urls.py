from django.urls import path

from kamrad.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/export.csv", views.meetings_export, {"kind": "csv"}, name="meetings_csv"),
    path("meetings/export.xlsx", views.meetings_export, {"kind": "xlsx"}, name="meetings_xlsx"),
]
