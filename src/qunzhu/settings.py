"""Django settings for qunzhu.

Everything a deployment changes comes from the environment:

- ``QUNZHU_DATA``: the data folder (default ``./qunzhu-data``): SQLite database, secret key,
  uploads.
- ``DATABASE_URL``: ``postgresql://user:password@host:port/name`` switches to PostgreSQL.
- ``QUNZHU_DEBUG``: ``1`` for Django's debug pages.
- ``QUNZHU_ALLOWED_HOSTS``: comma-separated host names (default: localhost names).
- ``QUNZHU_TIME_ZONE``: default zone for new communities (default Asia/Shanghai).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("QUNZHU_DATA", "qunzhu-data")).resolve()


def _secret_key(data_dir: Path) -> str:
    """Read the secret key from the data folder, creating it on first start."""
    env_key = os.environ.get("QUNZHU_SECRET_KEY")
    if env_key:
        return env_key
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="ascii")
    path.chmod(0o600)
    return key


def database_from_url(url: str) -> dict[str, object]:
    """Turn ``postgresql://user:pw@host:port/name?sslmode=...`` into a Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}; use postgresql://")
    options: dict[str, str] = {}
    for pair in filter(None, parts.query.split("&")):
        key, _sep, value = pair.partition("=")
        options[key] = unquote(value)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
    }


def _sqlite_database(data_dir: Path) -> dict[str, object]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data_dir / "qunzhu.sqlite3"),
        "OPTIONS": {
            # WAL lets the console read while an import writes; IMMEDIATE avoids
            # "database is locked" upgrades from read to write inside a transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
        # a file, not Django's shared-cache memory database: background import threads
        # then see the same WAL and locking as in production
        "TEST": {"NAME": str(data_dir / "test-qunzhu.sqlite3")},
    }


SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = os.environ.get("QUNZHU_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "QUNZHU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "qunzhu.audit",
    "qunzhu.community",
    "qunzhu.ingest",
    "qunzhu.health",
    "qunzhu.governance",
    "qunzhu.activities",
    "qunzhu.portal",
    "qunzhu.web",
]

MIDDLEWARE = [
    "qunzhu.web.timing.ServerTiming",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "qunzhu.urls"
WSGI_APPLICATION = "qunzhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qunzhu.web.context.console",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else _sqlite_database(DATA_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("QUNZHU_TIME_ZONE", "Asia/Shanghai")
# moves the member portal's clock (demonstrations, end-to-end tests); leave unset in production
CLOCK_SHIFT_DAYS = float(os.environ.get("QUNZHU_CLOCK_SHIFT_DAYS") or 0)

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders: no collectstatic step for the embedded default.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QUNZHU_LOG_LEVEL", "WARNING")},
}
