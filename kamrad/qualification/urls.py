from django.urls import path

from kamrad.qualification import views

app_name = "qualification"

urlpatterns = [
    path("criteria/", views.criteria, name="criteria"),
    path("criteria/new/", views.criterion_create, name="criterion_create"),
    path("criteria/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/export/", views.candidates_export, name="candidates_export"),
    path("clients/<int:pk>/", views.verdict, name="verdict"),
    path("clients/<int:pk>/judged/", views.judged_mark, name="judged_mark"),
    path("clients/<int:pk>/attraction/", views.attraction_stage, name="attraction_stage"),
    path("clients/<int:pk>/decision/", views.decision, name="decision"),
]
