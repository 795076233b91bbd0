from django.urls import include, path

from bench.peers.channels_peer.views import broadcast

urlpatterns = [
    path("broadcast/", broadcast),
    path("", include("config.urls")),
]
