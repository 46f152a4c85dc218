"""Test settings: the real settings with a test secret, fast hashing and plain static files."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")

from smptraining.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# live_server serves static files through the staticfiles finders; the manifest storage would
# need collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Uploaded and shipped illustrations land in a throwaway folder, never in the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="smp-media-"))
# A file, not the shared in-memory database: with WAL, a browser test's thread can read while the
# live server's request writes (in memory, SQLite answers "database table is locked" instead).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.mkdtemp()) / "test.sqlite3")}  # noqa: F405
