"""Signing up and asking for a new verification link."""

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from quizzes import emails

from . import throttling
from .models import User


@transaction.atomic
def sign_up(*, email: str, password: str, full_name: str, job_title: str) -> User | None:
    """Create the account and email its verification link; None if the email is taken.

    The caller answers the same either way, so sign-up does not tell who has an account: a
    taken address gets an email telling its owner someone tried, and the password is hashed
    regardless so the answer takes as long.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email, password, full_name=full_name, job_title=job_title
                )
        except IntegrityError:  # the same address signed up a moment ago, in another request
            existing = User.objects.filter(email__iexact=email).first()
        else:
            transaction.on_commit(lambda: emails.send_email_verification(user))
            return user
    make_password(password)
    if existing is not None:
        transaction.on_commit(lambda: emails.send_signup_attempt_notice(existing))
    return None


class ResendRefused(Exception):
    """No new link now; the message is for the trainee."""


@transaction.atomic
def resend_verification(*, user: User, now: datetime) -> None:
    """Email a new verification link, a few times an hour at most."""
    if user.email_verified:
        raise ResendRefused(_("Your email address is already confirmed."))
    if not throttling.allow_verification_email(user_id=user.pk, now=now):
        raise ResendRefused(
            _("We have sent several links in the last hour. Check your inbox, or try later.")
        )
    transaction.on_commit(lambda: emails.send_email_verification(user))
