from django.urls import path

from kamrad.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.organization_list, name="list"),
    path("<int:pk>/", views.organization_card, name="card"),
]
