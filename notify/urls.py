from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("<int:pk>/read/", views.notification_read, name="notification-read"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("unread-count/", views.unread_badge, name="unread-badge"),
    path("new-posts/", views.new_posts_hint, name="new-posts"),
    path("stream/", views.events, name="events"),
]
