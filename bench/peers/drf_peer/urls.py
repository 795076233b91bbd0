from django.urls import include, path

from bench.peers.drf_peer.views import PostList, raw_posts

urlpatterns = [
    path("drf/posts/", PostList.as_view()),
    path("raw/posts/", raw_posts),
    path("", include("config.urls")),
]
