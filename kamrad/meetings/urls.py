from django.urls import path

from kamrad.meetings import views
from kamrad.questionnaires import views as questionnaire_views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("plan/", views.plan, name="plan"),
    path("<int:meeting_pk>/", views.detail, name="detail"),
    path("<int:meeting_pk>/edit/", views.edit, name="edit"),
    path("<int:meeting_pk>/hold/", views.hold, name="hold"),
    path("<int:meeting_pk>/cancel/", views.cancel, name="cancel"),
    path("<int:meeting_pk>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("<int:meeting_pk>/questionnaire.pdf", questionnaire_views.meeting_pdf, name="pdf"),
    path("<int:meeting_pk>/review/", views.review, name="review"),
    path("client/<int:organization_pk>/", views.for_client, name="for_client"),
    path("client/<int:organization_pk>/work-item/", views.work_item_add, name="work_item_add"),
    path(
        "client/<int:organization_pk>/opportunity/", views.opportunity_add, name="opportunity_add"
    ),
    path("work-items/", views.work_item_list, name="work_items"),
    path("work-items/<int:work_item_pk>/", views.work_item, name="work_item"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/<int:opportunity_pk>/", views.opportunity, name="opportunity"),
]
