"""A missing or bad setting stops start-up with one clear line naming the variable."""

import socket
import subprocess
import sys

import pytest

from tests.config.test_security import manage, production_env
from tests.live import BASE_DIR


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"EMAIL_URL": None}, "EMAIL_URL"),
        ({"EMAIL_URL": "http://mail"}, "EMAIL_URL"),
        ({"DATABASE_URL": "mysql://db/agora"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ({"GRIP_URL": "localhost:5561"}, "GRIP_URL"),
        ({"REQUEST_TURNS": "0"}, "REQUEST_TURNS"),
        ({"REQUEST_TURNS": "many"}, "REQUEST_TURNS"),
        ({"PHOTO_MAX_MB": "lots"}, "PHOTO_MAX_MB"),
        ({"PHOTO_MAX_MB": "0"}, "PHOTO_MAX_MB"),
        (
            {"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ENDPOINT_URL": "minio:9000"},
            "AWS_S3_ENDPOINT_URL",
        ),
    ],
)
def test_bad_setting_gives_one_line_naming_the_variable(overrides, variable):
    result = manage("check", env=production_env(**overrides))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Agora: configuration error:")
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_gives_one_line(tmp_path):
    env = production_env(DATABASE_URL="postgres://nobody@127.0.0.1:9/agora")
    result = manage("migrate", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Agora: database error")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_development_mode_needs_no_settings(tmp_path):
    env = production_env(SECRET_KEY=None, ALLOWED_HOSTS=None, EMAIL_URL=None, DEBUG="true")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_a_taken_port_gives_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "config.startup", "check-port", "127.0.0.1", str(port)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Agora: cannot serve: 127.0.0.1:{port} is already in use (Address already in use); "
        f"stop the other server or choose another port, e.g. make run PORT={port + 1}"
    )


def test_the_database_is_set_up_for_concurrent_writers(db):
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        # Writers wait for the lock up front instead of failing with "database is locked".
        options = settings_dict["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 5
        assert "journal_mode=WAL" in options["init_command"]
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    else:
        assert connection.vendor == "postgresql"
        assert settings_dict["CONN_HEALTH_CHECKS"] is True
