"""The moment of passing (the result page leads with the certificate) and the trainee's home."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import start_attempt
from quizzes.certificates import linkedin_url
from quizzes.models import CompletionRecord
from quizzes.records import revoke_record
from tests.conftest import pass_quiz


@pytest.fixture
def certification(quiz_factory):
    return quiz_factory(
        slug="cert",
        purpose="certification",
        title="SMP Safety Certification",
        time_limit_minutes=45,
    )


def home(client):
    return client.get(reverse("home")).content.decode()


def test_the_result_of_a_pass_leads_with_the_certificate(alice_client, certification, alice):
    attempt = pass_quiz(certification, alice)
    record = CompletionRecord.objects.get()
    html = alice_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert html.index("Your certificate is ready") < html.index("Passed")
    assert reverse("quizzes:record_pdf", args=[record.verification_code]) in html
    verify_url = f"http://testserver/verify/{record.verification_code}/"
    assert f'href="{verify_url}">{verify_url}</a>' in html  # readable and usable without script
    assert 'class="btn btn-outline-secondary btn-sm copy-link"' in html and " hidden>" in html
    assert linkedin_url(record).replace("&", "&amp;") in html


def test_a_failed_attempt_or_a_revoked_record_shows_no_certificate(
    alice_client, certification, alice, instructor
):
    failed = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    from quizzes.attempts import submit_attempt

    submit_attempt(attempt=failed, now=timezone.now())
    html = alice_client.get(reverse("quizzes:result", args=[failed.pk])).content.decode()
    assert "Your certificate is ready" not in html
    passed = pass_quiz(certification, alice, now=timezone.now() + timedelta(hours=2))
    record = CompletionRecord.objects.get()
    revoke_record(record_id=record.pk, reason="Fraud", actor=instructor, now=timezone.now())
    html = alice_client.get(reverse("quizzes:result", args=[passed.pk])).content.decode()
    assert "Passed" in html and "Your certificate is ready" not in html


def test_a_new_trainee_is_sent_to_the_certification(alice_client, certification):
    html = home(alice_client)
    assert "Not certified yet." in html
    assert "Take the certification" in html
    assert reverse("quizzes:quiz_detail", args=["cert"]) in html


def test_without_a_certification_the_next_step_is_to_study(alice_client, db):
    html = home(alice_client)
    assert "Read the study notes" in html and "btn-primary btn-lg" in html


def test_an_attempt_in_progress_comes_first_with_its_time_left(alice_client, certification, alice):
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    with time_machine.travel(attempt.started_at + timedelta(minutes=15), tick=False):
        html = home(alice_client)
    assert "Time left: 30:00" in html
    assert html.count("btn-primary btn-lg") == 1
    resume = reverse("quizzes:resume", args=[attempt.pk])
    assert f'class="btn btn-primary btn-lg" href="{resume}">Resume' in html


def test_a_certified_trainee_sees_until_when_and_downloads(alice_client, certification, alice):
    pass_quiz(certification, alice)
    record = CompletionRecord.objects.get()
    html = home(alice_client)
    assert f"Certified until {record.expires_at:%-d %B %Y}." in html
    pdf = reverse("quizzes:record_pdf", args=[record.verification_code])
    assert f'class="btn btn-primary btn-lg" href="{pdf}"' in html


@pytest.mark.parametrize(
    ("days_later", "says", "step"),
    [(355, "Expiring in 10 days.", "Renew now"), (400, "Expired — renew now.", "Renew now")],
)
def test_a_record_near_or_past_expiry_asks_to_renew(
    client, certification, alice, days_later, says, step
):
    pass_quiz(certification, alice)
    issued = CompletionRecord.objects.get().issued_at
    with time_machine.travel(issued + timedelta(days=days_later), tick=False):
        client.force_login(alice)
        html = home(client)
    assert says in html and step in html


def test_a_revoked_record_says_so_and_offers_the_certification(
    alice_client, certification, alice, instructor
):
    pass_quiz(certification, alice)
    record = CompletionRecord.objects.get()
    revoke_record(record_id=record.pk, reason="Fraud", actor=instructor, now=timezone.now())
    html = home(alice_client)
    assert "Your record was revoked." in html and "Fraud" not in html
    assert "Take the certification" in html


def test_the_home_page_runs_a_fixed_number_of_queries(
    client, quiz_factory, make_user, django_assert_max_num_queries
):
    """Session, user, open attempts, certification quizzes, records."""
    for n in range(3):
        quiz = quiz_factory(slug=f"cert{n}", purpose="certification", topics=1, per_topic=2)
        trainee = make_user(f"t{n}@example.com", f"Trainee {n}")
        pass_quiz(quiz, trainee)
        start_attempt(
            quiz=quiz_factory(slug=f"p{n}", topics=1, per_topic=2),
            trainee=trainee,
            now=timezone.now(),
        )
    client.force_login(trainee)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("home")).status_code == 200


def test_a_visitor_can_check_a_code_from_the_home_page(client, db):
    html = home(client)
    assert f'action="{reverse("quizzes:verify_form")}"' in html
    assert 'name="code"' in html and "Verification code" in html


def test_my_records_are_cards_with_the_download_first(alice_client, certification, alice):
    pass_quiz(certification, alice)
    record = CompletionRecord.objects.get()
    html = alice_client.get(reverse("quizzes:my_records")).content.decode()
    assert "<table" not in html
    pdf = reverse("quizzes:record_pdf", args=[record.verification_code])
    assert f'<a class="btn btn-primary" href="{pdf}">' in html
    assert record.verification_code in html


def test_a_revoked_record_has_no_download(alice_client, certification, alice, instructor):
    pass_quiz(certification, alice)
    record = CompletionRecord.objects.get()
    revoke_record(record_id=record.pk, reason="Fraud", actor=instructor, now=timezone.now())
    html = alice_client.get(reverse("quizzes:my_records")).content.decode()
    assert reverse("quizzes:record_pdf", args=[record.verification_code]) not in html
    assert "its certificate can no longer be printed" in html


@pytest.mark.parametrize("per_topic", [2, 20])
def test_the_result_of_a_pass_runs_a_fixed_number_of_queries(
    alice_client, quiz_factory, alice, django_assert_max_num_queries, per_topic
):
    """Session, user, attempt, topic aggregate, drawn questions, the start rule (renewal
    window, attempts, override), "has passed", no certification open, the completion record;
    after the response, the academy, to name the kept certificate (the first view renders it:
    the test client counts what runs after the response too)."""
    quiz = quiz_factory(slug="cert", purpose="certification", max_attempts=3, per_topic=per_topic)
    attempt = pass_quiz(quiz, alice)
    url = reverse("quizzes:result", args=[attempt.pk])
    alice_client.get(url)
    with django_assert_max_num_queries(12):
        html = alice_client.get(url).content.decode()
    assert "Your certificate is ready" in html


def test_an_unverified_email_is_asked_for_first(client, make_user, certification):
    client.force_login(make_user("new@example.com", "New Person", email_verified_at=None))
    html = home(client)
    # Once, in the notice every page shows an unverified trainee (the dashboard used to repeat it).
    assert html.count("Confirm your email address to receive completion records") == 1
