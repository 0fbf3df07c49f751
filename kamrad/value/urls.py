from django.urls import path

from kamrad.value import views

app_name = "value"

# The record kinds' addresses: /clients/<organization>/sales/add/, /clients/sales/<sale>/edit/.
_SEGMENTS = {
    "sales": "sales",
    "payments": "payments",
    "claims": "claims",
    "costs": "costs-to-serve",
    "accounts": "account-months",
}

urlpatterns = [
    path("clients/<int:pk>/work-history/", views.work_history, name="work_history"),
    path("clients/<int:pk>/indicators/", views.indicators, name="indicators"),
    path("clients/<int:pk>/indicators/csv/", views.export_csv, name="export_csv"),
    path("clients/<int:pk>/indicators/xlsx/", views.export_xlsx, name="export_xlsx"),
    path("rates/", views.rates, name="rates"),
    path("rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
]
for kind, segment in _SEGMENTS.items():
    add, edit, delete = views.RECORD_VIEWS[kind]
    urlpatterns += [
        path(f"clients/<int:pk>/{segment}/add/", add, name=f"{kind}_add"),
        path(f"clients/{segment}/<int:pk>/edit/", edit, name=f"{kind}_edit"),
        path(f"clients/{segment}/<int:pk>/delete/", delete, name=f"{kind}_delete"),
    ]
