import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import translation

from tests.factories import PASSWORD, UserFactory
from tests.live import Server, daphne


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # allauth's rate limits live in the cache; one test's attempts must not limit the next.
    # The rendered fragments too: ids come again in the next test's fresh rows.
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(scope="session", autouse=True)
def _test_media_folder() -> Iterator[None]:
    # The run's own media folder (config/settings_test.py) goes when the run ends.
    yield
    if Path(settings.MEDIA_ROOT).name.startswith("test-media-"):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """An empty media folder of the test's own, where uploads go."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[str]:
    """Every file under `root`, by its name relative to it."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request in Russian leaves Russian active in the test's thread (LocaleMiddleware
    # activates a request's language and, as on a server thread, the next request resets
    # it); code a later test runs outside a request would otherwise speak Russian.
    yield
    translation.deactivate()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="moderator", is_staff=True)


@pytest.fixture
def user_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_client(other_user) -> Client:
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def daphne_server(transactional_db, tmp_path) -> Iterator[Server]:
    """A real daphne process on a free port, sharing the test database."""
    with daphne(tmp_path) as server:
        yield server
