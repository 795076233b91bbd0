from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AgoraConfig(AppConfig):
    name = "config"
    verbose_name = "Agora"

    def ready(self) -> None:
        from config import versions

        # Every database connection of the process reports its content writes.
        connection_created.connect(versions.watch, dispatch_uid="agora-content-version")
