from django.urls import path

from kamrad.program import views

app_name = "program"

urlpatterns = [
    path("", views.current, name="current"),
    path("all/", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("worklist/", views.my_worklist, name="my_worklist"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/edit/", views.program_edit, name="edit"),
    path("<int:pk>/goals/", views.goal_edit, name="goals"),
    path("<int:pk>/staff/", views.staff, name="staff"),
    path("<int:pk>/staff/<int:member_pk>/", views.member_edit, name="member"),
    path("<int:pk>/clients/", views.clients, name="clients"),
    path("<int:pk>/clients/add/", views.clients_add, name="clients_add"),
    path("<int:pk>/clients/<int:organization_pk>/", views.client, name="client"),
    path(
        "<int:pk>/clients/<int:organization_pk>/assess/",
        views.client_assess,
        name="client_assess",
    ),
    path(
        "<int:pk>/clients/<int:organization_pk>/reassign/",
        views.client_reassign,
        name="client_reassign",
    ),
    path("<int:pk>/proposal/", views.proposal, name="proposal"),
    path("<int:pk>/proposal/new/", views.proposal_new, name="proposal_new"),
    path("<int:pk>/proposal/confirm/", views.proposal_confirm, name="proposal_confirm"),
    path("<int:pk>/proposal/lines/<int:line_pk>/move/", views.line_move, name="line_move"),
    path("<int:pk>/proposal/lines/<int:line_pk>/lock/", views.line_lock, name="line_lock"),
    path("<int:pk>/reassignments/", views.reassignments, name="reassignments"),
    path("<int:pk>/worklist/<int:user_pk>/", views.worklist, name="worklist"),
    path("<int:pk>/coverage/", views.coverage, name="coverage"),
    path("<int:pk>/coverage/export/", views.coverage_export, name="coverage_export"),
]
