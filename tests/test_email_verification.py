"""Email verification: records go to verified addresses; the link expires and dies on use."""

import importlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.verification import link_arguments
from quizzes.attempts import start_attempt, submit_attempt
from quizzes.models import CompletionRecord
from tests.conftest import answer_all


@pytest.fixture
def newcomer(make_user):
    """A trainee who signed up and has not opened the link yet."""
    return make_user("nora@example.com", "Nora New", email_verified_at=None)


def pass_quiz(quiz, trainee, now):
    attempt = start_attempt(quiz=quiz, trainee=trainee, now=now)
    answer_all(attempt, right=True)
    return submit_attempt(attempt=attempt, now=now)


def verify_url(user):
    return reverse("accounts:verify_email", kwargs=link_arguments(user))


def test_an_unverified_pass_is_held_and_the_result_says_so(client, certification, newcomer):
    attempt = pass_quiz(certification, newcomer, timezone.now())
    assert attempt.passed
    assert not CompletionRecord.objects.exists()
    client.force_login(newcomer)
    page = client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert "Verify your email address to receive your certificate" in page


def test_verifying_issues_the_held_record_dated_from_the_pass(client, certification, newcomer):
    passed_at = timezone.now() - timedelta(days=2)
    attempt = pass_quiz(certification, newcomer, passed_at)
    url = verify_url(newcomer)
    confirm = client.get(url)
    assert b"Confirm my email address" in confirm.content
    assert not CompletionRecord.objects.exists()  # opening the link (a mail scanner) uses nothing
    response = client.post(url, follow=True)
    assert "Your completion record has been issued" in response.content.decode()
    record = CompletionRecord.objects.get()
    assert record.attempt == attempt
    assert record.holder_name == "Nora New"
    assert record.issued_at == attempt.submitted_at
    newcomer.refresh_from_db()
    assert newcomer.email_verified


def test_a_verified_trainee_gets_the_record_at_once(certification, alice):
    pass_quiz(certification, alice, timezone.now())
    assert CompletionRecord.objects.count() == 1


def test_two_held_passes_get_two_records_in_order(certification, newcomer, client):
    first = pass_quiz(certification, newcomer, timezone.now() - timedelta(days=3))
    second = pass_quiz(certification, newcomer, timezone.now())
    client.post(verify_url(newcomer))
    records = list(CompletionRecord.objects.order_by("issued_at"))
    assert [r.attempt for r in records] == [first, second]
    assert records[1].previous == records[0]


def test_the_link_dies_on_use(client, newcomer):
    url = verify_url(newcomer)
    client.post(url)
    again = client.post(url)
    assert again.status_code == 400
    assert "expired or has already been used" in again.content.decode()
    assert client.get(url).status_code == 400


def test_the_link_expires_after_three_days(client, newcomer):
    url = verify_url(newcomer)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.post(url)
    assert response.status_code == 400
    newcomer.refresh_from_db()
    assert not newcomer.email_verified


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [
        ("MQ", "abc-def"),
        ("!!!", "x"),
        ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "c0ffee-00"),  # a huge number
        ("", ""),
    ],
)
def test_a_forged_link_is_refused_not_a_500(client, newcomer, uidb64, token):
    if not uidb64:
        uidb64 = link_arguments(newcomer)["uidb64"]
        token = "1-" + "0" * 32
    response = client.post(f"/accounts/verify-email/{uidb64}/{token}/")
    assert response.status_code in (400, 404)
    newcomer.refresh_from_db()
    assert not newcomer.email_verified


def test_one_accounts_link_does_not_verify_another(client, newcomer, make_user):
    other = make_user("olga@example.com", "Olga Other", email_verified_at=None)
    args = link_arguments(newcomer)
    args["uidb64"] = link_arguments(other)["uidb64"]
    response = client.post(reverse("accounts:verify_email", kwargs=args))
    assert response.status_code == 400
    other.refresh_from_db()
    assert not other.email_verified


def test_the_notice_offers_a_new_link_a_few_times_an_hour(
    client, newcomer, django_capture_on_commit_callbacks
):
    client.force_login(newcomer)
    assert "Send the link again" in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            response = client.post(reverse("accounts:resend_verification_email"), follow=True)
    assert len(mail.outbox) == 3
    assert "We have sent several links in the last hour" in response.content.decode()
    link = re.search(r"http://testserver(/accounts/verify-email/\S+/)", mail.outbox[-1].body)
    client.post(link.group(1))
    newcomer.refresh_from_db()
    assert newcomer.email_verified
    assert "Send the link again" not in client.get(reverse("home")).content.decode()


def test_the_resend_form_goes_back_only_to_this_site(client, newcomer):
    client.force_login(newcomer)
    response = client.post(
        reverse("accounts:resend_verification_email"), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


def test_existing_accounts_count_as_verified_after_the_upgrade(make_user):
    old = make_user("olive@example.com", "Olive Old", email_verified_at=None)
    migration = importlib.import_module("accounts.migrations.0003_email_verification_and_throttles")
    migration.verify_existing_accounts(apps, None)
    old.refresh_from_db()
    assert old.email_verified_at == old.date_joined


def test_the_signup_link_verifies_the_new_account(client, db, django_capture_on_commit_callbacks):
    from tests.conftest import PASSWORD

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "email": "sam@example.com",
                "full_name": "Sam Signup",
                "job_title": "",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    link = re.search(r"http://testserver(/accounts/verify-email/\S+/)", mail.outbox[0].body)
    response = client.post(link.group(1))
    assert response.url == reverse("login")
    assert User.objects.get(email="sam@example.com").email_verified


def test_a_superuser_made_at_the_console_needs_no_verification_link(db):
    from django.core.management import call_command

    call_command(
        "createsuperuser",
        email="owner@example.com",
        full_name="Olive Owner",
        interactive=False,
        verbosity=0,
    )
    assert User.objects.get(email="owner@example.com").email_verified


def test_the_confirmation_page_offers_one_button_not_a_resend_above_it(client, newcomer):
    """The notice asking to confirm would put "Send the link again" above the confirm button."""
    client.force_login(newcomer)
    page = client.get(verify_url(newcomer)).content.decode()
    assert "Confirm my email address" in page
    assert "Send the link again" not in page
    assert "Send the link again" in client.get(reverse("home")).content.decode()
