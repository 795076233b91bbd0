"""Agora's production settings (DEBUG off), as `docs/DEPLOY.md` runs them, for the benchmarks.

The environment `bench/common.py` gives the server (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
no SSL redirect on loopback) makes `config.settings` take its production branch. One thing
differs: static files are served from the app folders, as in development, so the benchmark
needs no `collectstatic` into the working tree. No measured page serves a static file.
"""

from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
