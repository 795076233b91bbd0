from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from shop import receivers

        post_save.connect(
            receivers.user_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="shop.receivers.user_saved",
        )
