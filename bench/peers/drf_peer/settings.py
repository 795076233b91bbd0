"""Agora with two more endpoints over the same models and data, for the API benchmark:
`/drf/posts/` (Django REST Framework, the brief's original API stack) and `/raw/posts/`
(a JsonResponse of `.values()`, the practical limit). Everything else is Agora's."""

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]  # noqa: F405
ROOT_URLCONF = "bench.peers.drf_peer.urls"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
