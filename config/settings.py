"""Agora settings, read from the environment (and an optional `.env` file).

Development (`DEBUG=true`, what `make run` writes into `.env`) needs nothing else.
Production (`DEBUG` false or unset) requires `SECRET_KEY` and `ALLOWED_HOSTS` and turns on
the secure-cookie, HSTS and HTTPS settings, so `manage.py check --deploy` passes.
"""

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import environ
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigError(ImproperlyConfigured):
    """A setting is missing or malformed; the message names the variable."""


env = environ.Env()
ENV_FILE = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    # Values already in the environment win over the file.
    env.read_env(ENV_FILE, overwrite=False)


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


DEBUG = _bool("DEBUG", False)
PRODUCTION = not DEBUG

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ConfigError(
            "SECRET_KEY is not set: production mode (DEBUG is off) needs a long random "
            "SECRET_KEY in the environment"
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
elif PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ConfigError("SECRET_KEY is too weak for production: use at least 50 random characters")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ConfigError(
            "ALLOWED_HOSTS is not set: production mode needs the site's host names, "
            "comma-separated (e.g. ALLOWED_HOSTS=agora.example.com)"
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Web apps on these origins may call the API from the browser (django-cors-headers). They
# authenticate with allauth's app client and X-Session-Token: no cookies cross origins.
CORS_ALLOWED_ORIGINS = [
    o.strip().rstrip("/")
    for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",")
    if o.strip()
]
for _origin in CORS_ALLOWED_ORIGINS:
    if not re.fullmatch(r"https?://[^/?#\s]+", _origin):
        raise ConfigError(
            "CORS_ALLOWED_ORIGINS must list origins like https://app.example.com, "
            f"comma-separated, not {_origin!r}"
        )
# The API and allauth's app client (to get a session token); never the HTML pages or the
# cookie-based browser client.
CORS_URLS_REGEX = r"^/(api|_allauth/app)/"
CORS_ALLOW_HEADERS = (*default_cors_headers, "x-session-token")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "django_eventstream",
    "ninja",
    "corsheaders",
    "imagekit",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "config",
    "blog",
    "shop",
    "notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RequestTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.AuthenticationMiddleware",  # Django's, the user kept per version
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: the chain runs in sync mode, one thread hop per request (config/middleware.py).
    "config.middleware.sync_chain",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notify.context_processors.notifications",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file next to manage.py.
_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL") or _default_db
_scheme = _db_url.split("://", 1)[0] if "://" in _db_url else ""
if _scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
    raise ConfigError(
        "DATABASE_URL must look like sqlite:////path/to/db.sqlite3 or "
        f"postgres://user:password@host:5432/name, not {_db_url!r}"
    )
try:
    _db = env.db_url_config(_db_url)
except Exception as exc:  # environ raises several types for a malformed URL
    raise ConfigError(f"DATABASE_URL is not a valid database URL ({exc})") from None
if _db.get("ENGINE") not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ConfigError(
        f"DATABASE_URL must start with sqlite:/// or postgres://, not {_db_url.split(':')[0]}://"
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # Writers take the lock when the transaction starts and wait for it (up to
            # `timeout` seconds) instead of failing later with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Opening a SQLite connection (its functions, the PRAGMAs) cost about as much CPU as a
    # small API answer: each request thread keeps its own (a file, no server resource).
    _db["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 600)
else:
    _db["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 0)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_RATE_LIMITS_ENABLED = True  # allauth's defaults: login failures, signup, reset...
ACCOUNT_USERNAME_MIN_LENGTH = 3
# The rate limits count per client address. Behind N reverse proxies that append to
# X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), the client is the Nth address from the
# right; with 0 the header is ignored (anybody can send it) and REMOTE_ADDR counts.
ALLAUTH_TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ConfigError(
        "TRUSTED_PROXY_COUNT must be the number of reverse proxies in front of Agora (0 or more)"
    )
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app", "browser")
# The accounts API's OpenAPI description at /_allauth/openapi.json (and .yaml). Not its
# HTML page: that loads Redoc from a CDN, which the Content-Security-Policy forbids.
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_SPECIFICATION_TEMPLATE_NAME = None
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# Mail: printed to the console in development; in production SMTP from EMAIL_URL
# (smtp://user:password@host:587, or smtps:// for implicit TLS), or EMAIL_BACKEND by path.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _m = urlparse(EMAIL_URL)
    if _m.scheme not in {"smtp", "smtps"} or not _m.hostname:
        raise ConfigError(
            f"EMAIL_URL must look like smtp://user:password@host:587, not {_m.scheme}://"
        )
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _m.hostname,
                "port": _m.port or (465 if _m.scheme == "smtps" else 587),
                "username": unquote(_m.username or ""),
                "password": unquote(_m.password or ""),
                "use_tls": _m.scheme == "smtp",
                "use_ssl": _m.scheme == "smtps",
                "timeout": 10,
            },
        }
    }
else:
    if PRODUCTION and not os.environ.get("EMAIL_BACKEND"):
        raise ConfigError(
            "EMAIL_URL is not set: production mode needs an SMTP server for account e-mail "
            "(EMAIL_URL=smtp://user:password@host:587), or EMAIL_BACKEND naming a backend"
        )
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
            ),
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Agora <agora@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the app folders when collectstatic has not run (development, tests).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Uploaded files (product photos): a folder served by Agora itself (shop.views.media), or an
# S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set (django-storages), for several
# machines. docs/DEPLOY.md says which to use when.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media").resolve()


