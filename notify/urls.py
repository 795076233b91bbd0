from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
]
