from django.urls import path

from kamrad.pyramid import views

app_name = "pyramid"

urlpatterns = [
    path("", views.pyramid, name="pyramid"),
    path("clients/", views.tier_clients, name="clients"),
    path("clients/export/", views.tier_export, name="export"),
    path("moves/", views.tier_moves, name="moves"),
    path("settings/", views.settings_edit, name="settings"),
    path("recompute/", views.recompute, name="recompute"),
]
