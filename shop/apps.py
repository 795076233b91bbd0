from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from shop import receivers
        from shop.models import ProductPhoto

        post_save.connect(
            receivers.user_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="shop.receivers.user_saved",
        )
        post_delete.connect(
            receivers.photo_deleted,
            sender=ProductPhoto,
            dispatch_uid="shop.receivers.photo_deleted",
        )
