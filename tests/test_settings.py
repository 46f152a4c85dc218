import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3P9x-Qz7mW2rT8vY4nB6cL1hJ5gF0dS9aZ3xC7vB2nM8qW4eR6tY1uI5oP0aS_",
    "DJANGO_ALLOWED_HOSTS": "training.example.com",
    "DATABASE_URL": "sqlite:////tmp/smptraining-deploy-check.sqlite3",
    "SITE_URL": "https://training.example.com",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("SITE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "smptraining.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_variables_prints_no_warnings():
    result = manage("check", "--deploy", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value", ["yes", "1", "on"])
def test_it_refuses_a_boolean_not_spelled_true_or_false(value):
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": value})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be 'true' or 'false'" in result.stderr


def test_development_mode_needs_no_secret_key():
    result = manage("check", env={"DJANGO_DEBUG": "true"})
    assert result.returncode == 0, result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    script = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.transaction_mode)"
    )
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    journal_mode, busy_timeout_ms, transaction_mode = result.stdout.split()[-3:]
    assert journal_mode == "wal"
    assert int(busy_timeout_ms) >= 5000
    assert transaction_mode == "IMMEDIATE"


def test_one_setting_moves_uploaded_files_to_an_s3_compatible_bucket():
    script = (
        "from django.conf import settings as s; from django.test import RequestFactory; "
        "from smptraining.middleware import content_security_policy as csp; "
        "from django.http import HttpResponse; "
        "r = csp(lambda request: HttpResponse())(RequestFactory().get('/')); "
        "d = s.STORAGES['default']; "
        "print(d['BACKEND'], d['OPTIONS']['bucket_name'], r['Content-Security-Policy'])"
    )
    env = {
        **PRODUCTION_ENV,
        "STORAGE_BUCKET": "smp-media",
        "STORAGE_PUBLIC_ORIGIN": "https://smp-media.s3.example.com",
    }
    result = manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage smp-media" in result.stdout
    assert "img-src 'self' data: https://smp-media.s3.example.com" in result.stdout
    local = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'])",
        env=PRODUCTION_ENV,
    )
    assert "FileSystemStorage" in local.stdout


def test_production_cookies_are_secure_http_only_and_same_site():
    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    result = manage("shell", "-c", script, env=PRODUCTION_ENV)
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "Lax", "True", "Lax", "True"]
