from django.core.management.base import BaseCommand

from blog import services


class Command(BaseCommand):
    help = "Recount every post's stored like, dislike and comment counts from the rows."

    def handle(self, *args, **options) -> None:
        count = services.post_counts_refresh()
        self.stdout.write(f"Recounted {count} posts.")
