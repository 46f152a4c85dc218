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
