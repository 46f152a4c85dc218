"""Fill a throwaway database for bench/pages.py and print, as JSON, the URLs and sessions.

Run by bench/pages.py with the site's environment (DATABASE_URL pointing at a new database).
Two trainees: one in the middle of the certification (question page, answer save), one who
took a practice quiz and passed the certification (quiz list, history, result, records, PDF).
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smptraining.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from quizzes import attempts as workflows  # noqa: E402
from quizzes.models import Attempt, CompletionRecord, Quiz  # noqa: E402
from quizzes.safety_bank import CERTIFICATION_SLUG  # noqa: E402


def answer_everything(attempt: Attempt, *, right: bool) -> None:
    """Answer each drawn question as the trainee would, right or with the first wrong choice."""
    now = timezone.now()
    for drawn in attempt.drawn.order_by("position"):
        places = [
            place
            for place, index in enumerate(drawn.display_order, start=1)
            if bool(drawn.correct >> index & 1) == right
        ]
        values = [str(p) for p in places] if drawn.kind == "multiple" and right else [places[0]]
        workflows.save_response(
            attempt=attempt, position=drawn.position, values=[str(v) for v in values], now=now
        )


def session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def trainee(email: str, full_name: str) -> User:
    """A trainee whose address is verified: records are issued only to those."""
    return User.objects.create_user(
        email,
        "unused-password-1234",
        full_name=full_name,
        job_title="Trainee",
        email_verified_at=timezone.now(),
    )


def make_data() -> dict:
    """Create the bank and both trainees; return the pages' URLs and the trainees' sessions."""
    call_command("migrate", verbosity=0)
    call_command("load_safety_bank", verbosity=0)
    certification = Quiz.objects.get(slug=CERTIFICATION_SLUG)
    practice = Quiz.objects.filter(published=True).exclude(pk=certification.pk).first()

    done = trainee("done@example.com", "Dana Done")
    now = timezone.now()
    attempt = workflows.start_attempt(quiz=practice, trainee=done, now=now)
    answer_everything(attempt, right=False)
    workflows.submit_by_trainee(attempt=attempt, now=timezone.now())
    passed = workflows.start_attempt(quiz=certification, trainee=done, now=timezone.now())
    answer_everything(passed, right=True)
    passed = workflows.submit_by_trainee(attempt=passed, now=timezone.now())
    record = CompletionRecord.objects.get(attempt=passed)

    busy = trainee("busy@example.com", "Bo Busy")
    current = workflows.start_attempt(quiz=certification, trainee=busy, now=timezone.now())
    answer_everything(current, right=True)  # a full navigator: every question answered

    code = record.verification_code
    return {
        "busy_session": session_of(busy),
        "done_session": session_of(done),
        "question": reverse("quizzes:question", args=[current.pk, 1]),
        "question_queries": f"/bench/question-queries/{current.pk}/1/",  # bench/reference_urls
        "quiz_list": reverse("quizzes:quiz_list"),
        "history": reverse("quizzes:history"),
        "result": reverse("quizzes:result", args=[passed.pk]),
        "my_records": reverse("quizzes:my_records"),
        "verify": reverse("quizzes:verify", args=[code]),
        "pdf": reverse("quizzes:record_pdf", args=[code]),
        "verify_json": reverse("quizzes:verify_json", args=[code]),
    }


def main():
    print(json.dumps(make_data()))


if __name__ == "__main__":
    main()
