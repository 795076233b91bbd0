"""Create demo users, posts, comments, reactions and products. Safe to run again."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from config.demo import DEMO_ADMIN, DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Load demo data (idempotent: existing demo objects are left as they are)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo superuser."
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        users = []
        for username, email, first_name in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": email, "first_name": first_name}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users.append(user)
        if not options["no_admin"]:
            username, email = DEMO_ADMIN
            if not User.objects.filter(username=username).exists():
                User.objects.create_superuser(username, email, DEMO_PASSWORD)

        for seed in _app_seeders():
            seed(users=users)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as {', '.join(u.username for u in users)} "
                f"(or {DEMO_ADMIN[0]} for /admin/) with the password {DEMO_PASSWORD!r}."
            )
        )


def _app_seeders() -> list[Any]:
    from blog.demo import seed as seed_blog
    from shop.demo import seed as seed_shop

    # The shop first: it gives every demo user a profile with credit.
    return [seed_shop, seed_blog]
