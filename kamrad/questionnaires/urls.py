from django.urls import path

from kamrad.questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path("<int:pk>/pdf/", views.template_pdf, name="pdf"),
]
