"""Announce something to everybody: stored, and published live to every open page."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from notify.models import Notification
from notify.services import notification_create


class Command(BaseCommand):
    help = "Send an announcement to everybody (the broadcast channel)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("text", help="the announcement, one line")
        parser.add_argument("--url", default="", help="a link to follow (a path like /shop/)")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["text"].strip()
        if not text:
            raise CommandError("the announcement text is empty")
        if options["url"] and not options["url"].startswith("/"):
            raise CommandError("--url must be a path on this site, starting with /")
        notification = notification_create(
            kind=Notification.Kind.ANNOUNCEMENT,
            recipient=None,
            actor=None,
            target_title=text,
            url=options["url"],
        )
        self.stdout.write(f"Announced (notification {notification.pk}).")
