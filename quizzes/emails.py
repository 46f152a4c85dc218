"""Every email the site sends, one function each, rendered from templates/emails/."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from smptraining.links import absolute_reverse


def _send(template: str, to: str, context: dict) -> None:
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_expiry_reminder(record, days: int) -> None:
    _send(
        "expiry_reminder",
        record.trainee.email,
        {
            "record": record,
            "days": days,
            "verify_url": absolute_reverse("quizzes:verify", args=[record.verification_code]),
            "quiz_url": absolute_reverse("quizzes:quiz_detail", args=[record.quiz.slug]),
        },
    )


def send_instructor_digest(recipients: list[str], expiring: list, expired: list) -> None:
    """One email to each instructor: the records expiring soon, and those that just expired."""

    def rows(records):
        return [
            {
                "record": record,
                "holder_email": record.trainee.email if record.trainee else "",
                "admin_url": absolute_reverse(
                    "admin:quizzes_completionrecord_change", args=[record.pk]
                ),
            }
            for record in records
        ]

    context = {"expiring": rows(expiring), "expired": rows(expired)}
    for email in recipients:
        _send("instructor_digest", email, context)


def send_email_verification(user) -> None:
    """The link that confirms the address; records are issued to verified addresses only."""
    from accounts.verification import link_arguments

    link = link_arguments(user)
    _send(
        "verify_email",
        user.email,
        {
            "user": user,
            "verify_url": absolute_reverse(
                "accounts:verify_email", args=[link["uidb64"], link["token"]]
            ),
        },
    )


def send_signup_attempt_notice(user) -> None:
    """Someone signed up with an address that already has an account: tell its owner."""
    _send(
        "signup_attempt",
        user.email,
        {
            "user": user,
            "login_url": absolute_reverse("login"),
            "reset_url": absolute_reverse("password_reset"),
        },
    )
