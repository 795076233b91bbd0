from django.core.management.base import BaseCommand

from shop import services


class Command(BaseCommand):
    help = "Recount every product's stored number of items sold from its purchases."

    def handle(self, *args, **options) -> None:
        count = services.product_counts_refresh()
        self.stdout.write(f"Recounted {count} products.")
