"""Production refuses to serve before `collectstatic`, instead of a 500 on every page."""

import subprocess
import sys

import pytest

from tests.config.test_security import production_env
from tests.live import BASE_DIR, free_port


def start(module_or_daphne: str, env: dict) -> subprocess.CompletedProcess:
    if module_or_daphne == "daphne":
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(free_port())]
        command.append("config.asgi:application")
    else:
        command = [sys.executable, "-c", f"import {module_or_daphne}"]
    return subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("entry_point", ["daphne", "config.wsgi"])
def test_production_without_collectstatic_refuses_to_start_with_one_line(tmp_path, entry_point):
    static_root = tmp_path / "static"
    env = production_env(STATIC_ROOT=str(static_root), DATABASE_URL=f"sqlite:///{tmp_path}/db")
    result = start(entry_point, env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Agora: configuration error:")
    assert "collectstatic" in lines[0]
    assert str(static_root) in lines[0]


def test_development_needs_no_collectstatic(tmp_path):
    env = production_env(
        DEBUG="true", STATIC_ROOT=str(tmp_path / "static"), DATABASE_URL=f"sqlite:///{tmp_path}/db"
    )
    result = start("config.asgi", env)
    assert result.returncode == 0, result.stderr
