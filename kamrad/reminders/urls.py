from django.urls import path

from kamrad.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_list, name="list"),
    path("badge/", views.reminder_badge, name="badge"),
    path("done/", views.reminder_done, name="done"),
    path("snooze/", views.reminder_snooze, name="snooze"),
    path("feed/", views.feed_page, name="feed"),
    path("feed/<str:token>.ics", views.feed_ics, name="feed_ics"),
    path("settings/", views.settings_page, name="settings"),
]
