"""Settings, all read from the environment (see .env.example and the README).

Production is the default: DEBUG is off and DJANGO_SECRET_KEY is required unless development
mode is asked for with DJANGO_DEBUG=true.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean spelled exactly "true" or "false"; anything else is a mistake."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "development-only-key-never-use-in-production-3f9a8c7e1b2d4f6a"

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
HTTPS = SITE_URL.startswith("https://")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [urlsplit(SITE_URL).hostname or "localhost"]
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = [SITE_URL] if HTTPS else []

INSTALLED_APPS = [
    "accounts",
    "academy",
    "quizzes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "smptraining.middleware.content_security_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smptraining.middleware.signed_in_sessions",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smptraining.urls"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]
# Django's templates everywhere, but for the pages trainees load most (smptraining/jinja2.py).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
    {
        "BACKEND": "smptraining.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "smptraining.jinja2.environment",
            "context_processors": [*CONTEXT_PROCESSORS, "smptraining.jinja2.language"],
        },
    },
]

WSGI_APPLICATION = "smptraining.wsgi.application"

# The page chrome (stylesheets, navigation links, footer) is rendered once per language and role
# and kept by the template's {% cache %} tags: it was a third of a page's rendering. Each worker
# keeps its own copy; a fragment depends only on its key and the code, and a deploy restarts the
# workers. Nothing else is cached, so no other cache is configured.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": None,
    },
}

# SQLite by default; PostgreSQL (or anything dj-database-url reads) through DATABASE_URL.
# Connections are kept between requests on both (DATABASE_CONN_MAX_AGE seconds). Opening one
# costs more than a simple page's queries: on SQLite Django registers its SQL functions and runs
# the PRAGMAs below on every connect, on PostgreSQL it is a TCP and authentication round trip.
# SQLite was forced to 0 from the first commit, without a reason given; the usual worry, a kept
# connection holding a lock or a read snapshot that blocks WAL checkpoints, does not apply:
# requests run in autocommit, so no transaction stays open between requests. gunicorn's sync workers
# serve one request at a time, so a kept connection per worker is already a pool of the right
# size; psycopg's pool would only add a second layer (and it requires CONN_MAX_AGE = 0).
# Health checks reconnect after a PostgreSQL restart instead of failing one request.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share the file: WAL lets readers run beside a writer, IMMEDIATE
    # takes the write lock at BEGIN (no deadlock on upgrade), and writers wait for each other.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "accounts.User"
# ModelBackend, but for how it reads the signed-in user (accounts/backends.py). Sessions signed in
# through ModelBackend itself were moved to it by accounts' migration 0004.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserBackend",
]
# Older PBKDF2 hashes still verify and are replaced by Argon2id at the next log-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling, counted in the database so every worker shares it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.username_for_throttling"
# Proxies in front of the site, each adding one X-Forwarded-For entry (see smptraining/clients.py).
DJANGO_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "smptraining.clients.client_address"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "smptraining" / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
# Uploaded files (question illustrations) go through Django's storage API: a folder by default,
# or an S3-compatible bucket shared by several servers when STORAGE_BUCKET is set (install the
# "s3" extra; credentials come from the usual AWS_* variables).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGE_BUCKET = os.environ.get("STORAGE_BUCKET", "")
# Where the bucket's files are served from, e.g. https://smp-media.s3.eu-west-1.amazonaws.com:
# pages may show pictures from there (Content-Security-Policy img-src).
STORAGE_PUBLIC_ORIGIN = os.environ.get("STORAGE_PUBLIC_ORIGIN", "").rstrip("/")
DEFAULT_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": os.environ.get("STORAGE_ENDPOINT_URL") or None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    if STORAGE_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SMP Safety Training <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: the HTTPS settings follow the scheme of SITE_URL, so a plain-HTTP development or
# test server keeps working and an HTTPS deployment gets all of them.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's database sessions, with the read every signed-in request makes as fixed SQL.
SESSION_ENGINE = "smptraining.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends with the browser, unless "Keep me signed in" was ticked, and in any case after
# it has been idle this long (see smptraining.middleware.signed_in_sessions).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "120")) * 60
SESSION_KEEP_SIGNED_IN_AGE = int(timedelta(days=14).total_seconds())
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Completion records: who issues them until an administrator fills in the academy and its
# trainers in the admin (the first migration copies these there).
CERTIFICATE_ISSUER_NAME = os.environ.get("CERTIFICATE_ISSUER_NAME", "SMP Safety Training")
CERTIFICATE_ISSUER_ADDRESS = os.environ.get("CERTIFICATE_ISSUER_ADDRESS", "")
CERTIFICATE_ISSUER_CONTACT = os.environ.get("CERTIFICATE_ISSUER_CONTACT", "")
CERTIFICATE_TRAINER_NAME = os.environ.get("CERTIFICATE_TRAINER_NAME", "")
CERTIFICATE_TRAINER_QUALIFICATION = os.environ.get("CERTIFICATE_TRAINER_QUALIFICATION", "")
# The paper certificates are printed on: A4 (landscape) or Letter (US Letter, landscape).
CERTIFICATE_PAGE_SIZE = os.environ.get("CERTIFICATE_PAGE_SIZE", "A4")
if CERTIFICATE_PAGE_SIZE not in ("A4", "Letter"):
    raise ImproperlyConfigured(
        f"CERTIFICATE_PAGE_SIZE must be 'A4' or 'Letter', not {CERTIFICATE_PAGE_SIZE!r}."
    )
# PEM of an EC P-256 private key that signs Open Badges (ES256). Without it a key is derived
# from DJANGO_SECRET_KEY, stable across workers; set one to keep badges valid across a rotation.
OPENBADGES_PRIVATE_KEY = os.environ.get("OPENBADGES_PRIVATE_KEY", "").replace("\\n", "\n")
