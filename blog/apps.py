from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, pre_delete

        from blog import receivers

        for signal, receiver in (
            (pre_delete, receivers.user_deleting),
            (post_delete, receivers.user_deleted),
        ):
            signal.connect(
                receiver,
                sender=settings.AUTH_USER_MODEL,
                dispatch_uid=f"blog.receivers.{receiver.__name__}",
            )
