from django.urls import path

from blog import views
from blog.feeds import AuthorPostsFeed, LatestPostsFeed

app_name = "blog"
urlpatterns = [
    path("", views.post_list, name="post-list"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", views.post_update, name="post-update"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post-delete"),
    path("posts/<int:pk>/react/", views.post_react, name="post-react"),
    path("posts/<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("comments/<int:pk>/edit/", views.comment_update, name="comment-update"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("authors/<str:username>/", views.author_posts, name="author-posts"),
    path("feed/", LatestPostsFeed(), name="post-feed"),
    path("authors/<str:username>/feed/", AuthorPostsFeed(), name="author-feed"),
]
