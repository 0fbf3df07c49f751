from django.urls import path

from kamrad.questionnaires import editor, views

app_name = "questionnaires"

urlpatterns = [
    path("", editor.template_list, name="list"),
    path("checks/", editor.checks, name="checks"),
    path("checks/<int:check_pk>/", editor.check_edit, name="check"),
    path("<int:pk>/", editor.template_page, name="template"),
    path("<int:pk>/pdf/", views.template_pdf, name="pdf"),
    path("<int:pk>/publish/", editor.template_action, {"action": "publish"}, name="publish"),
    path("<int:pk>/default/", editor.template_action, {"action": "default"}, name="default"),
    path("<int:pk>/duplicate/", editor.template_action, {"action": "duplicate"}, name="duplicate"),
    path("<int:pk>/sections/", editor.section_add, name="section_add"),
    path("sections/<int:section_pk>/", editor.section_edit, name="section"),
    path("sections/<int:section_pk>/questions/", editor.question_add, name="question_add"),
    path(
        "sections/<int:section_pk>/up/", editor.section_change, {"action": "up"}, name="section_up"
    ),
    path(
        "sections/<int:section_pk>/down/",
        editor.section_change,
        {"action": "down"},
        name="section_down",
    ),
    path(
        "sections/<int:section_pk>/delete/",
        editor.section_change,
        {"action": "delete"},
        name="section_delete",
    ),
    path("questions/<int:question_pk>/", editor.question_edit, name="question"),
    path(
        "questions/<int:question_pk>/up/",
        editor.question_change,
        {"action": "up"},
        name="question_up",
    ),
    path(
        "questions/<int:question_pk>/down/",
        editor.question_change,
        {"action": "down"},
        name="question_down",
    ),
    path(
        "questions/<int:question_pk>/delete/",
        editor.question_change,
        {"action": "delete"},
        name="question_delete",
    ),
    path("versions/<int:version_pk>/", editor.version_page, name="version"),
]
