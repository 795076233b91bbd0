"""Settings for the test suite: the real settings, with test-only defaults filled in first."""

import os

# The tests never read a developer's .env; what they need is set here or by the test itself.
os.environ["ENV_FILE"] = os.environ.get("AGORA_TEST_ENV_FILE", "/nonexistent/.env")
os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

# Hashing passwords the slow way only slows the suite; the hasher is not what is under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# A file (not :memory:) so a real daphne process can share it; one per test run so that
# several runs (and xdist workers, which add their own suffix) never share a file.
(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
# Uploaded photos go to a folder of this process's own (a daphne the tests start is told it,
# tests/live.py), removed when the run ends (tests/conftest.py).
MEDIA_ROOT = Path(  # noqa: F405
    os.environ.get("AGORA_TEST_MEDIA_ROOT") or BASE_DIR / "var" / f"test-media-{os.getpid()}"  # noqa: F405
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
