#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    from config.startup import exit_with

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now to report a bad one clearly
    except ImproperlyConfigured as exc:
        exit_with("configuration error", exc)
    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        exit_with("database error (check DATABASE_URL and that the server is running)", exc)


if __name__ == "__main__":
    main()
