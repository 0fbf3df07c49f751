from django.urls import path

from kamrad.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_create, name="create"),
    path("similar/", views.organization_duplicates, name="duplicates"),
    path("<int:pk>/", views.organization_card, name="card"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/history/", views.organization_history, name="history"),
    path("<int:pk>/bank-accounts/", views.bank_account_add, name="bank_account_add"),
    path(
        "<int:pk>/bank-accounts/<int:account_pk>/remove/",
        views.bank_account_remove,
        name="bank_account_remove",
    ),
    path("<int:pk>/phones-emails/", views.point_add, name="point_add"),
    path("<int:pk>/phones-emails/<int:point_pk>/remove/", views.point_remove, name="point_remove"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/events/", views.event_add, name="event_add"),
    path("<int:pk>/dossier/", views.dossier_add, name="dossier_add"),
    path("<int:pk>/relationships/", views.relationship_add, name="relationship_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("relationships/<int:pk>/edit/", views.relationship_edit, name="relationship_edit"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_card, name="product_card"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/dossier/", views.product_dossier_add, name="product_dossier_add"),
]
