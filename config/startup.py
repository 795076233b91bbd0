"""One-line start-up errors instead of a traceback wall."""

import socket
import sys
from typing import NoReturn


def exit_with(what: str, exc: BaseException | str) -> NoReturn:
    text = str(exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    sys.stderr.write(f"Agora: {what}: {message}\n")
    raise SystemExit(1)


def check_static_files() -> None:
    """Refuse to serve when the hashed static files are missing: every page would be a 500."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.exceptions import ImproperlyConfigured
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"the static files are not collected in STATIC_ROOT ({storage.location}): run "
            "`manage.py collectstatic --noinput` before starting (production mode)",
        )


def check_port(host: str, port: int) -> None:
    """Refuse to start when the port is taken, before daphne prints its own log lines."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            exit_with(
                "cannot serve",
                f"{host}:{port} is already in use ({exc.strerror}); stop the other server "
                f"or choose another port, e.g. make run PORT={port + 1}",
            )


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "check-port" or not sys.argv[3].isdigit():
        exit_with("usage", "python -m config.startup check-port HOST PORT")
    check_port(sys.argv[2], int(sys.argv[3]))
