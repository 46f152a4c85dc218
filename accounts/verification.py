"""Email verification: a signed link that expires and dies on use, and what using it does."""

from datetime import datetime

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Auth's password-reset token with its own salt, over state that changes when used.

    The hash covers the address and when it was verified, so a link dies once it has been
    used or the address changed; like a password-reset link it expires after
    PASSWORD_RESET_TIMEOUT (three days by default).
    """

    key_salt = "accounts.verification.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified_at}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()


class VerificationRefused(Exception):
    """The link is not valid (any more); the message is for the person who opened it."""


def link_arguments(user: User) -> dict[str, str]:
    """The `uidb64` and `token` of the account's verification link, for reverse()."""
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": email_verification_token.make_token(user),
    }


def user_for_link(uidb64: str, token: str) -> User:
    """The account whose valid link this is, or VerificationRefused. One query."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
        user = User.objects.get(pk=pk)
    except (ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not email_verification_token.check_token(user, token):
        raise VerificationRefused(
            _(
                "This link has expired or has already been used. Log in and ask for a new one "
                "if your address is not confirmed yet."
            )
        )
    return user


@transaction.atomic
def verify_email(*, uidb64: str, token: str, now: datetime) -> tuple[User, int]:
    """Mark the address verified once, and issue the records its passes were waiting for.

    Return the account and how many records were issued.

    The conditional update claims the link: of two requests at once, one verifies and the
    other is refused, on SQLite and PostgreSQL alike.
    """
    from quizzes.attempts import issue_held_records

    user = user_for_link(uidb64, token)
    claimed = User.objects.filter(pk=user.pk, email_verified_at=None, email=user.email).update(
        email_verified_at=now
    )
    if not claimed:
        raise VerificationRefused(_("This address is already confirmed."))
    user.email_verified_at = now
    return user, issue_held_records(trainee=user)
