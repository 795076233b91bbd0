"""The floor of a Django request: one view, no middleware, no database, no template.

`DJANGO_SETTINGS_MODULE=bench.peers.bare`; the servers take `bench.peers.bare_app`'s
applications. The view answers a small JSON list, the size of Agora's `/api/categories/`,
so the two compare as "Agora's middleware and session" against nothing.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

SECRET_KEY = "bench-bare-" + "k" * 50  # loopback only
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = __name__
DATABASES: dict = {}
USE_TZ = True

CATEGORIES = [
    {"id": i, "name": name, "slug": name.lower()}
    for i, name in enumerate(["Books", "Games", "Garden", "Home", "Kitchen", "Music"], 1)
]


def categories(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": len(CATEGORIES), "results": CATEGORIES})


urlpatterns = [path("", categories), path("bare/categories/", categories)]
