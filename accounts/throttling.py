"""Limits on logging in, signing up and asking for emails, counted in the database.

django-axes locks one account from one address after a few failures (AXES_* settings). The
token buckets here add what it cannot: failures from one address across many accounts
(password spraying), failures on one account from any address (with a limit high enough that
a stranger cannot lock its owner out), and sign-ups and emails per address or account.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from smptraining import rows

from .models import Throttle

# The longest email an account can have; axes stores up to 255 characters of the username.
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class Limit:
    """At most `tries` per `period`, refilled evenly over it."""

    name: str
    tries: int
    period: timedelta


LOGIN_FAILURES_PER_ADDRESS = Limit("login.address", 30, timedelta(hours=1))
LOGIN_FAILURES_PER_ACCOUNT = Limit("login.account", 50, timedelta(hours=1))
SIGNUPS_PER_ADDRESS = Limit("signup.address", 10, timedelta(hours=1))
PASSWORD_RESETS_PER_ADDRESS = Limit("reset.address", 10, timedelta(hours=1))
PASSWORD_RESETS_PER_EMAIL = Limit("reset.email", 3, timedelta(hours=1))
VERIFICATION_EMAILS_PER_ACCOUNT = Limit("verify.account", 3, timedelta(hours=1))
# Only unknown codes count: a valid code's page must open for everyone behind one address.
CODE_MISSES_PER_ADDRESS = Limit("code.address", 60, timedelta(minutes=10))


def username_for_throttling(request, credentials) -> str | None:
    """Count failed logins per email whatever its letter case, as logging in ignores case."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower()[:EMAIL_MAX_LENGTH] if username else None


def _key(limit: Limit, value: str) -> str:
    # Keyed with the secret: a plain hash of an IPv4 address is undone by trying all 2**32.
    raw = value.encode("utf-8", "surrogatepass")
    digest = salted_hmac("accounts.throttle", raw, algorithm="sha256").hexdigest()
    return f"{limit.name}:{digest}"


def _tokens_now(row: Throttle | None, limit: Limit, now: datetime) -> float:
    if row is None:
        return float(limit.tries)
    refill = (now - row.updated_at) / limit.period * limit.tries
    return min(float(limit.tries), row.tokens + max(refill, 0.0))


def seconds_until_try(limit: Limit, value: str, now: datetime) -> int:
    """0 if one more try is allowed now, else the seconds until it is; spends none. One query."""
    # Read on every code look-up and log-in: by SQL written once (smptraining/rows.py).
    row = rows.get(Throttle, key=_key(limit, value))
    missing = 1 - _tokens_now(row, limit, now)
    if missing <= 0:
        return 0
    return math.ceil(missing / limit.tries * limit.period.total_seconds())


def has_tries(limit: Limit, value: str, now: datetime) -> bool:
    """Whether one more try is allowed, without spending it. One query."""
    return seconds_until_try(limit, value, now) == 0


@transaction.atomic
def spend(limit: Limit, value: str, now: datetime) -> bool:
    """Spend one try if one is left; return whether it was. Two or three queries.

    The row is locked, so workers spending at once each see the other's spend.
    """
    key = _key(limit, value)
    row = Throttle.objects.select_for_update().filter(key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                Throttle.objects.create(key=key, tokens=limit.tries - 1, updated_at=now)
            return True
        except IntegrityError:  # another worker created it a moment ago
            row = Throttle.objects.select_for_update().get(key=key)
    tokens = _tokens_now(row, limit, now)
    if tokens < 1:
        return False
    row.tokens, row.updated_at = tokens - 1, now
    row.save(update_fields=["tokens", "updated_at"])
    return True


def normalized_email(email: str) -> str:
    return email.strip().lower()


def login_refusal(*, email: str, address: str, now: datetime) -> str | None:
    """Why this login may not even be tried now, or None. Two queries."""
    if not has_tries(LOGIN_FAILURES_PER_ADDRESS, address, now):
        return _(
            "Too many failed log-ins have come from your network. Try again in an hour, or "
            "reset your password."
        )
    if not has_tries(LOGIN_FAILURES_PER_ACCOUNT, normalized_email(email), now):
        return _(
            "This account has had too many failed log-ins in the last hour. Try again later, "
            "or reset your password."
        )
    return None


def record_login_failure(*, email: str, address: str, now: datetime) -> None:
    spend(LOGIN_FAILURES_PER_ADDRESS, address, now)
    spend(LOGIN_FAILURES_PER_ACCOUNT, normalized_email(email), now)


def allow_signup(*, address: str, now: datetime) -> bool:
    return spend(SIGNUPS_PER_ADDRESS, address, now)


def allow_password_reset_request(*, address: str, now: datetime) -> bool:
    return spend(PASSWORD_RESETS_PER_ADDRESS, address, now)


def allow_password_reset_email(*, email: str, now: datetime) -> bool:
    return spend(PASSWORD_RESETS_PER_EMAIL, normalized_email(email), now)


def allow_verification_email(*, user_id: int, now: datetime) -> bool:
    return spend(VERIFICATION_EMAILS_PER_ACCOUNT, str(user_id), now)


ALL_LIMITS = (
    LOGIN_FAILURES_PER_ADDRESS,
    LOGIN_FAILURES_PER_ACCOUNT,
    SIGNUPS_PER_ADDRESS,
    PASSWORD_RESETS_PER_ADDRESS,
    PASSWORD_RESETS_PER_EMAIL,
    VERIFICATION_EMAILS_PER_ACCOUNT,
    CODE_MISSES_PER_ADDRESS,
)


def forget_refilled(now: datetime) -> int:
    """Delete the counters untouched for longer than any period (they are full again)."""
    longest = max(limit.period for limit in ALL_LIMITS)
    deleted, _ = Throttle.objects.filter(updated_at__lt=now - longest).delete()
    return deleted
