"""One-line start-up errors instead of a traceback wall."""

import sys
from typing import NoReturn


def exit_with(what: str, exc: BaseException) -> NoReturn:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    sys.stderr.write(f"Agora: {what}: {message}\n")
    raise SystemExit(1)