def _origin(url: str, variable: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{variable} must be an http(s):// URL, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def s3_media(environ: Mapping[str, str]) -> tuple[dict, list[str]]:
    """The S3 storage the AWS_* variables describe, and the origins its URLs have (for the
    CSP's img-src)."""
    bucket = environ["AWS_STORAGE_BUCKET_NAME"]
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "")
    region = environ.get("AWS_S3_REGION_NAME", "")
    domain = environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip().strip("/")
    options: dict = {
        "bucket_name": bucket,
        "location": environ.get("AWS_LOCATION", "").strip("/"),
        # Public URLs: pages (and the previews other sites make of them) keep working for
        # as long as the photo exists; signed ones expire. The bucket lets anybody read.
        "querystring_auth": environ.get("AWS_QUERYSTRING_AUTH", "").lower()
        in {"1", "true", "yes", "on"},
        "file_overwrite": False,
        # Every name is new (a random one per upload), so what is under a name never changes.
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    origins = []
    if endpoint:
        # Another S3-compatible service (MinIO, Ceph, R2...): buckets in the path, which
        # every such service understands and which keeps the origin the endpoint's.
        options.update(endpoint_url=endpoint, addressing_style="path")
        origins.append(_origin(endpoint, "AWS_S3_ENDPOINT_URL"))
    if region:
        options["region_name"] = region
    if domain:
        options["custom_domain"] = domain
        origins = [f"https://{domain}"]
    elif not endpoint:
        origins.append(f"https://{bucket}.s3.amazonaws.com")
        if region:
            origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    # Without them, boto3 finds credentials its own way (an instance role, ~/.aws...).
    for name, option in (
        ("AWS_ACCESS_KEY_ID", "access_key"),
        ("AWS_SECRET_ACCESS_KEY", "secret_key"),
    ):
        if environ.get(name):
            options[option] = environ[name]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origins


# Origins the pages load photos from, besides their own (the CSP's img-src).
MEDIA_ORIGINS: list[str] = []
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    try:
        import storages.backends.s3  # noqa: F401
    except ImportError:
        raise ConfigError(
            "AWS_STORAGE_BUCKET_NAME is set but django-storages is not installed: "
            "pip install '.[s3]'"
        ) from None
    STORAGES["default"], MEDIA_ORIGINS = s3_media(os.environ)

# Product photos: what an upload may be (shop/images.py). Larger files are refused before
# they are decoded; larger images are refused before their pixels are.
PHOTO_MAX_BYTES = _int("PHOTO_MAX_MB", 10) * 1024 * 1024
if PHOTO_MAX_BYTES <= 0:
    raise ConfigError("PHOTO_MAX_MB must be a positive number of megabytes")
# Thumbnails (django-imagekit) are made when a photo is stored, once; pages only name them.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_SPEC_CACHEFILE_NAMER = "imagekit.cachefiles.namers.source_name_dot_hash"
IMAGEKIT_CACHEFILE_DIR = "thumbnails"

# Security headers on every response.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not SECURE_HSTS_PRELOAD:
        # check --deploy would warn that preload is off; it is a deliberate opt-in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Requests of one server process that run their Python at once (config/handlers.py: Turns).
# One is fastest where the database answers in microseconds (SQLite); with a database across
# a network, 2-4 let one request run while another waits for its answer.
REQUEST_TURNS = _int("REQUEST_TURNS", 1)
if not 1 <= REQUEST_TURNS <= 32:
    raise ConfigError("REQUEST_TURNS must be a whole number from 1 to 32")

# django-eventstream: the stream reads the notification history, so a client resumes from
# Last-Event-ID however long it was away; notify.channels decides who reads which channel.
EVENTSTREAM_STORAGE_CLASS = "notify.storage.NotificationStorage"
EVENTSTREAM_CHANNELMANAGER_CLASS = "notify.channels.ChannelManager"
# Each server process reads the history's newest rows this often (one indexed query for the
# whole process), so a notification stored by any other process reaches its open streams.
NOTIFY_WATCH_SECONDS = _int("NOTIFY_WATCH_MS", 1000) / 1000
# Live pages: count updates of one post or product go out at most once per this interval.
NOTIFY_LIVE_COALESCE_SECONDS = _int("NOTIFY_LIVE_COALESCE_MS", 300) / 1000
if NOTIFY_WATCH_SECONDS <= 0:
    raise ConfigError("NOTIFY_WATCH_MS must be a positive number of milliseconds")
if NOTIFY_LIVE_COALESCE_SECONDS < 0:
    raise ConfigError("NOTIFY_LIVE_COALESCE_MS must be zero or a positive number of milliseconds")
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    from urllib.parse import urlparse

    _u = urlparse(REDIS_URL)
    if _u.scheme not in {"redis", "rediss"} or not _u.hostname:
        raise ConfigError(f"REDIS_URL must look like redis://host:6379/0, not {REDIS_URL!r}")
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    EVENTSTREAM_REDIS = {
        "host": _u.hostname,
        "port": _u.port or 6379,
        "db": int((_u.path or "/0").lstrip("/") or 0),
        "ssl": _u.scheme == "rediss",
        # Publishing happens inside a request: fail fast when Redis is away (the notification
        # is stored and delivered on reconnection) rather than retrying for seconds.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "retry": Retry(NoBackoff(), 1),
    }
    if _u.password:
        EVENTSTREAM_REDIS["password"] = _u.password

# The cache holds allauth's rate-limit counters (failed logins, signups, resets): with Redis
# every process counts the same attempts; in local memory each process counts its own.
# django-redis with IGNORE_EXCEPTIONS: while Redis is away the cache misses instead of
# failing, so signing in keeps working (without the shared limits until Redis is back).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "agora",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 2,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions read from the shared cache, the database only on a miss (and always written
    # there): no session query on most requests. Only with Redis: a session kept in one
    # process's memory would outlive a logout made in another process.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Django's database sessions, read with one prepared statement (config/sessions.py).
    SESSION_ENGINE = "config.sessions"
# Rendered post and product cards ({% cache %} in the templates): each key names everything
# the fragment shows (the row's update time, its counts, the language...), so a change is a
# new key and nothing needs invalidating across processes; each process keeps its own, in
# memory, without a network round trip per card.
# Rows read by the lists and pages, kept under the content version (config/versions.py):
# each process's memory, like the cards.
CACHES["reads"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "reads",
    "TIMEOUT": 300,
    "OPTIONS": {"MAX_ENTRIES": 2_000},  # 3–26 KB each: at most ~50 MB
}
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}

GRIP_URL = os.environ.get("GRIP_URL", "")
if GRIP_URL:
    # Pushpin (or another GRIP proxy) holds the stream connections; Django answers each
    # stream request once with instructions, and publishes events to the proxy's control URL,
    # e.g. GRIP_URL=http://127.0.0.1:5561?iss=pushpin&key=<pushpin's sig_key>.
    if not GRIP_URL.startswith(("http://", "https://")):
        raise ConfigError(f"GRIP_URL must be the proxy's http:// control URL, not {GRIP_URL!r}")
    MIDDLEWARE.insert(0, "django_grip.GripMiddleware")

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
